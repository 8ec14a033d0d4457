#include "release/effectiveconfirmer.h"

#include "core/logging.h"
#include "release/servingprobe.h"
#include "services/vercel/rollingreleaseclient.h"
#include "services/vercel/vercelclient.h"

#include <QTimer>

namespace Raize::Release {

using namespace Qt::StringLiterals;

struct EffectiveConfirmer::Run
{
    EffectiveFacts facts;
    EffectiveReport report;
    Progress progress;
    Done done;
    int pending = 0;
};

EffectiveConfirmer::EffectiveConfirmer(Services::VercelClient *vercel, ServingProbe *probe, EffectiveRules rules, const Clock *clock,
                                       QObject *parent)
    : QObject(parent)
    , m_vercel(vercel)
    , m_probe(probe)
    , m_rules(rules)
    , m_clock(clock ? clock : &Clock::system())
{
}

EffectiveConfirmer::~EffectiveConfirmer()
{
    *m_alive = false;
}

void EffectiveConfirmer::confirm(ChangeKind kind, const QString &expected, qint64 acceptedAtMs, std::optional<bool> autoAssignBefore,
                                 Progress progress, Done done)
{
    auto run = std::make_shared<Run>();
    run->facts.kind = kind;
    run->facts.expected = expected;
    run->facts.autoAssignBefore = autoAssignBefore;
    run->facts.productionDomain = m_probe ? m_probe->domain() : QString();
    run->report.kind = kind;
    run->report.expected = expected;
    run->report.acceptedAtMs = acceptedAtMs;
    run->progress = std::move(progress);
    run->done = std::move(done);
    if (!m_vercel) {
        run->report.last.state = EffectiveVerdict::State::Failed;
        run->report.last.summary = u"no Vercel project is configured, so nothing can confirm the change"_s;
        run->report.last.evidence << run->report.last.summary;
        return run->done(run->report);
    }
    round(run);
}

void EffectiveConfirmer::round(const std::shared_ptr<Run> &run)
{
    ++run->report.rounds;
    run->facts.project.reset();
    run->facts.aliases.reset();
    run->facts.probe.reset();
    run->facts.rollingRelease.reset();
    const bool abort = run->facts.kind == ChangeKind::Abort;
    // The reads of a round go out together; the round is judged when all have answered.
    run->pending = 2 + (m_probe ? 1 : 0) + (abort && m_rollingReleases ? 1 : 0);
    if (abort && !m_rollingReleases)
        run->facts.rollingRelease = Result<std::optional<Services::RollingRelease>>(
            Error::make(Error::Kind::Config, u"console"_s, u"no rolling-release client: the abort cannot be confirmed from Vercel's rolling release"_s,
                        u"Set the Vercel project in Settings so the console can read its rolling release, then retry this step."_s));
    auto alive = m_alive;
    const auto arrived = [this, alive, run] {
        if (*alive && --run->pending == 0)
            judge(run);
    };
    m_vercel->project([run, arrived](const Result<Services::VercelProject> &p) {
        run->facts.project = p;
        arrived();
    });
    m_vercel->deploymentAliases(run->facts.expected, [run, arrived](const Result<QList<Services::VercelAlias>> &a) {
        run->facts.aliases = a;
        arrived();
    });
    if (abort && m_rollingReleases) {
        m_rollingReleases->rollingRelease([run, arrived](const Result<std::optional<Services::RollingRelease>> &rr) {
            run->facts.rollingRelease = rr;
            arrived();
        });
    }
    if (m_probe) {
        m_probe->sample(m_rules.samples, [run, arrived](const Result<QList<ServingSample>> &s) {
            run->facts.probe = s;
            arrived();
        });
    }
}

void EffectiveConfirmer::judge(const std::shared_ptr<Run> &run)
{
    const EffectiveVerdict v = judgeEffective(run->facts, m_rules);
    run->report.last = v;
    const qint64 now = m_clock->nowMs();
    if (v.state == EffectiveVerdict::State::Effective) {
        run->report.effectiveAtMs = qMax(now, run->report.acceptedAtMs);
        qCInfo(lcVercel).noquote() << changeKindName(run->report.kind) << run->report.describe();
        return run->done(run->report);
    }
    if (v.state == EffectiveVerdict::State::Failed || now - run->report.acceptedAtMs >= qint64(m_rules.deadlineSeconds) * 1000)
        return run->done(run->report);
    if (run->progress)
        run->progress(v);
    auto alive = m_alive;
    const int wait = m_pollOverrideMs >= 0 ? m_pollOverrideMs : m_rules.pollSeconds * 1000;
    QTimer::singleShot(wait, this, [this, alive, run] {
        if (*alive)
            round(run);
    });
}

} // namespace Raize::Release
