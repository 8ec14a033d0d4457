#include "release/clientpromotionservices.h"

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
                                                 std::function<void(const Status &)> done)
{
    if (!m_sources.github)
        return done(notConnected(u"github"_s, u"the environment review cannot be approved"_s));
    m_sources.github->reviewPendingDeployment(pending.runId, pending.environmentIds, true, comment,
                                              [done](const Result<Services::GitHubReview> &r) {
        done(r ? okStatus() : Status(r.error()));
    });
}

void ClientPromotionServices::promoteDeployment(const QString &deploymentId, std::function<void(const Status &)> done)
{
    if (!m_sources.vercel)
        return done(notConnected(u"vercel"_s, u"nothing can be promoted"_s));
    m_sources.vercel->promote(deploymentId, std::move(done));
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

} // namespace Raize::Release
