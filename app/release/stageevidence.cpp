#include "release/stageevidence.h"

#include <QDateTime>

#include <algorithm>
#include <cmath>
#include <limits>

namespace Raize::Release {

using namespace Qt::StringLiterals;

namespace {

QString percent(double ratio)
{
    return std::isfinite(ratio) ? QString::number(ratio * 100, 'f', 2) + u" %"_s : u"∞"_s;
}

QString count(double v)
{
    return QString::number(qint64(std::llround(v)));
}

} // namespace

QString StageEvidence::stateName(State state)
{
    switch (state) {
    case State::Ok:
        return u"ok"_s;
    case State::Hold:
        return u"hold"_s;
    case State::Unknown:
        return u"unknown"_s;
    }
    return {};
}

QString StageEvidence::line() const
{
    QString out = u"%1 — %2: %3"_s.arg(stateName(state), subject, detail);
    if (!since.isEmpty())
        out += u" (since %1)"_s.arg(since);
    if (!query.isEmpty())
        out += u" [query: %1]"_s.arg(query);
    if (!url.isEmpty())
        out += u" <%1>"_s.arg(url);
    return out;
}

QList<StageEvidence> judgeFriction(const FrictionPolicy &policy, const QStringList &cohorts, const QHash<QString, double> &attempts,
                                   const std::optional<FrictionFacts> &facts)
{
    static const QStringList kinds = {u"rate limit"_s, u"checkpoint"_s};
    QList<StageEvidence> out;
    StageEvidence unknown;
    unknown.state = StageEvidence::State::Unknown;
    unknown.kind = u"friction"_s;
    unknown.subject = u"enforcement friction"_s;
    if (!facts) {
        unknown.detail = u"not read: the platform's rate-limit and checkpoint counters are unknown, so the stage cannot be judged"_s;
        return {unknown};
    }
    const QString since = facts->sinceMs > 0 ? QDateTime::fromMSecsSinceEpoch(facts->sinceMs, Qt::UTC).toString(Qt::ISODate) : QString();
    if (!facts->error.isEmpty()) {
        unknown.detail = u"Prometheus could not answer (%1): unknown friction is not \"none\""_s.arg(facts->error);
        unknown.query = facts->queries.join(u"; "_s);
        unknown.since = since;
        return {unknown};
    }
    for (const QString &cohort : cohorts) {
        const double tries = attempts.value(cohort);
        for (qsizetype k = 0; k < kinds.size(); ++k) {
            const QString &kind = kinds.at(k);
            double events = 0;
            QString worst;
            for (const FrictionCount &c : facts->counts) {
                if (c.cohort != cohort || c.kind != kind)
                    continue;
                events += c.events;
                if (worst.isEmpty())
                    worst = c.worst;
            }
            const double ratio = tries > 0 ? events / tries : (events > 0 ? std::numeric_limits<double>::infinity() : 0.0);
            StageEvidence e;
            e.kind = u"friction"_s;
            e.subject = u"%1: %2s"_s.arg(cohort, kind);
            e.query = facts->queries.value(k);
            e.since = since;
            const bool hold = events >= policy.minCount && ratio > policy.maxRatio;
            e.state = hold ? StageEvidence::State::Hold : StageEvidence::State::Ok;
            e.detail = u"%1 in %2 publish attempts (%3; the policy holds over %4 with at least %5)"_s.arg(count(events), count(tries), percent(ratio),
                                                                                                      percent(policy.maxRatio), count(policy.minCount));
            if (events > 0 && !worst.isEmpty())
                e.detail += u", most on %1"_s.arg(worst);
            out << e;
        }
    }
    return out;
}

QString smokeState(const QString &status, const QString &conclusion)
{
    if (!status.isEmpty() && status != u"completed"_s)
        return u"pending"_s; // a check run queued or in progress
    if (conclusion == u"success"_s)
        return u"success"_s;
    if (conclusion == u"pending"_s || (status.isEmpty() && conclusion.isEmpty()))
        return u"pending"_s; // a commit status not yet reported
    return u"failure"_s;
}

QList<StageEvidence> judgeSmoke(const QStringList &required, const std::optional<SmokeFacts> &facts)
{
    QList<StageEvidence> out;
    for (const QString &name : required) {
        StageEvidence e;
        e.kind = u"smoke"_s;
        e.subject = u"smoke check \"%1\""_s.arg(name);
        if (!facts) {
            e.state = StageEvidence::State::Unknown;
            e.detail = u"not read: a smoke check nobody read is not a pass"_s;
            out << e;
            continue;
        }
        const QString where = facts->commit.isEmpty() ? u"the staging commit"_s
                                                      : u"commit %1%2"_s.arg(facts->commit.left(7),
                                                                             facts->deployment.isEmpty() ? QString() : u" (%1)"_s.arg(facts->deployment));
        if (!facts->error.isEmpty()) {
            e.state = StageEvidence::State::Unknown;
            e.detail = u"unknown on %1: %2 — never a pass"_s.arg(where, facts->error);
            out << e;
            continue;
        }
        const auto found = std::find_if(facts->checks.cbegin(), facts->checks.cend(),
                                        [&](const SmokeCheck &c) { return c.name.compare(name, Qt::CaseInsensitive) == 0; });
        if (found == facts->checks.cend()) {
            e.state = StageEvidence::State::Hold;
            e.detail = u"missing on %1: the staging smoke test did not report (run it on staging, or fix its name in rollout.deploymentAxis.smokeChecks)"_s.arg(where);
            out << e;
            continue;
        }
        e.url = found->url;
        if (found->state == u"success"_s) {
            e.state = StageEvidence::State::Ok;
            e.detail = u"passed on %1"_s.arg(where);
        } else if (found->state == u"pending"_s) {
            e.state = StageEvidence::State::Unknown;
            e.detail = u"still running on %1 (%2): not a pass yet"_s.arg(where, found->result.isEmpty() ? u"pending"_s : found->result);
        } else {
            e.state = StageEvidence::State::Hold;
            e.detail = u"failed on %1 (%2)"_s.arg(where, found->result.isEmpty() ? u"failure"_s : found->result);
        }
        out << e;
    }
    return out;
}

} // namespace Raize::Release
