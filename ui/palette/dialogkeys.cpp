#include "palette/dialogkeys.h"

#include "palette/commandcollector.h"
#include "palette/commandpalette.h"
#include "palette/shortcutsheet.h"
#include "palette/shortcuttable.h"

#include <QApplication>
#include <QDialog>
#include <QEvent>
#include <QShortcut>

namespace Raize::Ui {

using namespace Qt::StringLiterals;

namespace {

constexpr const char *ReturnFocusProperty = "raize.returnFocus";

bool isOwnDialog(const QObject *o)
{
    return qobject_cast<const CommandPalette *>(o) || qobject_cast<const ShortcutSheet *>(o);
}

} // namespace

DialogKeys::DialogKeys(QWidget *window)
    : QObject(window)
    , m_window(window)
{
    setObjectName(u"dialogKeys"_s);
    qApp->installEventFilter(this);
}

DialogKeys::~DialogKeys()
{
    qApp->removeEventFilter(this);
}

bool DialogKeys::eventFilter(QObject *watched, QEvent *event)
{
    switch (event->type()) {
    case QEvent::Show:
        if (auto *dialog = qobject_cast<QDialog *>(watched); dialog && dialog->isWindow() && !isOwnDialog(dialog)) {
            prepare(dialog);
            // Where the focus goes back to when it closes (Qt restores a modal dialog's parent
            // window, not always the control: a palette entry or a shortcut may have moved it).
            QWidget *focus = QApplication::focusWidget();
            if (focus && focus->window() != dialog)
                dialog->setProperty(ReturnFocusProperty, QVariant::fromValue(QPointer<QWidget>(focus)));
        } else if (watched == m_window) {
            applyShortcuts(m_window);
        }
        break;
    case QEvent::Hide:
        if (auto *dialog = qobject_cast<QDialog *>(watched); dialog && dialog->isWindow() && !isOwnDialog(dialog)) {
            const QPointer<QWidget> back = dialog->property(ReturnFocusProperty).value<QPointer<QWidget>>();
            dialog->setProperty(ReturnFocusProperty, {});
            // After the dialog's own hide handling, which activates its parent window.
            QMetaObject::invokeMethod(
                this,
                [back] {
                    if (!back || !back->isVisible() || !back->isEnabled())
                        return; // Qt's choice stands: the window's next control
                    const QWidget *now = QApplication::focusWidget();
                    if (now && now->window() != back->window())
                        return; // another dialog took the focus on purpose
                    back->window()->activateWindow();
                    back->setFocus(Qt::OtherFocusReason);
                },
                Qt::QueuedConnection);
        }
        break;
    default:
        break;
    }
    return QObject::eventFilter(watched, event);
}

void DialogKeys::prepare(QDialog *dialog)
{
    applyShortcuts(dialog);
    if (isOwnDialog(dialog) || dialog->findChild<QShortcut *>(u"dialogPaletteShortcut"_s, Qt::FindDirectChildrenOnly))
        return;
    auto *palette = new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_K), dialog);
    palette->setObjectName(u"dialogPaletteShortcut"_s);
    palette->setContext(Qt::WindowShortcut);
    QPointer<QDialog> d(dialog);
    connect(palette, &QShortcut::activated, this, [this, d] {
        if (d)
            openPalette(d);
    });
}

CommandPalette *DialogKeys::paletteOf(QDialog *dialog) const
{
    return dialog ? dialog->findChild<CommandPalette *>(u"commandPalette"_s, Qt::FindDirectChildrenOnly) : nullptr;
}

void DialogKeys::openPalette(QDialog *dialog)
{
    CommandPalette *palette = paletteOf(dialog);
    if (!palette) {
        QPointer<QDialog> d(dialog);
        palette = new CommandPalette(
            [d] {
                if (!d)
                    return QList<PaletteEntry>{};
                return collectButtons(d, plainText(d->windowTitle()).section(u" — "_s, 0, 0));
            },
            dialog);
        // Escape or an entry run: back to the dialog (its button has the focus, or where it was).
        connect(palette, &QDialog::finished, dialog, [d = QPointer<QDialog>(dialog)] {
            if (d && d->isVisible())
                d->activateWindow();
        });
    }
    palette->open();
}

} // namespace Raize::Ui
