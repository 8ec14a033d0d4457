#pragma once

// Keyboard-only GUI tests (issue #21 item 4): keys go to whatever widget has
// the focus, as a person's would; NoMouse counts any mouse event; the one
// confirmation (its own exec() loop) is answered by typing. Header only:
// test_keyboard and test_rollback_dialog include it.

#include "widgets/confirmation.h"

#include <QApplication>
#include <QEvent>
#include <QKeySequence>
#include <QLineEdit>
#include <QObject>
#include <QTest>
#include <QTimer>

namespace RaizeTest::Keyboard {

using namespace Qt::StringLiterals;

// Counts every mouse event any object receives: the flows are keyboard-only.
class NoMouse : public QObject
{
public:
    NoMouse() { qApp->installEventFilter(this); }
    ~NoMouse() override { qApp->removeEventFilter(this); }
    int seen = 0;
    QString first;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        switch (event->type()) {
        case QEvent::MouseButtonPress:
        case QEvent::MouseButtonRelease:
        case QEvent::MouseButtonDblClick:
        case QEvent::Wheel:
        case QEvent::NonClientAreaMouseButtonPress:
            if (seen++ == 0)
                first = u"%1 on %2"_s.arg(int(event->type())).arg(watched->objectName());
            break;
        default:
            break;
        }
        return false;
    }
};

// Keys go to whatever has the focus, as a person's would.
inline QWidget *focused()
{
    QWidget *w = QApplication::focusWidget();
    if (!w)
        qWarning("no widget has the focus");
    return w;
}

inline void press(const QKeySequence &keys)
{
    if (QWidget *w = focused())
        QTest::keySequence(w, keys);
}

inline void press(Qt::Key key, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
{
    if (QWidget *w = focused())
        QTest::keyClick(w, key, modifiers);
}

inline void type(const QString &text)
{
    if (QWidget *w = focused())
        QTest::keyClicks(w, text);
}

// The one confirmation runs its own event loop (exec): once it is up and has
// the focus, types what its rule asks (its placeholder) into the focused
// field and confirms with Ctrl+Enter. `seen` gets the dialog's title.
inline void answerConfirmation(QString *seen, bool *done)
{
    auto *timer = new QTimer(qApp);
    timer->setInterval(20);
    QObject::connect(timer, &QTimer::timeout, timer, [timer, seen, done] {
        auto *dialog = qobject_cast<Raize::Ui::Confirmation *>(QApplication::activeModalWidget());
        if (!dialog || !dialog->isVisible() || !QApplication::focusWidget() || QApplication::focusWidget()->window() != dialog)
            return;
        timer->stop();
        timer->deleteLater();
        *seen = dialog->windowTitle();
        auto *input = dialog->findChild<QLineEdit *>(u"confirmationInput"_s);
        if (QApplication::focusWidget() == input)
            type(input->placeholderText());
        press(QKeySequence(Qt::CTRL | Qt::Key_Return));
        *done = true;
    });
    timer->start();
}


// Tab until `objectName` has the focus (at most `limit` presses); false if it never does.
inline bool tabTo(const QString &objectName, int limit = 40)
{
    for (int i = 0; i < limit; ++i) {
        if (QApplication::focusWidget() && QApplication::focusWidget()->objectName() == objectName)
            return true;
        press(Qt::Key_Tab);
    }
    return QApplication::focusWidget() && QApplication::focusWidget()->objectName() == objectName;
}

} // namespace RaizeTest::Keyboard
