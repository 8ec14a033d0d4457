#include "release/whatchanged.h"

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace Raize::Release {

namespace {

QString minutesBefore(qint64 ms)
{
    if (ms < 60000)
        return u"%1 s before the onset"_s.arg(ms / 1000);
    return u"%1 min before the onset"_s.arg(ms / 60000);
}

bool isProduction(const QString &environment)
{
    return environment.compare(u"production"_s, Qt::CaseInsensitive) == 0;
}

} // namespace

QList<RankedChange> whatChanged(const QList<Change> &changes, const PageScope &scope, qint64 onsetMs, qint64 windowMs)
{
    QList<RankedChange> out;
    for (const Change &c : changes) {
        if (c.timeMs > onsetMs || c.timeMs < onsetMs - windowMs)
            continue;
        RankedChange r;
        r.change = c;
        int &score = r.score;
        QStringList &why = r.reasons;
        switch (c.kind) {
        case Change::Kind::FlagChange:
        case Change::Kind::Deployment:
        case Change::Kind::Promotion:
        case Change::Kind::Rollback:
        case Change::Kind::CanaryStage:
            score += 10; // changes what production serves
            break;
        case Change::Kind::Release:
            score += 5;
            break;
        case Change::Kind::Merge:
            score += 3;
            why << u"a merge (serves nothing until deployed)"_s;
            break;
        case Change::Kind::Incident:
            why << u"an incident, not a change"_s;
            break;
        }

        // Where: the environment that pages.
        if (!c.environment.isEmpty() && !scope.environment.isEmpty()
            && c.environment.compare(scope.environment, Qt::CaseInsensitive) != 0) {
            score -= 40;
            why << u"another environment (%1)"_s.arg(c.environment);
        }

        // What: the flag, the cohort, the deployment, the service, the lane.
        if (!c.flag.isEmpty() && scope.flags.contains(c.flag)) {
            score += 40;
            why << u"same flag %1"_s.arg(c.flag);
        }
        const bool audience = !c.cohorts.isEmpty() || !c.clients.isEmpty();
        if (audience && (!scope.cohorts.isEmpty() || !scope.clients.isEmpty())) {
            QStringList sharedCohorts, sharedClients;
            for (const QString &cohort : c.cohorts) {
                if (scope.cohorts.contains(cohort))
                    sharedCohorts << cohort;
            }
            for (const QString &client : c.clients) {
                if (scope.clients.contains(client))
                    sharedClients << client;
            }
            if (!sharedCohorts.isEmpty()) {
                score += 30;
                why << u"same cohort %1"_s.arg(sharedCohorts.join(u", "_s));
            } else if (!sharedClients.isEmpty()) {
                score += 30;
                why << u"reaches the paging cohort's %1"_s.arg(sharedClients.join(u", "_s));
            } else {
                score -= 30;
                why << u"another cohort (%1)"_s.arg((c.cohorts + c.clients).join(u", "_s));
            }
        } else if (c.kind == Change::Kind::FlagChange && !audience && (c.environment.isEmpty() || isProduction(c.environment))) {
            score += 10;
            why << u"reaches every cohort"_s;
        }
        if (!c.deploymentId.isEmpty() && c.deploymentId == scope.deploymentId) {
            score += 40;
            why << u"the deployment serving at the onset (%1)"_s.arg(c.deploymentId);
        }
        if (!c.service.isEmpty() && !scope.service.isEmpty()) {
            if (c.service == scope.service) {
                score += 25;
                why << u"same service %1"_s.arg(c.service);
            } else {
                score -= 25;
                why << u"another service (%1)"_s.arg(c.service);
            }
        }
        if (!c.lane.isEmpty() && !scope.lane.isEmpty()) {
            if (c.lane == scope.lane) {
                score += 15;
                why << u"same lane %1"_s.arg(c.lane);
            } else {
                score -= 15;
                why << u"another lane (%1)"_s.arg(c.lane);
            }
        }

        // When: nearer the onset ranks higher, by up to 10.
        const qint64 age = onsetMs - c.timeMs;
        if (windowMs > 0)
            score += int(std::lround(10.0 * double(windowMs - age) / double(windowMs)));
        why << minutesBefore(age);
        out << r;
    }
    std::stable_sort(out.begin(), out.end(), [](const RankedChange &a, const RankedChange &b) {
        if (a.score != b.score)
            return a.score > b.score;
        return a.change.timeMs > b.change.timeMs;
    });
    return out;
}

QString describeRanking(const QList<RankedChange> &ranked)
{
    QStringList lines;
    for (qsizetype i = 0; i < ranked.size(); ++i)
        lines << u"%1. [%2] %3 — %4"_s.arg(i + 1).arg(ranked[i].score).arg(ranked[i].change.title, ranked[i].reason());
    return lines.join(u'\n');
}

} // namespace Raize::Release
