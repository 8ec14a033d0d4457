#include "release/factscollector.h"

#include "records/changelog.h"
#include "records/changeloglinter.h"
#include "release/migrationsource.h"
#include "services/prometheus/slometrics.h"

#include <QDateTime>
#include "services/flags/flagservice.h"
#include "services/github/githubclient.h"
#include "services/vercel/vercelclient.h"

#include <QFile>
#include <QHash>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Raize::Release {

using namespace Raize::Services;

struct FactsCollector::Run
{
    QString deploymentId;
    std::function<void(const CollectedFacts &)> done;
    CollectedFacts out;
    int pending = 0;
    bool deploymentRead = false, projectRead = false, budgetsAsked = false;
    QString productionError;
};

FactsCollector::FactsCollector(GatePolicy policy, Sources sources, QObject *parent)
    : QObject(parent)
    , m_policy(std::move(policy))
    , m_sources(std::move(sources))
{
}

FactsCollector::~FactsCollector() = default;

bool FactsCollector::busy() const
{
    return m_current && m_current->pending > 0;
}

namespace {

QList<ChangelogFact> entriesOf(const Records::ChangelogSection &section)
{
    QList<ChangelogFact> out;
    for (const Records::ChangelogCategory &c : section.categories) {
        for (const Records::ChangelogEntry &e : c.entries) {
            if (e.placeholder) // "Nothing yet!" records no change: the gate still says "no entry"
                continue;
            ChangelogFact f;
            f.title = e.title.isEmpty() ? e.text : e.title;
            f.line = e.line;
            for (const Records::ChangelogField &field : e.fields) {
                // The policy's names ("Risk") match the changelog's whatever their case.
                QString name = field.name;
                for (const QString &known : Records::ChangelogDocument::requiredFields()) {
                    if (known.compare(name, Qt::CaseInsensitive) == 0)
                        name = known;
                }
                f.fields.insert(name, field.value);
            }
            out << f;
        }
    }
    return out;
}

} // namespace

FactsCollector::BudgetSource FactsCollector::sloBudgetsFrom(Slo::SloFeed *feed)
{
    if (!feed)
        return {};
    QPointer<Slo::SloFeed> guard(feed);
    return [guard](std::function<void(const Known<QMap<QString, double>> &)> done) {
        if (!guard)
            return done(Known<QMap<QString, double>>::missing(u"the SLO feed is gone (the profile's connections changed)"_s));
        Slo::readBudgets(*guard, QDateTime::currentMSecsSinceEpoch(), [done](const Result<QMap<QString, double>> &b) {
            done(b ? Known<QMap<QString, double>>::of(*b) : Known<QMap<QString, double>>::missing(b.error().toString()));
        });
    };
}

QList<ChangelogFact> FactsCollector::unreleasedEntries(const QString &changelogText)
{
    const Records::ChangelogDocument doc = Records::ChangelogDocument::parse(changelogText);
    const Records::ChangelogSection *section = doc.unreleased();
    return section ? entriesOf(*section) : QList<ChangelogFact>{};
}

FactsCollector::ChangelogRead FactsCollector::releaseEntries(const QString &candidateText, const std::optional<QString> &productionText,
                                                             const QString &file, const QString &commit)
{
    ChangelogRead out;
    out.origin.file = file;
    out.origin.commit = commit;
    out.origin.section = u"[Unreleased]"_s;
    const Records::ChangelogDocument doc = Records::ChangelogDocument::parse(candidateText);
    const Records::ChangelogSection *section = doc.unreleased();
    if (!section || entriesOf(*section).isEmpty()) {
        // Not in [Unreleased]: the version the candidate cut, i.e. its newest release that production's file has not.
        const QList<const Records::ChangelogSection *> releases = doc.releases();
        const Records::ChangelogSection *newest = releases.isEmpty() ? nullptr : releases.first();
        for (const Records::ChangelogSection *r : releases) {
            if (r->looseVersion && (!newest->looseVersion || *newest->looseVersion < *r->looseVersion))
                newest = r;
        }
        std::optional<Records::ChangelogDocument> production;
        if (productionText)
            production = Records::ChangelogDocument::parse(*productionText);
        if (newest && (!production || !production->section(newest->versionText)))
            section = newest;
    }
    if (!section)
        return out;
    if (!section->unreleased)
        out.origin.section = u"[%1]"_s.arg(section->versionText);
    out.entries = entriesOf(*section);
    // The playbook's rules always (never the Keep-a-Changelog-only mode): its errors inside the section, with the
    // candidate file's lines. Missing §8.6 fields and titles the gate says itself, per entry; compare links
    // (KAC014, KAC015, KAC022–KAC024) say nothing about what is released and stay `changelog lint`'s business.
    static const QStringList notTheGates = {u"RZ001"_s,  u"RZ002"_s,  u"RZ003"_s,  u"RZ004"_s, u"KAC014"_s,
                                            u"KAC015"_s, u"KAC022"_s, u"KAC023"_s, u"KAC024"_s};
    for (const Records::Diagnostic &d : Records::ChangelogLinter::lint(doc, Records::ChangelogLinter::Rules::Playbook)) {
        if (d.severity != Records::Diagnostic::Severity::Error || d.line < section->line || d.line > section->endLine
            || notTheGates.contains(d.code))
            continue;
        out.origin.problems << u"%1:%2: %3 [%4]"_s.arg(out.origin.where()).arg(d.line).arg(d.message, d.code);
    }
    return out;
}

QList<CommitFact> FactsCollector::unmappedCommits(const QList<GitHubCommit> &commits, const QList<GitHubPullRequest> &merged)
{
    static const QRegularExpression ref(u"\\(#(\\d+)\\)"_s);
    QSet<QString> prShas;
    QSet<int> numbers;
    for (const GitHubPullRequest &p : merged) {
        if (!p.merged())
            continue;
        numbers.insert(p.number);
        if (!p.mergeCommitSha.isEmpty())
            prShas.insert(p.mergeCommitSha);
        if (!p.headSha.isEmpty())
            prShas.insert(p.headSha);
    }
    QHash<QString, qsizetype> index;
    for (qsizetype i = 0; i < commits.size(); ++i)
        index.insert(commits[i].sha, i);
    const auto mapsItself = [&](const GitHubCommit &c) {
        if (prShas.contains(c.sha))
            return true;
        auto it = ref.globalMatch(c.message.section(u'\n', 0, 0));
        while (it.hasNext()) {
            if (numbers.contains(it.next().captured(1).toInt()))
                return true;
        }
        return false;
    };

    // The head's first-parent line: what was pushed or merged onto the branch, one commit at a time.
    // Without parents in the answer every commit has to map on its own.
    QSet<QString> mainline;
    const bool withParents = std::any_of(commits.cbegin(), commits.cend(), [](const GitHubCommit &c) { return !c.parents.isEmpty(); });
    if (!withParents || commits.isEmpty()) {
        for (const GitHubCommit &c : commits)
            mainline.insert(c.sha);
    } else {
        QString at = commits.last().sha;
        while (index.contains(at) && !mainline.contains(at)) {
            mainline.insert(at);
            at = commits[index.value(at)].parents.value(0);
        }
    }
    QSet<QString> covered;
    for (const GitHubCommit &c : commits) {
        if (mapsItself(c))
            covered.insert(c.sha);
    }
    // A covered merge commit brings its branch's commits with it (they were reviewed in its pull request).
    QList<QString> todo;
    for (const GitHubCommit &c : commits) {
        if (mainline.contains(c.sha) && covered.contains(c.sha))
            todo << c.parents.mid(1);
    }
    QSet<QString> walked;
    while (!todo.isEmpty()) {
        const QString sha = todo.takeLast();
        if (!index.contains(sha) || mainline.contains(sha) || walked.contains(sha))
            continue;
        walked.insert(sha);
        covered.insert(sha);
        todo << commits[index.value(sha)].parents;
    }
    QList<CommitFact> out;
    for (const GitHubCommit &c : commits) {
        if (!covered.contains(c.sha))
            out << CommitFact{c.sha, c.message.section(u'\n', 0, 0).trimmed()};
    }
    return out;
}

void FactsCollector::finishOne(const std::shared_ptr<Run> &run)
{
    if (--run->pending > 0)
        return;
    if (run != m_current)
        return;
    ReleaseFacts &f = run->out.facts;
    // Every other fact is in: read the 30-day budgets (Prometheus, heavy) only for an L3 release that affects a mapped SLO.
    if (m_sources.sloBudgets && !run->budgetsAsked) {
        const ReleaseScope scope = scopeOf(m_policy, f);
        if (scope.level == Level::L3 && !affectedSlos(m_policy, scope, f).isEmpty()) {
            run->budgetsAsked = true;
            ++run->pending;
            QPointer<FactsCollector> self(this);
            m_sources.sloBudgets([self, run](const Known<QMap<QString, double>> &budgets) {
                if (!self)
                    return;
                run->out.facts.sloBudgets = budgets;
                self->finishOne(run);
            });
            return;
        }
    }
    // Vercel shows a deployment's checks on the deployment: the same evidence link.
    if (f.deploymentChecks.evidence.isEmpty())
        f.deploymentChecks.evidence = f.deployment.evidence;
    const auto done = run->done;
    const CollectedFacts out = run->out;
    m_current.reset();
    done(out);
}

void FactsCollector::collect(const QString &deploymentId, std::function<void(const CollectedFacts &)> done)
{
    auto run = std::make_shared<Run>();
    run->deploymentId = deploymentId;
    run->done = std::move(done);
    m_current = run;
    ReleaseFacts &f = run->out.facts;
    QPointer<FactsCollector> self(this);
    const QString notConfigured = u"GitHub is not configured for this profile (settings github/api-url, owner, repo)"_s;

    // The guard: every callback below ends in finishOne; the first pending
    // count covers this function itself so that synchronous answers cannot finish early.
    run->pending = 1;

    // The changelog is read at the candidate commit (readChangelog), never from a local folder.
    if (!m_sources.github)
        f.changelog = Known<QList<ChangelogFact>>::missing(notConfigured);
    if (m_sources.changelogPath.isEmpty())
        m_sources.changelogPath = m_policy.changelogPath;
    f.changelogOrigin.file = m_sources.changelogPath;
    if (!m_sources.github)
        f.migrationReport = Known<MigrationReport>::missing(notConfigured);
    // The error budgets are read last, and only when the gate needs them (finishOne): an L3 release touching a mapped SLO.
    f.sloBudgets = Known<QMap<QString, double>>::missing(m_sources.sloBudgets ? u"not read: the release is not L3 or touches no mapped SLO"_s
                                                                              : u"no SLO source is configured for this profile (Prometheus)"_s);
    f.maintenanceWindow = m_sources.maintenanceWindow;

    ++run->pending;
    m_sources.vercel->deployment(deploymentId, [self, run](const Result<VercelDeployment> &d) {
        if (!self)
            return;
        ReleaseFacts &f = run->out.facts;
        if (d) {
            CandidateDeployment c{d->id, d->sha, d->state, d->url, d->target, d->created.toMSecsSinceEpoch(), d->ref};
            f.deployment = Known<CandidateDeployment>::of(c, d->url.isEmpty() ? QString() : u"https://"_s + d->url);
        } else {
            f.deployment = Known<CandidateDeployment>::missing(d.error().toString());
        }
        run->deploymentRead = true;
        self->afterDeployment(run);
        self->finishOne(run);
    });

    ++run->pending;
    m_sources.vercel->project([self, run](const Result<VercelProject> &p) {
        if (!self)
            return;
        ReleaseFacts &f = run->out.facts;
        const QString settings = self->m_sources.vercelProjectUrl;
        if (p && p->production) {
            f.productionDeploymentId = p->production->id;
            f.productionSha = p->production->sha;
        } else {
            run->productionError = p ? u"vercel: the project has no production deployment"_s : p.error().toString();
        }
        if (p) {
            f.pin = PinFact{p->pinned, p->rollbackFrom, p->rollbackTo, p->rollbackDescription, p->autoAssignCustomDomains};
            f.deploymentProtection = Known<DeploymentProtectionFact>::of({p->ssoProtection, p->passwordProtection, p->trustedIps},
                                                                         settings.isEmpty() ? QString() : settings + u"/settings/deployment-protection"_s);
            f.retention = Known<RetentionFact>::of({p->retentionSet, p->expirationDaysProduction, p->deploymentsToKeep},
                                                   settings.isEmpty() ? QString() : settings + u"/settings/security"_s);
        } else {
            f.deploymentProtection = Known<DeploymentProtectionFact>::missing(p.error().toString());
            f.retention = Known<RetentionFact>::missing(p.error().toString());
        }
        run->projectRead = true;
        self->compareAndPulls(run);
        self->finishOne(run);
    });

    ++run->pending;
    m_sources.vercel->checks(deploymentId, [self, run](const Result<QList<VercelCheck>> &checks) {
        if (!self)
            return;
        ReleaseFacts &f = run->out.facts;
        if (checks) {
            QList<CheckFact> list;
            for (const VercelCheck &c : *checks)
                list << CheckFact{c.name, c.status, c.conclusion, {}, 0};
            f.deploymentChecks = Known<QList<CheckFact>>::of(list);
        } else {
            f.deploymentChecks = Known<QList<CheckFact>>::missing(checks.error().toString());
        }
        self->finishOne(run);
    });

    if (m_sources.flags) {
        ++run->pending;
        m_sources.flags->listFlags(m_policy.flagEnvironment, [self, run](const Result<QList<FlagState>> &flags) {
            if (!self)
                return;
            ReleaseFacts &f = run->out.facts;
            if (flags) {
                QMap<QString, bool> map;
                for (const FlagState &s : *flags)
                    map.insert(s.key, s.enabled);
                f.productionFlags = Known<QMap<QString, bool>>::of(map);
            } else {
                f.productionFlags = Known<QMap<QString, bool>>::missing(flags.error().toString());
            }
            self->finishOne(run);
        });
    } else {
        f.productionFlags = Known<QMap<QString, bool>>::missing(u"no flag service is configured for this profile"_s);
    }

    if (m_sources.github) {
        ++run->pending;
        const QString evidence = m_sources.githubHtml + u"/settings/branches"_s;
        m_sources.github->requiredChecks(m_policy.branch, [self, run, evidence](const Result<GitHubRequiredChecks> &p) {
            if (!self)
                return;
            ReleaseFacts &f = run->out.facts;
            if (p)
                f.protection = Known<ProtectionFact>::of({p->unprotected, p->contexts, p->strict, p->requiredApprovals, p->allowForcePushes},
                                                         evidence);
            else
                f.protection = Known<ProtectionFact>::missing(p.error().toString(), evidence);
            self->finishOne(run);
        });
    } else {
        f.protection = Known<ProtectionFact>::missing(notConfigured);
        f.checks = Known<QList<CheckFact>>::missing(notConfigured);
        f.pulls = Known<QList<PullFact>>::missing(notConfigured);
        f.changedFiles = Known<QStringList>::missing(notConfigured);
        run->out.pending.error = notConfigured;
    }
    finishOne(run);
}

void FactsCollector::afterDeployment(const std::shared_ptr<Run> &run)
{
    ReleaseFacts &f = run->out.facts;
    if (!m_sources.github)
        return;
    if (!f.deployment.known() || f.deployment->sha.isEmpty()) {
        const QString why = f.deployment.known() ? u"the deployment carries no commit SHA"_s
                                                 : u"the deployment could not be read: "_s + f.deployment.error;
        f.checks = Known<QList<CheckFact>>::missing(why);
        run->out.pending.error = why;
        compareAndPulls(run);
        return;
    }
    const QString sha = f.deployment->sha;
    const QString evidence = m_sources.githubHtml + u"/commit/"_s + sha + u"/checks"_s;
    QPointer<FactsCollector> self(this);

    // Check runs and commit statuses together make the "status checks" of branch protection.
    auto runs = std::make_shared<std::optional<Result<QList<GitHubCheckRun>>>>();
    auto statuses = std::make_shared<std::optional<Result<GitHubCombinedStatus>>>();
    const auto combine = [self, run, runs, statuses, evidence]() {
        if (!runs->has_value() || !statuses->has_value())
            return;
        ReleaseFacts &f = run->out.facts;
        const auto &r = **runs;
        const auto &s = **statuses;
        if (!r) {
            f.checks = Known<QList<CheckFact>>::missing(r.error().toString(), evidence);
        } else if (!s) {
            f.checks = Known<QList<CheckFact>>::missing(s.error().toString(), evidence);
        } else {
            QList<CheckFact> list;
            QSet<QString> names;
            for (const GitHubCheckRun &c : *r) {
                if (names.contains(c.name.toLower()))
                    continue; // newest first: the latest run of a name decides
                names.insert(c.name.toLower());
                list << CheckFact{c.name, c.status, c.conclusion, evidence, 0};
            }
            for (const GitHubStatusContext &c : s->contexts) {
                if (names.contains(c.context.toLower()))
                    continue;
                names.insert(c.context.toLower());
                const bool done = c.state != u"pending"_s;
                list << CheckFact{c.context, done ? u"completed"_s : u"in_progress"_s, done ? c.state : QString(),
                                  c.targetUrl.isEmpty() ? evidence : c.targetUrl, 0};
            }
            f.checks = Known<QList<CheckFact>>::of(list, evidence);
        }
    };
    run->pending += 2;
    m_sources.github->checkRuns(sha, [self, run, runs, combine](const Result<QList<GitHubCheckRun>> &r) {
        if (!self)
            return;
        *runs = r;
        combine();
        self->finishOne(run);
    });
    m_sources.github->combinedStatus(sha, [self, run, statuses, combine](const Result<GitHubCombinedStatus> &s) {
        if (!self)
            return;
        *statuses = s;
        combine();
        self->finishOne(run);
    });

    // The environment review the promotion waits on.
    ++run->pending;
    m_sources.github->workflowRuns(sha, [self, run](const Result<QList<GitHubWorkflowRun>> &wr) {
        if (!self)
            return;
        if (!wr) {
            run->out.pending.error = wr.error().toString();
            return self->finishOne(run);
        }
        qint64 waiting = 0;
        for (const GitHubWorkflowRun &w : *wr) {
            if (w.status == u"waiting"_s) {
                waiting = w.id;
                break;
            }
        }
        if (waiting == 0)
            return self->finishOne(run);
        self->m_sources.github->pendingDeployments(waiting, [self, run, waiting](const Result<QList<GitHubPendingDeployment>> &pd) {
            if (!self)
                return;
            if (!pd) {
                run->out.pending.error = pd.error().toString();
            } else {
                for (const GitHubPendingDeployment &p : *pd) {
                    if (p.environment != self->m_policy.promotionEnvironment)
                        continue;
                    PendingReview &r = run->out.pending;
                    r.runId = waiting;
                    r.environment = p.environment;
                    r.environmentIds << p.environmentId;
                    r.reviewers = p.reviewers;
                    r.currentUserCanApprove = p.currentUserCanApprove;
                    r.sinceMs = p.waitTimerStartedAt.isValid() ? p.waitTimerStartedAt.toMSecsSinceEpoch() : 0;
                }
            }
            self->finishOne(run);
        });
    });
    compareAndPulls(run);
}

void FactsCollector::compareAndPulls(const std::shared_ptr<Run> &run)
{
    if (!run->deploymentRead || !run->projectRead || !m_sources.github)
        return;
    readChangelog(run);
    readMigrations(run);
    ReleaseFacts &f = run->out.facts;
    if (!f.deployment.known() || f.productionSha.isEmpty()) {
        const QString why = !f.deployment.known() ? u"the candidate deployment could not be read"_s
                                                  : u"what production serves is not known: "_s + run->productionError;
        f.pulls = Known<QList<PullFact>>::missing(why);
        f.changedFiles = Known<QStringList>::missing(why);
        return;
    }
    const QString base = f.productionSha, head = f.deployment->sha;
    const QString compareUrl = m_sources.githubHtml + u"/compare/"_s + base + u"..."_s + head;
    QPointer<FactsCollector> self(this);
    ++run->pending;
    m_sources.github->compare(base, head, [self, run, compareUrl](const Result<GitHubComparison> &c) {
        if (!self)
            return;
        ReleaseFacts &f = run->out.facts;
        if (!c) {
            f.changedFiles = Known<QStringList>::missing(c.error().toString(), compareUrl);
            f.pulls = Known<QList<PullFact>>::missing(u"the comparison with production failed: "_s + c.error().toString(), compareUrl);
            return self->finishOne(run);
        }
        f.changedFiles = Known<QStringList>::of(c->files, compareUrl);
        if (c->totalCommits > c->commits.size()) {
            // Commits the console did not read cannot be mapped to pull requests: no level, no reviews.
            f.pulls = Known<QList<PullFact>>::missing(
                u"GitHub's comparison has %1 commits and the console read %2; the rest cannot be mapped to pull requests"_s.arg(c->totalCommits)
                    .arg(c->commits.size()),
                compareUrl);
            return self->finishOne(run);
        }
        // The pull requests of the range: merge commits in it, and "(#123)" in squash-merge messages.
        QSet<QString> shas;
        QList<int> mentioned;
        static const QRegularExpression ref(u"\\(#(\\d+)\\)"_s);
        for (const GitHubCommit &commit : c->commits) {
            shas.insert(commit.sha);
            auto it = ref.globalMatch(commit.message.section(u'\n', 0, 0));
            while (it.hasNext()) {
                const int n = it.next().captured(1).toInt();
                if (!mentioned.contains(n))
                    mentioned << n;
            }
        }
        const QString html = self->m_sources.githubHtml;
        const QList<GitHubCommit> commits = c->commits;
        self->m_sources.github->pullRequests(u"closed"_s, [self, run, shas, mentioned, html, compareUrl, commits](const Result<GitHubPullRequests> &prs) {
            if (!self)
                return;
            ReleaseFacts &f = run->out.facts;
            if (!prs) {
                f.pulls = Known<QList<PullFact>>::missing(prs.error().toString(), compareUrl);
                return self->finishOne(run);
            }
            QList<PullFact> list;
            QList<int> found;
            QList<GitHubPullRequest> merged;
            for (const GitHubPullRequest &p : prs->items) {
                if (!p.merged() || !(shas.contains(p.mergeCommitSha) || shas.contains(p.headSha) || mentioned.contains(p.number)))
                    continue;
                merged << p;
                QStringList labels;
                for (const GitHubLabel &l : p.labels)
                    labels << l.name;
                list << PullFact{p.number, p.title, p.author, html + u"/pull/"_s + QString::number(p.number), labels, std::nullopt};
                found << p.number;
            }
            if (prs->truncated) {
                QStringList missing;
                for (int n : mentioned) {
                    if (!found.contains(n))
                        missing << u"#%1"_s.arg(n);
                }
                if (!missing.isEmpty()) {
                    f.pulls = Known<QList<PullFact>>::missing(
                        u"GitHub listed more closed pull requests than the console reads; %1 not found"_s.arg(missing.join(u", "_s)), compareUrl);
                    return self->finishOne(run);
                }
            }
            std::sort(list.begin(), list.end(), [](const PullFact &a, const PullFact &b) { return a.number < b.number; });
            f.pulls = Known<QList<PullFact>>::of(list, compareUrl);
            f.unmappedCommits = unmappedCommits(commits, merged);
            self->finishOne(run);
        });
    });
}

void FactsCollector::readChangelog(const std::shared_ptr<Run> &run)
{
    ReleaseFacts &f = run->out.facts;
    const QString path = m_sources.changelogPath;
    if (!f.deployment.known() || f.deployment->sha.isEmpty()) {
        f.changelog = Known<QList<ChangelogFact>>::missing(
            u"%1 cannot be read at the candidate commit: %2"_s.arg(path, f.deployment.known() ? u"the deployment carries no commit SHA"_s
                                                                                              : f.deployment.error));
        return;
    }
    const QString head = f.deployment->sha, base = f.productionSha;
    f.changelogOrigin.commit = head;
    const QString evidence = m_sources.githubHtml + u"/blob/"_s + head + u'/' + path;
    // Both files side by side: the candidate's says what is released, production's which version is new.
    auto candidate = std::make_shared<std::optional<Result<Services::GitHubContent>>>();
    auto production = std::make_shared<std::optional<Result<Services::GitHubContent>>>();
    const bool readProduction = !base.isEmpty();
    QPointer<FactsCollector> self(this);
    const auto decide = [self, run, candidate, production, readProduction, path, head, evidence]() {
        if (!candidate->has_value() || (readProduction && !production->has_value()))
            return;
        ReleaseFacts &f = run->out.facts;
        const Result<Services::GitHubContent> &c = **candidate;
        if (!c) {
            const QString why = c.error().httpStatus == 404 ? u"%1 does not exist at %2 (GitHub 404)"_s.arg(path, head.left(7))
                                                            : u"%1 at %2: %3"_s.arg(path, head.left(7), c.error().toString());
            f.changelog = Known<QList<ChangelogFact>>::missing(why, evidence);
            return;
        }
        if (c->tooLarge) {
            f.changelog = Known<QList<ChangelogFact>>::missing(u"%1 at %2 is over 1 MB: GitHub does not send its content"_s.arg(path, head.left(7)),
                                                               evidence);
            return;
        }
        const QString text = QString::fromUtf8(c->content);
        std::optional<QString> productionText;
        QString productionError;
        if (!readProduction) {
            productionError = u"what production serves is not known: "_s + run->productionError;
        } else if (const Result<Services::GitHubContent> &p = **production; p && !p->tooLarge) {
            productionText = QString::fromUtf8(p->content);
        } else if (!p && p.error().httpStatus == 404) {
            // No changelog at production yet: every version of the candidate's file is new.
        } else {
            productionError = p ? u"%1 at production is over 1 MB"_s.arg(path) : p.error().toString();
        }
        const Records::ChangelogDocument doc = Records::ChangelogDocument::parse(text);
        const bool unreleasedHasEntries = doc.unreleased() && !unreleasedEntries(text).isEmpty();
        if (!unreleasedHasEntries && !productionError.isEmpty()) {
            // Which version is being released depends on production's file, which could not be read.
            f.changelog = Known<QList<ChangelogFact>>::missing(
                u"%1@%2 has no entry under [Unreleased], and which version it releases cannot be told: %3"_s.arg(path, head.left(7),
                                                                                                                 productionError),
                evidence);
            return;
        }
        const ChangelogRead read = releaseEntries(text, productionText, path, head);
        f.changelogOrigin = read.origin;
        f.changelog = Known<QList<ChangelogFact>>::of(read.entries, evidence);
    };
    ++run->pending;
    m_sources.github->contents(path, head, [self, run, candidate, decide](const Result<Services::GitHubContent> &c) {
        if (!self)
            return;
        *candidate = c;
        decide();
        self->finishOne(run);
    });
    if (readProduction) {
        ++run->pending;
        m_sources.github->contents(path, base, [self, run, production, decide](const Result<Services::GitHubContent> &c) {
            if (!self)
                return;
            *production = c;
            decide();
            self->finishOne(run);
        });
    }
}

void FactsCollector::readMigrations(const std::shared_ptr<Run> &run)
{
    ReleaseFacts &f = run->out.facts;
    if (!f.deployment.known() || f.deployment->sha.isEmpty() || f.productionSha.isEmpty()) {
        f.migrationReport = Known<MigrationReport>::missing(
            !f.deployment.known() ? u"the candidate deployment could not be read"_s
            : f.deployment->sha.isEmpty() ? u"the deployment carries no commit SHA"_s
                                          : u"what production serves is not known: "_s + run->productionError);
        return;
    }
    MigrationPolicy policy;
    if (m_sources.migrations) {
        policy = *m_sources.migrations;
    } else {
        for (const PathRule &r : m_policy.pathRules) {
            if (r.kind == PathRule::Kind::Migration)
                policy.rules << r;
        }
        policy.compatibleLabel = m_policy.backwardCompatibleLabel;
        policy.maintenanceLabelPrefix = m_policy.maintenanceWindowLabelPrefix;
    }
    // The rollback's own source and convention (Option B): production...candidate, each file read at the candidate.
    auto source = std::make_shared<MigrationSource>(*m_sources.github, policy);
    const QString evidence = m_sources.githubHtml + u"/compare/"_s + f.productionSha + u"..."_s + f.deployment->sha;
    QPointer<FactsCollector> self(this);
    ++run->pending;
    // The callback holds the source: it lives until its last answer (a copy of the callback per request in flight).
    source->check(f.productionSha, f.deployment->sha, [self, run, source, evidence](const Result<MigrationReport> &r) {
        if (!self)
            return;
        run->out.facts.migrationReport =
            r ? Known<MigrationReport>::of(*r, evidence) : Known<MigrationReport>::missing(r.error().toString(), evidence);
        self->finishOne(run);
    });
}

} // namespace Raize::Release
