#include "palette/palettesources.h"

#include "canary/flagsmodel.h"
#include "canary/flagspane.h"
#include "palette/commandcollector.h"
#include "timeline/timelinemodel.h"
#include "timeline/timelineview.h"

#include <QAbstractButton>
#include <QAction>
#include <QDateTime>
#include <QPointer>
#include <QTableView>
#include <QTreeView>

namespace Raize::Ui {

using namespace Qt::StringLiterals;

const QStringList &productionControls()
{
    static const QStringList names = {
        u"rollbackButton"_s,      // the big red button (header)
        u"openRollback"_s,        // Rollback view: open the rollback dialog
        u"promotionApprove"_s,    // approves the production environment's deployment
        u"promotionPromote"_s,    // promotes the candidate to production
        u"matrixTurnOnButton"_s,  // toggle matrix: a flag on for a production scope
        u"matrixTurnOffButton"_s, // toggle matrix: a flag off for a production scope
        u"autoPacingArmButton"_s, // arms auto-pacing (it changes production flags by itself)
        u"canaryStart"_s,         // two-axis canary: a rolling release of a deployment at stage 1
        u"canaryAdvance"_s,       // two-axis canary: the next stage's traffic and cohorts
        u"canaryAbort"_s,         // two-axis canary: its abort plan (all traffic back to current)
    };
    return names;
}

QStringList markProductionControls(MainWindow &window)
{
    QStringList missing;
    for (const QString &name : productionControls()) {
        QObject *control = window.findChild<QAbstractButton *>(name);
        if (!control)
            control = window.findChild<QAction *>(name);
        if (!control) {
            missing << name;
            continue;
        }
        control->setProperty(ChangesProductionProperty, true);
    }
    return missing;
}

MainWindow::PaletteSource timelineTargets(MainWindow &window, TimelineView *timeline, int limit)
{
    QPointer<MainWindow> w(&window);
    QPointer<TimelineView> view(timeline);
    return [w, view, limit] {
        QList<PaletteEntry> out;
        if (!w || !view)
            return out;
        const TimelineModel *model = view->model();
        using K = TimelineEvent::Kind;
        for (int row = model->rowCount() - 1; row >= 0 && out.size() < limit; --row) {
            const TimelineEvent &e = model->event(row);
            if (e.kind != K::Deployment && e.kind != K::Rollback && e.kind != K::Incident && e.kind != K::Promotion)
                continue;
            PaletteEntry p;
            p.kind = PaletteEntry::Kind::Target;
            p.id = u"target:timeline:%1:%2"_s.arg(e.timeMs).arg(e.title);
            p.title = u"%1 %2"_s.arg(TimelineEvent::kindName(e.kind), e.title);
            p.detail = u"Timeline · %1 · %2"_s.arg(e.environment.isEmpty() ? e.service : e.environment,
                                                   QDateTime::fromMSecsSinceEpoch(e.timeMs).toString(u"yyyy-MM-dd HH:mm"_s));
            p.run = [w, view, row] {
                if (!w || !view)
                    return;
                w->showView(u"timeline"_s);
                const QModelIndex source = view->model()->index(row, 0);
                const QModelIndex shown = view->filterModel()->mapFromSource(source);
                if (shown.isValid()) {
                    view->list()->setCurrentIndex(shown);
                    view->list()->scrollTo(shown);
                    view->list()->setFocus(Qt::ShortcutFocusReason);
                }
            };
            out << p;
        }
        return out;
    };
}

MainWindow::PaletteSource flagTargets(MainWindow &window, FlagsPane *flags)
{
    QPointer<MainWindow> w(&window);
    QPointer<FlagsPane> pane(flags);
    return [w, pane] {
        QList<PaletteEntry> out;
        if (!w || !pane)
            return out;
        const FlagsModel *model = pane->model();
        for (int row = 0; row < model->rowCount(); ++row) {
            const QString key = model->data(model->index(row, FlagsModel::Key)).toString();
            const QString state = model->data(model->index(row, FlagsModel::State)).toString();
            if (key.isEmpty())
                continue;
            PaletteEntry p;
            p.kind = PaletteEntry::Kind::Target;
            p.id = u"target:flag:"_s + key;
            p.title = u"Flag %1"_s.arg(key);
            p.detail = u"Canary · %1%2"_s.arg(state, model->data(model->index(row, 0), FlagsModel::SideEffectRole).toBool()
                                                           ? u" · side effect"_s
                                                           : QString());
            p.run = [w, pane, key] {
                if (!w || !pane)
                    return;
                w->showView(u"canary"_s);
                auto *table = pane->findChild<QTableView *>(u"flagsTable"_s);
                const FlagsModel *m = pane->model();
                for (int r = 0; table && r < m->rowCount(); ++r) {
                    if (m->data(m->index(r, FlagsModel::Key)).toString() == key) {
                        table->setCurrentIndex(table->model()->index(r, 0));
                        table->scrollTo(table->currentIndex());
                        table->setFocus(Qt::ShortcutFocusReason);
                        break;
                    }
                }
            };
            out << p;
        }
        return out;
    };
}

} // namespace Raize::Ui
