#include "workspace/validationwiring.h"

#include "release/gatepolicy.h"
#include "release/promotion.h"
#include "services/github/githubjournalpublisher.h"
#include "services/prometheus/slometrics.h"
#include "workspace/workspace.h"

namespace Raize {

using namespace Qt::StringLiterals;

Release::ValidationServices validationServicesFor(Workspace &ws)
{
    Release::ValidationServices s;
    if (Services::PrometheusClient *prometheus = ws.prometheus()) {
        const QList<Slo::SloSpec> slos = ws.policy().slos();
        s.readSlos = [prometheus, slos](qint64 fromMs, qint64 toMs, std::function<void(const Result<Release::ValidationServices::SloData> &)> done) {
            // One feed per read; it deletes itself once it has answered.
            auto *feed = new Slo::SloFeed(*prometheus, slos);
            QObject::connect(feed, &Slo::SloFeed::loaded, feed, [feed, done] {
                Release::ValidationServices::SloData data = feed->data().byCohort;
                feed->deleteLater();
                done(data);
            });
            QObject::connect(feed, &Slo::SloFeed::failed, feed, [feed, done](const Error &e) {
                feed->deleteLater();
                done(e);
            });
            // One step before the window, so that its first minute is an interval inside it.
            const qint64 step = Slo::MinuteMs;
            const qint64 to = (toMs + step - 1) / step * step;
            feed->load(to, qMax<qint64>(step, to - fromMs + step), step);
        };
    }
    if (Services::GitHubClient *github = ws.github()) {
        const Records::RecordsPolicy &p = ws.policy().records();
        const Services::JournalTarget target{p.journalBranch, p.journalBase, p.journalDirectory};
        s.writeJournal = [github, target](const Records::JournalEntry &entry, std::function<void(const Result<Release::JournalWritten> &)> done) {
            Services::GitHubJournalPublisher(*github, target).append(entry, [done](const Result<Services::JournalPublication> &pub) {
                if (!pub)
                    return done(pub.error());
                done(Release::JournalWritten{pub->file, pub->branch, pub->commitUrl, pub->pull.htmlUrl, pub->alreadyThere});
            });
        };
    }
    return s;
}

Release::ValidationRun validationSeedFrom(const Release::Promotion &promotion, const QString &actor)
{
    Release::ValidationRun seed;
    const Release::ReleaseFacts &facts = promotion.facts().facts;
    if (facts.deployment.known()) {
        seed.deploymentId = facts.deployment->id;
        seed.sha = facts.deployment->sha;
        seed.url = facts.deployment->url;
    }
    if (const auto level = promotion.verdict().scope.level)
        seed.level = Release::levelName(*level);
    seed.actor = actor;
    const QString what = seed.sha.isEmpty() ? seed.deploymentId : u"%1 at %2"_s.arg(seed.deploymentId, seed.sha.left(12));
    seed.shipped << u"%1 to production (digest %2)"_s.arg(what, promotion.digest().left(12));
    if (facts.pulls.known()) {
        for (const Release::PullFact &p : *facts.pulls)
            seed.shipped << u"#%1 %2 (%3)"_s.arg(p.number).arg(p.title, p.author);
    }
    return seed;
}

Records::ReleaseEvidence releaseEvidenceOf(const Release::Promotion &promotion, const Workspace &ws)
{
    Release::EvidenceSources sources;
    sources.facts = promotion.facts().facts;
    sources.verdict = promotion.verdict();
    sources.digest = promotion.digest();
    sources.rollout = ws.policy().rollout();
    sources.cohorts = ws.policy().cohorts();
    sources.incidentsError = u"not read yet (read when the notes are drafted)"_s;
    Records::ReleaseEvidence e = Release::releaseEvidenceFrom(sources);
    e.promotedAt = QDateTime::currentDateTimeUtc();
    return e;
}

QString recordPromotion(const Release::Promotion &promotion, Workspace &ws, Release::ValidationSession &validations)
{
    QStringList said;
    const Records::ReleaseEvidence evidence = releaseEvidenceOf(promotion, ws);
    if (const Status saved = Records::EvidenceStore(Records::EvidenceStore::defaultDirectory(ws.profile())).save(evidence); !saved)
        said << u"release evidence not recorded (release notes must be drafted from a review): "_s + saved.error().toString();
    const Result<Release::ValidationRun> run = validations.start(validationSeedFrom(promotion, promotion.actorName()));
    said << (run ? u"post-release validation of %1 until %2 UTC (raize-console validate)"_s.arg(run->id, run->endsAt().toString(u"HH:mm"_s))
                 : u"post-release validation not started: %1"_s.arg(run.error().toString()));
    return said.join(u"; "_s);
}

void withOpenIncidents(Workspace &ws, Records::ReleaseEvidence evidence, std::function<void(const Records::ReleaseEvidence &)> done)
{
    Services::GitHubClient *github = ws.github();
    if (!github) {
        // Without GitHub: what was recorded with the evidence, when it was read then; else say why not.
        if (!evidence.knownIssues.lines)
            evidence.knownIssues = Records::EvidencePart::unknown(u"GitHub is not configured: the open incidents cannot be read"_s);
        return done(evidence);
    }
    github->issues({u"incident"_s}, u"open"_s, {}, [evidence, done](const Result<QList<Services::GitHubIssue>> &issues) mutable {
        if (!issues) {
            evidence.knownIssues = Records::EvidencePart::unknown(issues.error().toString());
            return done(evidence);
        }
        QStringList lines;
        for (const Services::GitHubIssue &i : *issues)
            lines << u"#%1 %2%3"_s.arg(i.number).arg(i.title, i.htmlUrl.isEmpty() ? QString() : u" (%1)"_s.arg(i.htmlUrl));
        evidence.knownIssues = Records::EvidencePart::of(lines);
        done(evidence);
    });
}

std::unique_ptr<Release::ValidationSession> validationSessionFor(Workspace &ws, const Clock &clock, QObject *parent)
{
    return std::make_unique<Release::ValidationSession>(Release::ValidationStore(Release::ValidationStore::defaultDirectory(ws.profile())),
                                                        clock, ws.policy().records(), ws.policy().slos(), validationServicesFor(ws), parent);
}

} // namespace Raize
