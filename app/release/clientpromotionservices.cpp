#include "release/clientpromotionservices.h"

#include "release/effectiveconfirmer.h"

#include "services/github/githubclient.h"
#include "services/vercel/vercelclient.h"

using namespace Qt::StringLiterals;

namespace Raize::Release {

ClientPromotionServices::ClientPromotionServices(GatePolicy policy, FactsCollector::Sources sources)
    : m_policy(std::move(policy))
    , m_sources(std::move(sources))
{ }

ClientPromotionServices::~ClientPromotionServices() = default;

namespace {
Error notConnected(const QString &service, const QString &what)
{
    return Error::make(Error::Kind::Config, service, u"%1 is not connected, so %2"_s.arg(service, what),
                       u"set the %1 connection up in Settings (or raize-console settings set …)"_s.arg(service));
}
} // namespace

void ClientPromotionServices::newestStaging(std::function<void(const Result<QString> &)> done)
{
    if (!m_sources.vercel)
        return done(notConnected(u"vercel"_s, u"there is no candidate to review"_s));
    m_sources.vercel->deployments(u"staging"_s, 1, [done](const Result<QList<Services::VercelDeployment>> &list) {
        if (!list)
            return done(list.error());
        if (list->isEmpty())
            return done(Error::make(Error::Kind::Conflict, u"vercel"_s, u"there is no staging deployment to review"_s,
                                    u"deploy to staging first, or name the candidate's deployment id"_s));
        done(list->first().id);
    });
}

void ClientPromotionServices::collect(const QString &deploymentId, std::function<void(const CollectedFacts &)> done)
{
    if (!m_sources.vercel) {
        CollectedFacts c;
        c.facts.deployment =
            Known<CandidateDeployment>::missing(notConnected(u"vercel"_s, u"the candidate cannot be read"_s).toString());
        return done(c);
    }
    // A new review replaces one in flight: the old collector and its answers go.
    m_collector = std::make_unique<FactsCollector>(m_policy, m_sources);
    m_collector->collect(deploymentId, std::move(done));
}

void ClientPromotionServices::approveEnvironment(const PendingReview &pending, const QString &comment,
                                                 std::function<void(const Result<Receipt> &)> done)
{
    if (!m_sources.github)
        return done(notConnected(u"github"_s, u"the environment review cannot be approved"_s));
    m_sources.github->reviewPendingDeployment(pending.runId, pending.environmentIds, true, comment,
                                              [done](const Result<Services::GitHubReview> &r) {
        if (!r)
            return done(r.error());
        done(Receipt{r->requestId, r->confirmedByReadBack});
    });
}

void ClientPromotionServices::identity(std::function<void(const Result<QString> &)> done)
{
    if (!m_sources.github)
        return done(notConnected(u"github"_s, u"nobody can be named as the reviewer"_s));
    if (*m_login)
        return done(**m_login);
    m_sources.github->currentUser([login = m_login, done](const Result<Services::GitHubUser> &u) {
        if (!u)
            return done(u.error());
        *login = u->login; // a token belongs to one user: asked once
        done(u->login);
    });
}

void ClientPromotionServices::permission(const QString &login, std::function<void(const Result<QString> &)> done)
{
    if (!m_sources.github)
        return done(notConnected(u"github"_s, u"a reviewer's permission cannot be read"_s));
    m_sources.github->collaboratorPermission(login, [done](const Result<Services::GitHubPermission> &p) {
        if (!p)
            return done(p.error());
        done(p->collaborator ? p->role() : u"none"_s);
    });
}

QString ClientPromotionServices::repository() const
{
    return m_sources.github ? m_sources.github->fullName() : u"the repository"_s;
}

void ClientPromotionServices::reviewState(const QString &sha, std::function<void(const GitHubReviewState &)> done)
{
    if (!m_sources.github) {
        GitHubReviewState s;
        s.error = notConnected(u"github"_s, u"approvals cannot be read"_s).toString();
        return done(s);
    }
    Services::GitHubClient *gh = m_sources.github;
    gh->workflowRuns(sha, [gh, done](const Result<QList<Services::GitHubWorkflowRun>> &runs) {
        GitHubReviewState state;
        if (!runs) {
            state.error = runs.error().toString();
            return done(state);
        }
        QList<Services::GitHubWorkflowRun> read = runs.value().mid(0, MaxReviewedRuns);
        if (read.isEmpty()) {
            state.read = true;
            return done(state);
        }
        // Every answer lands in one shared state; the last one calls done.
        struct Pending
        {
            GitHubReviewState state;
            int left = 0;
        };
        auto p = std::make_shared<Pending>();
        p->state.read = true;
        const auto fail = [p](const Error &e) {
            p->state.read = false;
            if (p->state.error.isEmpty())
                p->state.error = e.toString();
        };
        const auto oneDone = [p, done] {
            if (--p->left == 0) {
                if (!p->state.read) {
                    p->state.pending.clear();
                    p->state.reviews.clear();
                }
                done(p->state);
            }
        };
        for (const Services::GitHubWorkflowRun &run : read)
            p->left += run.status == u"waiting"_s ? 2 : 1;
        for (const Services::GitHubWorkflowRun &run : read) {
            const qint64 id = run.id;
            gh->runApprovals(id, [p, id, fail, oneDone](const Result<QList<Services::GitHubRunApproval>> &a) {
                if (!a) {
                    fail(a.error());
                } else {
                    for (const Services::GitHubRunApproval &x : a.value())
                        p->state.reviews << RecordedReview{id, x.login, x.state, x.comment, x.environments};
                }
                oneDone();
            });
            if (run.status != u"waiting"_s)
                continue;
            gh->pendingDeployments(id, [p, id, fail, oneDone](const Result<QList<Services::GitHubPendingDeployment>> &pd) {
                if (!pd) {
                    fail(pd.error());
                } else {
                    for (const Services::GitHubPendingDeployment &d : pd.value())
                        p->state.pending << EnvironmentGate{id, d.environmentId, d.environment, d.reviewers, d.currentUserCanApprove};
                }
                oneDone();
            });
        }
    });
}

void ClientPromotionServices::promoteDeployment(const QString &deploymentId, std::function<void(const Result<Receipt> &)> done)
{
    if (!m_sources.vercel)
        return done(notConnected(u"vercel"_s, u"nothing can be promoted"_s));
    m_sources.vercel->requestPromote(deploymentId, std::move(done));
}

void ClientPromotionServices::assignDomain(const QString &deploymentId, const QString &domain,
                                           std::function<void(const Result<DomainAssignment> &)> done)
{
    if (!m_sources.vercel)
        return done(notConnected(u"vercel"_s, u"no domain can be assigned"_s));
    m_sources.vercel->assignAlias(deploymentId, domain, [done](const Result<Services::VercelAliasAssignment> &a) {
        if (!a)
            return done(a.error());
        done(DomainAssignment{a->oldDeploymentId, a->alreadyAssigned, a->receipt});
    });
}

void ClientPromotionServices::domainPointsAt(const QString &deploymentId, const QString &domain,
                                             std::function<void(const Result<bool> &)> done)
{
    if (!m_sources.vercel)
        return done(notConnected(u"vercel"_s, u"the domain cannot be read back"_s));
    m_sources.vercel->aliasPointsAt(deploymentId, domain, std::move(done));
}

void ClientPromotionServices::readPin(std::function<void(const Result<PinFact> &)> done)
{
    if (!m_sources.vercel)
        return done(notConnected(u"vercel"_s, u"the project cannot be read back"_s));
    m_sources.vercel->project([done](const Result<Services::VercelProject> &p) {
        if (!p)
            return done(p.error());
        done(PinFact{p->pinned, p->rollbackFrom, p->rollbackTo, p->rollbackDescription, p->autoAssignCustomDomains});
    });
}

void ClientPromotionServices::setEffective(ServingProbe *probe, EffectiveRules rules, const Clock *clock, int pollMs)
{
    m_probe = probe;
    m_effectiveRules = rules;
    m_clock = clock;
    m_effectivePollMs = pollMs;
}

void ClientPromotionServices::confirmEffective(const QString &deploymentId, qint64 acceptedAtMs, std::optional<bool> autoAssignBefore,
                                               std::function<void(const EffectiveVerdict &)> progress,
                                               std::function<void(const EffectiveReport &)> done)
{
    m_confirmer = std::make_unique<EffectiveConfirmer>(m_sources.vercel, m_probe, m_effectiveRules, m_clock);
    if (m_effectivePollMs >= 0)
        m_confirmer->setPollIntervalMs(m_effectivePollMs);
    m_confirmer->confirm(ChangeKind::Promote, deploymentId, acceptedAtMs, autoAssignBefore, std::move(progress), std::move(done));
}

} // namespace Raize::Release
