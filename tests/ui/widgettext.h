#pragma once

// Every piece of text a widget tree renders: what a screenshot of it can show.
// Password fields contribute their displayText() (the bullets), as painted.

#include <QAbstractButton>
#include <QAbstractItemView>
#include <QComboBox>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QStatusBar>
#include <QTabBar>
#include <QTextEdit>
#include <QWidget>

namespace RaizeTest {

inline QStringList renderedTexts(const QWidget *root)
{
    QStringList out;
    QList<const QWidget *> widgets{root};
    for (QWidget *w : root->findChildren<QWidget *>())
        widgets << w;
    for (const QWidget *w : widgets) {
        out << w->windowTitle() << w->toolTip();
        if (auto *l = qobject_cast<const QLabel *>(w))
            out << l->text();
        else if (auto *e = qobject_cast<const QLineEdit *>(w))
            out << e->displayText() << e->placeholderText();
        else if (auto *b = qobject_cast<const QAbstractButton *>(w))
            out << b->text();
        else if (auto *t = qobject_cast<const QTextEdit *>(w))
            out << t->toPlainText();
        else if (auto *c = qobject_cast<const QComboBox *>(w))
            out << c->currentText();
        else if (auto *g = qobject_cast<const QGroupBox *>(w))
            out << g->title();
        else if (auto *tb = qobject_cast<const QTabBar *>(w)) {
            for (int i = 0; i < tb->count(); ++i)
                out << tb->tabText(i);
        } else if (auto *v = qobject_cast<const QAbstractItemView *>(w)) {
            if (QAbstractItemModel *m = v->model()) {
                for (int r = 0; r < qMin(m->rowCount(), 500); ++r)
                    for (int c = 0; c < m->columnCount(); ++c)
                        out << m->index(r, c).data().toString() << m->index(r, c).data(Qt::ToolTipRole).toString();
            }
        }
    }
    out.removeAll(QString());
    return out;
}

} // namespace RaizeTest
