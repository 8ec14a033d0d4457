#include "release/doracollector.h"

#include "rollback/rollbackplan.h"
#include "rollback/runjournal.h"
#include "services/github/githubclient.h"
#include "services/vercel/vercelclient.h"

#include <QFileInfo>
#include <QHash>
#include <QSet>

#include <algorithm>
#include <utility>

namespace Raize::Release {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {

QDateTime timeOf(const json &rec)
{
    if (!rec.is_object() || !rec.contains("at") || !rec["at"].is_string())
        return {};
    return QDateTime::fromString(QString::fromStdString(rec["at"].get<std::string>()), Qt::ISODateWithMs).toUTC();
}

} // namespace

struct DoraCollector::Run
{
    int generation = 0;
    QDateTime from, to;
    Done done;
    QList<Services::VercelDeployment> production; // READY, oldest first
    QHash<QString, Services::GitHubPullRequest> mergedBySha;
    int next = 0; // the deployment whose comparison with its predecessor is next
    QHash<QString, QList<int>> shipped; // deployment id → pull requests it shipped first
    QHash<QString, QDateTime> commitAt; // deployment id → its oldest commit (direct pushes)
    struct Pending
    {
        int number;
        QString base, head;
    };
    QList<Pending> pending; // pull requests whose first commit is still to read
    QHash<int, QDateTime> firstCommit;
    QList<Dora::Incident> incidents;
    QStringList warnings;
};

DoraCollector::DoraCollector(Sources sources, QObject *parent)
    : QObject(parent)
    , m_provider([sources] { return sources; })
{
}

DoraCollector::DoraCollector(std::function<Sources()> provider, QObject *parent)
    : QObject(parent)
    , m_provider(std::move(provider))
{
}

void DoraCollector::invalidate()
{
    ++m_generation;
    if (const std::shared_ptr<Run> run = std::exchange(m_inFlight, nullptr)) {
        const Done done = std::exchange(run->done, nullptr);
        if (done)
            done(Error::make(Error::Kind::Cancelled, u"console"_s, u"the profile's connections were reopened while the records were read"_s,
                             u"Refresh to read them again."_s));
    }
}

bool DoraCollector::stale(const std::shared_ptr<Run> &run) const
{
    return run->generation != m_generation || !run->done;
}

void DoraCollector::collect(const QDateTime &from, const QDateTime &to, Done done)
{
    invalidate(); // one collection at a time: a new one supersedes the one in flight
    m_sources = m_provider();
    auto run = std::make_shared<Run>();
    run->generation = m_generation;
    m_inFlight = run;
    run->from = from.toUTC();
    run->to = to.toUTC();
    run->done = std::move(done);
    if (!m_sources.vercel) {
        m_inFlight.reset();
        run->done(Error::make(Error::Kind::Config, u"vercel"_s, u"DORA metrics need the Vercel project's production deployments"_s,
                              u"Set the Vercel token and project in Settings."_s));
        return;
    }
    const QPointer<DoraCollector> alive(this);
    m_sources.vercel->deployments(u"production"_s, m_sources.deploymentLimit,
                                  [this, alive, run](const Result<QList<Services::VercelDeployment>> &list) {
        if (!alive || stale(run))
            return;
        if (!list) {
            m_inFlight.reset();
            std::exchange(run->done, nullptr)(list.error());
            return;
        }
        for (const Services::VercelDeployment &d : list.value()) {
            if (d.state == u"READY"_s && d.created.isValid() && d.created < run->to)
                run->production << d;
        }
        std::sort(run->production.begin(), run->production.end(),
                  [](const auto &a, const auto &b) { return a.created < b.created; });
        if (list.value().size() >= m_sources.deploymentLimit && !run->production.isEmpty() && run->production.first().created >= run->from)
            run->warnings << u"Vercel listed its newest %1 production deployments; older ones in the window are left out"_s.arg(m_sources.deploymentLimit);
        if (!m_sources.github) {
            run->warnings << u"no GitHub connection: pull requests, lead times and incidents are unknown"_s;
            finish(run);
            return;
        }
        m_sources.github->pullRequests(u"closed"_s, [this, alive, run](const Result<Services::GitHubPullRequests> &prs) {
            if (!alive || stale(run))
                return;
            if (!prs) {
                run->warnings << u"pull requests could not be read (%1): lead times are unknown"_s.arg(prs.error().toString());
                incidents(run);
                return;
            }
            for (const Services::GitHubPullRequest &p : prs.value().items) {
                if (p.merged() && !p.mergeCommitSha.isEmpty())
                    run->mergedBySha.insert(p.mergeCommitSha, p);
            }
            if (prs.value().truncated)
                run->warnings << u"GitHub listed more closed pull requests than the console pages through; the oldest are left out"_s;
            // The first comparison: the deployment before the window is its base.
            run->next = 1;
            while (run->next < run->production.size() && run->production.at(run->next).created < run->from)
                ++run->next;
            compareNext(run);
        });
    });
}

void DoraCollector::compareNext(const std::shared_ptr<Run> &run)
{
    if (run->next >= run->production.size()) {
        firstCommits(run);
        return;
    }
    const Services::VercelDeployment &base = run->production.at(run->next - 1);
    const Services::VercelDeployment &head = run->production.at(run->next);
    if (base.sha.isEmpty() || head.sha.isEmpty() || base.sha == head.sha) {
        if (base.sha != head.sha || base.sha.isEmpty())
            run->warnings << u"%1 names no commit: its pull requests are unknown"_s.arg(base.sha.isEmpty() ? base.id : head.id);
        ++run->next;
        compareNext(run);
        return;
    }
    const QString headId = head.id;
    const QPointer<DoraCollector> alive(this);
    m_sources.github->compare(base.sha, head.sha, [this, alive, run, headId](const Result<Services::GitHubComparison> &cmp) {
        if (!alive || stale(run))
            return;
        if (!cmp) {
            run->warnings << u"%1: the commits since the previous production deployment could not be read (%2)"_s.arg(headId, cmp.error().toString());
        } else {
            QDateTime oldest;
            for (const Services::GitHubCommit &c : cmp.value().commits) {
                if (c.date.isValid() && (!oldest.isValid() || c.date < oldest))
                    oldest = c.date;
                const auto pr = run->mergedBySha.constFind(c.sha);
                if (pr == run->mergedBySha.cend())
                    continue;
                run->shipped[headId] << pr->number;
                // The pull request's own commits: from the main line before its merge to its head.
                if (!c.parents.isEmpty() && !pr->headSha.isEmpty())
                    run->pending << Run::Pending{pr->number, c.parents.first(), pr->headSha};
                else
                    run->warnings << u"pull request #%1: its merge commit names no parent; left out of lead time"_s.arg(pr->number);
            }
            if (oldest.isValid())
                run->commitAt.insert(headId, oldest);
            if (cmp.value().totalCommits > cmp.value().commits.size())
                run->warnings << u"%1: GitHub listed %2 of %3 commits; pull requests beyond them are left out"_s.arg(headId)
                                     .arg(cmp.value().commits.size())
                                     .arg(cmp.value().totalCommits);
        }
        ++run->next;
        compareNext(run);
    });
}

void DoraCollector::firstCommits(const std::shared_ptr<Run> &run)
{
    if (run->pending.isEmpty()) {
        incidents(run);
        return;
    }
    const Run::Pending p = run->pending.takeFirst();
    const QPointer<DoraCollector> alive(this);
    m_sources.github->compare(p.base, p.head, [this, alive, run, p](const Result<Services::GitHubComparison> &cmp) {
        if (!alive || stale(run))
            return;
        QDateTime first;
        if (cmp) {
            for (const Services::GitHubCommit &c : cmp.value().commits) {
                if (c.date.isValid() && (!first.isValid() || c.date < first))
                    first = c.date;
            }
        }
        if (first.isValid())
            run->firstCommit.insert(p.number, first);
        else
            run->warnings << u"pull request #%1: its commits could not be read%2; left out of lead time"_s.arg(p.number).arg(
                cmp ? QString() : u" (%1)"_s.arg(cmp.error().toString()));
        firstCommits(run);
    });
}

void DoraCollector::incidents(const std::shared_ptr<Run> &run)
{
    const QPointer<DoraCollector> alive(this);
    m_sources.github->issues({m_sources.incidentLabel}, u"all"_s, {}, [this, alive, run](const Result<QList<Services::GitHubIssue>> &list) {
        if (!alive || stale(run))
            return;
        if (!list) {
            run->warnings << u"incidents could not be read (%1): change fail, recovery and rework rates count rollbacks only"_s.arg(
                list.error().toString());
        } else {
            for (const Services::GitHubIssue &i : list.value()) {
                Dora::Incident inc;
                inc.id = u"#%1"_s.arg(i.number);
                inc.openedAt = i.createdAt;
                inc.closedAt = i.closedAt;
                // The deployments it links: every production deployment its text names.
                for (const Services::VercelDeployment &d : run->production) {
                    if (i.body.contains(d.id) || i.title.contains(d.id))
                        inc.deployments << d.id;
                }
                if (inc.openedAt.isValid())
                    run->incidents << inc;
            }
        }
        finish(run);
    });
}

void DoraCollector::finish(const std::shared_ptr<Run> &run)
{
    Collected out;
    QSet<int> known;
    for (const Services::VercelDeployment &d : run->production) {
        Dora::Deployment dep;
        dep.id = d.id;
        dep.service = m_sources.service;
        dep.sha = d.sha;
        dep.productionAt = d.created.toUTC();
        dep.pullRequests = run->shipped.value(d.id);
        if (dep.pullRequests.isEmpty())
            dep.commitAt = run->commitAt.value(d.id);
        for (int n : dep.pullRequests)
            known.insert(n);
        out.records.deployments << dep;
    }
    for (const Services::GitHubPullRequest &p : run->mergedBySha) {
        if (!known.contains(p.number) || !run->firstCommit.contains(p.number))
            continue;
        Dora::PullRequest pr;
        pr.number = p.number;
        pr.firstCommitAt = run->firstCommit.value(p.number);
        pr.mergedAt = p.mergedAt.toUTC();
        out.records.pullRequests << pr;
    }
    std::sort(out.records.pullRequests.begin(), out.records.pullRequests.end(),
              [](const auto &a, const auto &b) { return a.number < b.number; });
    out.records.rollbacks = rollbacksFromJournals(m_sources.journalDirectory, &run->warnings);
    attributeProduction(out.records.rollbacks, out.records.deployments);
    out.records.incidents = run->incidents;
    out.warnings = run->warnings;
    m_inFlight.reset();
    std::exchange(run->done, nullptr)(out);
}

QList<Dora::Rollback> DoraCollector::rollbacksFromJournals(const QString &directory, QStringList *warnings)
{
    QList<Dora::Rollback> out;
    if (directory.isEmpty())
        return out;
    for (const QString &path : Rollback::RunJournal::list(directory)) {
        const Result<Rollback::RunJournal> journal = Rollback::RunJournal::open(path);
        if (!journal) {
            if (warnings)
                *warnings << u"%1: %2"_s.arg(QFileInfo(path).fileName(), journal.error().toString());
            continue;
        }
        const QList<json> &recs = journal.value().records();
        if (recs.isEmpty())
            continue;
        const json &begin = recs.first();
        // A kill switch changes no deployment and opens no incident: not a rollback for DORA.
        if (begin.value("kind", std::string()) == "kill-switch")
            continue;
        const Result<Rollback::Plan> plan = Rollback::Plan::fromJson(begin.value("plan", json()));
        if (!plan) {
            if (warnings)
                *warnings << u"%1: its plan cannot be read (%2)"_s.arg(QFileInfo(path).fileName(), plan.error().toString());
            continue;
        }
        Dora::Rollback r;
        r.id = QFileInfo(path).completeBaseName();
        r.toDeployment = plan.value().rollbackTarget;
        r.requestedAt = timeOf(begin);
        int confirmProduction = -1, confirmFlags = -1;
        for (int i = 0; i < plan.value().steps.size(); ++i) {
            if (plan.value().steps.at(i).kind == Rollback::Step::Kind::ConfirmProduction)
                confirmProduction = i;
            else if (plan.value().steps.at(i).kind == Rollback::Step::Kind::ConfirmFlagsOff)
                confirmFlags = i;
        }
        const int effectiveStep = confirmProduction >= 0 ? confirmProduction : confirmFlags;
        for (const json &rec : recs) {
            const std::string ev = rec.value("event", std::string());
            if (ev == "done" && effectiveStep >= 0 && rec.value("step", -1) == effectiveStep)
                r.effectiveAt = timeOf(rec);
            else if (ev == "incident" && rec.contains("number") && rec["number"].is_number_integer())
                r.incident = u"#%1"_s.arg(rec["number"].get<int>());
        }
        if (r.requestedAt.isValid())
            out << r;
    }
    std::sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.requestedAt < b.requestedAt; });
    return out;
}

void DoraCollector::attributeProduction(QList<Dora::Rollback> &rollbacks, const QList<Dora::Deployment> &deployments)
{
    for (int i = 0; i < rollbacks.size(); ++i) {
        Dora::Rollback &r = rollbacks[i];
        const Dora::Deployment *newest = nullptr;
        for (const Dora::Deployment &d : deployments) {
            if (d.productionAt <= r.requestedAt && (!newest || d.productionAt > newest->productionAt))
                newest = &d;
        }
        const Dora::Rollback *earlier = nullptr;
        for (int k = 0; k < i; ++k) {
            const Dora::Rollback &e = rollbacks.at(k);
            if (e.effectiveAt.isValid() && !e.toDeployment.isEmpty() && e.effectiveAt <= r.requestedAt)
                earlier = &e;
        }
        if (earlier && (!newest || earlier->effectiveAt > newest->productionAt))
            r.fromDeployment = earlier->toDeployment;
        else if (newest)
            r.fromDeployment = newest->id;
    }
}

} // namespace Raize::Release
