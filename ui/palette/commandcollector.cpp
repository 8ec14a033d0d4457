#include "palette/commandcollector.h"

#include "mainwindow.h"
#include "alerts/pagebanner.h"
#include "palette/shortcuttable.h"

#include <QAbstractButton>
#include <QAction>
#include <QMenu>
#include <QMenuBar>
#include <QPointer>
#include <QTabBar>

namespace Raize::Ui {

using namespace Qt::StringLiterals;

QString plainText(const QString &text)
{
    QString out = text;
    out.replace(u"&&"_s, u"\x01"_s).remove(u'&').replace(u"\x01"_s, u"&"_s);
    out.replace(u'…', QString()).replace(u"..."_s, QString());
    return out.simplified();
}

namespace {

void collectMenu(QMenu *menu, const QString &path, QList<PaletteEntry> &out)
{
    for (QAction *a : menu->actions()) {
        if (a->isSeparator())
            continue;
        const QString title = plainText(a->text());
        if (a->menu()) {
            collectMenu(a->menu(), path + u" › "_s + title, out);
            continue;
        }
        if (title.isEmpty() || a->property("raize.paletteSkip").toBool())
            continue;
        PaletteEntry e;
        e.id = u"action:"_s + (a->objectName().isEmpty() ? path + u'/' + title : a->objectName());
        e.title = title;
        e.detail = path;
        e.kind = a->property("raize.view").isValid() ? PaletteEntry::Kind::View : PaletteEntry::Kind::Action;
        e.shortcut = shortcutOf(a);
        e.enabled = a->isEnabled();
        e.changesProduction = a->property(ChangesProductionProperty).toBool();
        if (!e.enabled)
            e.detail += u" — disabled"_s + (a->toolTip().isEmpty() || a->toolTip() == title ? QString() : u": "_s + a->toolTip());
        QPointer<QAction> action(a);
        e.run = [action] {
            if (action && action->isEnabled())
                action->trigger();
        };
        out << e;
    }
}

} // namespace

QList<PaletteEntry> collectButtons(QWidget *root, const QString &area, const std::function<void()> &before)
{
    QList<PaletteEntry> out;
    if (!root)
        return out;
    for (QAbstractButton *b : root->findChildren<QAbstractButton *>()) {
        QString title = plainText(b->text());
        if (title.isEmpty())
            title = plainText(b->accessibleName());
        if (title.isEmpty())
            title = plainText(b->toolTip());
        // A tab bar's scroll arrows are part of the tab bar, not actions.
        if (title.isEmpty() || b->property("raize.paletteSkip").toBool() || qobject_cast<QTabBar *>(b->parentWidget()))
            continue;
        PaletteEntry e;
        e.id = u"button:"_s + (b->objectName().isEmpty() ? area + u'/' + title : b->objectName());
        e.title = area + u": "_s + title;
        e.kind = PaletteEntry::Kind::Action;
        e.shortcut = shortcutOf(b);
        // A button its view hides (Retry until a step fails, the banner without an alert) is listed, not runnable.
        e.enabled = b->isEnabled() && b->isVisibleTo(root);
        e.changesProduction = b->property(ChangesProductionProperty).toBool();
        e.detail = b->toolTip() == title ? QString() : b->toolTip();
        if (!b->isEnabled())
            e.detail = u"disabled"_s + (e.detail.isEmpty() ? QString() : u": "_s + e.detail);
        else if (!e.enabled)
            e.detail = u"not available now"_s + (e.detail.isEmpty() ? QString() : u": "_s + e.detail);
        QPointer<QAbstractButton> button(b);
        e.run = [button, before] {
            if (before)
                before();
            if (button && button->isEnabled())
                button->animateClick();
        };
        out << e;
    }
    // Fields and lists with a key of their own (Ctrl+F: the audit search): "go to" entries.
    QList<QWidget *> focusable = root->findChildren<QWidget *>();
    focusable.prepend(root);
    for (QWidget *w : std::as_const(focusable)) {
        if (qobject_cast<QAbstractButton *>(w) || !w->property(BoundKeysProperty).isValid())
            continue;
        const QString name = w->accessibleName().isEmpty() ? w->objectName() : w->accessibleName();
        PaletteEntry e;
        e.id = u"focus:"_s + w->objectName();
        e.title = area + u": "_s + u"Go to %1"_s.arg(name);
        e.kind = PaletteEntry::Kind::Action;
        e.shortcut = shortcutOf(w);
        e.enabled = w->isEnabled() && w->isVisibleTo(root);
        QPointer<QWidget> target(w);
        e.run = [target, before] {
            if (before)
                before();
            if (target && target->isEnabled())
                target->setFocus(Qt::ShortcutFocusReason);
        };
        out << e;
    }
    return out;
}

QList<PaletteEntry> collectCommands(MainWindow &window)
{
    QList<PaletteEntry> out;
    for (QAction *top : window.menuBar()->actions()) {
        if (QMenu *menu = top->menu())
            collectMenu(menu, plainText(top->text()), out);
    }
    out += collectButtons(window.rollbackSlot(), u"Header"_s);
    // The banner's buttons act on the top active alert: listed always, runnable while there is one.
    QList<PaletteEntry> alert = collectButtons(window.pageBanner(), u"Alert"_s);
    if (window.pageBanner() && !window.pageBanner()->isVisibleTo(&window)) {
        for (PaletteEntry &e : alert) {
            e.enabled = false;
            e.detail = u"no active alert"_s;
        }
    }
    out += alert;
    const QStringList titles = MainWindow::viewTitles();
    const QStringList names = MainWindow::viewNames();
    for (int i = 0; i < names.size(); ++i) {
        const QString name = names.at(i);
        QPointer<MainWindow> w(&window);
        out += collectButtons(window.viewWidget(name), titles.value(i), [w, name] {
            if (w)
                w->showView(name);
        });
    }
    for (const auto &source : window.paletteSources())
        out += source();
    return out;
}

} // namespace Raize::Ui
