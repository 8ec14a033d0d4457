#include "timeline/timelinefeed.h"

#include "core/clock.h"
#include "records/auditrecord.h"
#include "release/staleness.h"
#include "services/flags/flageventlog.h"
#include "services/github/githubclient.h"
#include "services/vercel/vercelclient.h"

#include <QDateTime>
#include <QFile>

#include <optional>

#ifdef __GLIBC__
#include <malloc.h>
#endif

using namespace Qt::StringLiterals;

namespace Raize::Ui {

namespace {

// Flag changes recorded twice (the flag service and this console) are this close.
constexpr qint64 FlagTwinMs = 5000;
// How far back the flag service's event log is read at the first poll.
constexpr qint64 FlagLookbackMs = 3LL * 24 * 3600 * 1000;
// GitHub's merged pull requests (levels, merges): every 4th round, to spare the rate budget.
constexpr int GitHubEveryRounds = 4;
// How long the changes are kept for "what changed" and for matching twins (pages look back 2 hours).
constexpr qint64 ChangeHorizonMs = 7LL * 24 * 3600 * 1000;

// Where a change's twin from another source would be: the flag and environment, or the deployment.
QString twinKey(const Release::Change &c)
{
    if (c.kind == Release::Change::Kind::FlagChange)
        return u"f:"_s + c.flag + u'@' + c.environment.toLower();
    if (c.kind == Release::Change::Kind::Promotion || c.kind == Release::Change::Kind::Rollback)
        return u"p:"_s + c.deploymentId;
    return {};
}

QString environmentOf(const QString &target)
{
    if (target == u"production"_s)
        return u"Production"_s;
    if (target == u"staging"_s)
        return u"Staging"_s;
    return u"Preview"_s;
}

// A flag service's environment as a timeline lane ("production" → "Production"); others keep their name.
QString laneOf(const QString &environment)
{
    for (const QString &lane : {u"Preview"_s, u"Staging"_s, u"Production"_s}) {
        if (environment.compare(lane, Qt::CaseInsensitive) == 0)
            return lane;
    }
    return environment;
}

std::optional<Release::Level> levelOfLabels(const QList<Services::GitHubLabel> &labels)
{
    // The playbook's labels (GatePolicy::labelPrefix): "risk:L3".
    for (const Services::GitHubLabel &l : labels) {
        if (l.name.startsWith(u"risk:"_s, Qt::CaseInsensitive)) {
            if (const std::optional<Release::Level> level = Release::levelFromName(l.name.mid(5)))
                return level;
        }
    }
    return std::nullopt;
}

struct AuditChange
{
    qsizetype event = -1;
    Release::Change change;
};

} // namespace

TimelineFeed::TimelineFeed(TimelineModel *model, Services::VercelClient *vercel, QString auditLogPath, QString vercelDashboard,
                           int intervalMs, QObject *parent)
    : QObject(parent)
    , m_model(model)
    , m_auditPath(std::move(auditLogPath))
    , m_dashboard(std::move(vercelDashboard))
{
    if (vercel)
        m_lanes.append(Lane{u"web"_s, vercel, {}, false, false});
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &TimelineFeed::refresh);
}

TimelineFeed::~TimelineFeed() = default;

void TimelineFeed::addServiceProject(const QString &service, Services::VercelClient *client)
{
    if (!client)
        return;
    for (Lane &lane : m_lanes) {
        if (lane.service == service) {
            lane.client = client;
            return;
        }
    }
    m_lanes.append(Lane{service, client, {}, false, false});
}

void TimelineFeed::setFlagEventLog(Services::FlagEventLog *log, QString backend)
{
    m_flagEvents = log;
    m_flagBackend = std::move(backend);
}

void TimelineFeed::setGitHub(Services::GitHubClient *github, QString repositoryHtml)
{
    m_github = github;
    m_githubHtml = std::move(repositoryHtml);
}

void TimelineFeed::setClock(const Clock &clock)
{
    m_clock = &clock;
}

QDateTime TimelineFeed::now() const
{
    return m_clock ? m_clock->nowUtc() : QDateTime::currentDateTimeUtc();
}

void TimelineFeed::start()
{
    refresh();
    m_timer.start();
}

namespace {

void intern(QString &text, QSet<QString> *pool)
{
    if (!pool || text.isEmpty())
        return;
    const auto it = pool->constFind(text);
    if (it != pool->cend())
        text = *it; // shares the one copy
    else
        pool->insert(text);
}

std::optional<TimelineEvent> eventOf(const Records::AuditRecord &r, QSet<QString> *pool)
{
    TimelineEvent e;
    e.timeMs = r.time.toMSecsSinceEpoch();
    const QString &action = r.action;
    // The rollback executor's records (app/rollback) name their step kind: github.incident,
    // rollback.post-check, vercel.instant-rollback, flag.disable, journal.entry.
    if (action.startsWith(u"promotion."_s) || action == u"vercel.promote"_s)
        e.kind = TimelineEvent::Kind::Promotion;
    else if (action.startsWith(u"incident."_s) || action.startsWith(u"github.incident"_s))
        e.kind = TimelineEvent::Kind::Incident;
    else if (action.startsWith(u"rollback.post-check"_s))
        e.kind = TimelineEvent::Kind::CheckResult;
    else if (action.contains(u"rollback"_s))
        e.kind = TimelineEvent::Kind::Rollback;
    else if (action.startsWith(u"flag"_s))
        e.kind = TimelineEvent::Kind::FlagChange;
    else if (action.startsWith(u"canary."_s))
        e.kind = TimelineEvent::Kind::CanaryStep;
    else if (action.startsWith(u"gate."_s))
        e.kind = TimelineEvent::Kind::CheckResult;
    else if (action.startsWith(u"journal."_s) || action.startsWith(u"github.release"_s))
        e.kind = TimelineEvent::Kind::Journal;
    else
        return std::nullopt;
    e.environment = e.kind == TimelineEvent::Kind::Journal ? QString() : u"Production"_s;
    if (r.after.is_object() && r.after.contains("environment") && r.after["environment"].is_string())
        e.environment = QString::fromStdString(r.after["environment"].get<std::string>());
    if (r.after.is_object() && r.after.contains("level") && r.after["level"].is_string())
        e.level = Release::levelFromName(QString::fromStdString(r.after["level"].get<std::string>()));
    if (r.after.is_object() && r.after.contains("url") && r.after["url"].is_string())
        e.url = QString::fromStdString(r.after["url"].get<std::string>());
    if (e.environment.isEmpty())
        e.service = u"tools"_s; // the console's own records (release notes, journal)
    e.title = u"%1 %2"_s.arg(action, r.target);
    e.detail = u"by %1 (%2)"_s.arg(r.actor, r.service) + (r.reason.isEmpty() ? QString() : u"\nreason: "_s + r.reason);
    e.state = r.after.is_object() && r.after.contains("error") ? u"failed"_s : QString();
    intern(e.environment, pool);
    intern(e.title, pool);
    intern(e.detail, pool);
    intern(e.url, pool);
    return e;
}

quint64 keyOf(const TimelineEvent &e)
{
    // Two independent 32-bit-seeded hashes side by side: a collision (and so a
    // dropped event) needs both to collide.
    const size_t a = qHashMulti(0x5bd1e995u, e.timeMs, int(e.kind), e.title, e.state);
    const size_t b = qHashMulti(0x9e3779b9u, e.state, e.title, int(e.kind), e.timeMs);
    return (quint64(quint32(a)) << 32) | quint32(b);
}

QList<TimelineEvent> readAuditLines(QIODevice &log, qint64 *offset, QSet<QString> *pool, QList<AuditChange> *changes)
{
    QList<TimelineEvent> out;
    if (!log.seek(*offset))
        return out;
    while (!log.atEnd()) {
        const QByteArray line = log.readLine();
        if (!line.endsWith('\n'))
            break; // half written: read it again next time
        *offset += line.size();
        Records::AuditRecord r;
        if (!Records::AuditRecord::fromLine(line.chopped(1), &r))
            continue; // the audit view and `audit verify` name malformed lines; the timeline shows what it can read
        std::optional<TimelineEvent> e = eventOf(r, pool);
        if (!e)
            continue;
        const bool canaryStage = r.action == u"canary.stage"_s;
        std::optional<Release::Change> c = changes || canaryStage ? Release::Change::fromAudit(r) : std::nullopt;
        if (c && c->kind == Release::Change::Kind::CanaryStage) {
            // A canary stage is drawn as its change: in the web lane, naming the stage's traffic and cohorts.
            e = TimelineFeed::eventOf(*c);
            intern(e->title, pool);
            intern(e->detail, pool);
        }
        if (changes && c)
            changes->append(AuditChange{out.size(), std::move(*c)});
        out << std::move(*e);
    }
    return out;
}

} // namespace

QList<TimelineEvent> TimelineFeed::fromAudit(QIODevice &log, qint64 *offset, QSet<QString> *pool, QList<Release::Change> *changes)
{
    if (!changes)
        return readAuditLines(log, offset, pool, nullptr);
    QList<AuditChange> found;
    QList<TimelineEvent> out = readAuditLines(log, offset, pool, &found);
    for (AuditChange &c : found)
        changes->append(std::move(c.change));
    return out;
}

QList<TimelineEvent> TimelineFeed::fromAudit(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    qint64 offset = 0;
    QSet<QString> pool;
    return fromAudit(f, &offset, &pool);
}

TimelineEvent TimelineFeed::eventOf(const Release::Change &c)
{
    TimelineEvent e;
    e.timeMs = c.timeMs;
    switch (c.kind) {
    case Release::Change::Kind::FlagChange:
        e.kind = TimelineEvent::Kind::FlagChange;
        break;
    case Release::Change::Kind::Deployment:
        e.kind = TimelineEvent::Kind::Deployment;
        break;
    case Release::Change::Kind::Promotion:
        e.kind = TimelineEvent::Kind::Promotion;
        break;
    case Release::Change::Kind::Rollback:
        e.kind = TimelineEvent::Kind::Rollback;
        break;
    case Release::Change::Kind::CanaryStage:
        e.kind = TimelineEvent::Kind::CanaryStep;
        break;
    case Release::Change::Kind::Incident:
        e.kind = TimelineEvent::Kind::Incident;
        break;
    case Release::Change::Kind::Merge:
        e.kind = TimelineEvent::Kind::Merge;
        break;
    case Release::Change::Kind::Release:
        e.kind = TimelineEvent::Kind::Journal;
        break;
    }
    e.environment = laneOf(c.environment);
    e.service = c.service;
    e.level = c.level;
    e.title = c.title;
    e.detail = c.detail;
    e.url = c.url;
    e.state = c.state;
    return e;
}

void TimelineFeed::readAudit()
{
    QFile f(m_auditPath);
    if (!f.open(QIODevice::ReadOnly))
        return; // no log yet: nothing the console did
    const QByteArray first = f.readLine();
    if (f.size() < m_auditOffset || (!m_auditFirstLine.isEmpty() && first != m_auditFirstLine))
        m_auditOffset = 0; // shrunk or replaced: read it again; what the model has is kept and not added twice
    if (first.endsWith('\n'))
        m_auditFirstLine = first;
    QList<AuditChange> found;
    QList<TimelineEvent> events = readAuditLines(f, &m_auditOffset, &m_strings, &found);
    // A change a service showed first (the flag service's event log, Vercel's
    // production) is the same row: it takes the audit log's actor and text.
    QSet<qsizetype> replaced;
    const qint64 horizon = now().toMSecsSinceEpoch() - ChangeHorizonMs;
    for (AuditChange &a : found) {
        if (a.change.timeMs < horizon)
            continue; // too old to be a page's cause or a poll's twin
        const qint64 tolerance = a.change.kind == Release::Change::Kind::FlagChange ? FlagTwinMs : 2LL * m_timer.interval() + FlagTwinMs;
        bool twin = false;
        const QString key = twinKey(a.change);
        for (auto it = m_twins.constFind(key); it != m_twins.cend() && it.key() == key; ++it) {
            const int i = it.value();
            Release::Change &known = m_changes[i];
            if (known.origin == Release::Change::Origin::AuditLog || !Release::sameChange(known, a.change, tolerance))
                continue;
            Release::Change merged = Release::mergeChanges({known, a.change}, tolerance).value(0);
            const auto row = m_flagRows.constFind(int(i));
            if (row != m_flagRows.cend() && m_model) {
                TimelineEvent shown = m_model->event(*row);
                const TimelineEvent audit = events.at(a.event);
                shown.title = audit.title;
                shown.detail = audit.detail + u"\nalso recorded by the %1 (as %2)"_s.arg(Release::Change::originName(known.origin), known.actor);
                if (shown.url.isEmpty())
                    shown.url = audit.url;
                if (m_model->replace(*row, shown))
                    replaced.insert(a.event);
            }
            known = merged;
            twin = true;
            break;
        }
        if (!twin)
            keep(std::move(a.change));
    }
    if (!replaced.isEmpty()) {
        QList<TimelineEvent> kept;
        kept.reserve(events.size() - replaced.size());
        for (qsizetype i = 0; i < events.size(); ++i) {
            if (!replaced.contains(i))
                kept << std::move(events[i]);
        }
        events = std::move(kept);
    }
    if (!found.isEmpty())
        Q_EMIT changesAdded();
    const bool large = events.size() > 10000;
    add(std::move(events));
#ifdef __GLIBC__
    // Parsing a large log leaves many small freed blocks behind (a JSON tree
    // per record); give them back to the system instead of keeping the peak.
    if (large)
        malloc_trim(0);
#endif
}

void TimelineFeed::add(QList<TimelineEvent> events)
{
    if (!m_model)
        return;
    QList<TimelineEvent> fresh;
    for (TimelineEvent &e : events) {
        const quint64 key = keyOf(e);
        if (m_seen.contains(key))
            continue;
        m_seen.insert(key);
        fresh << std::move(e);
    }
    m_model->append(std::move(fresh));
}

QList<TimelineEvent> TimelineFeed::takeChanges(QList<Release::Change> fresh)
{
    QList<TimelineEvent> events;
    for (Release::Change &c : fresh) {
        const bool production = c.kind == Release::Change::Kind::Promotion || c.kind == Release::Change::Kind::Rollback;
        const qint64 tolerance = production ? 2LL * m_timer.interval() + FlagTwinMs : FlagTwinMs;
        // Seen before (the event log answers the same events again), or the audit log's record of it.
        const quint64 seen = qHashMulti(0x5bd1e995u, int(c.origin), c.timeMs, c.title);
        if (m_seenChanges.contains(seen))
            continue;
        bool known = false;
        const QString key = twinKey(c);
        for (auto it = m_twins.constFind(key); it != m_twins.cend() && it.key() == key && !known; ++it) {
            const Release::Change &k = m_changes[it.value()];
            known = k.origin == Release::Change::Origin::AuditLog && Release::sameChange(k, c, tolerance);
        }
        if (known)
            continue;
        m_seenChanges.insert(seen);
        TimelineEvent e = eventOf(c);
        if (m_model && (c.kind == Release::Change::Kind::FlagChange || production)) {
            // The row it will get, so an audit record read later can take it over.
            if (!m_seen.contains(keyOf(e)))
                m_flagRows.insert(int(m_changes.size()), m_model->rowCount() + int(events.size()));
        }
        events << e;
        keep(std::move(c));
    }
    if (!events.isEmpty())
        Q_EMIT changesAdded();
    return events;
}

void TimelineFeed::keep(Release::Change change)
{
    if (const QString key = twinKey(change); !key.isEmpty())
        m_twins.insert(key, int(m_changes.size()));
    m_changes << std::move(change);
}

QList<TimelineEvent> TimelineFeed::deploymentEvents(const Lane &lane, const QList<Services::VercelDeployment> &list)
{
    QList<Release::Change> changes;
    for (const Services::VercelDeployment &d : list) {
        Release::Change c;
        c.timeMs = d.created.toMSecsSinceEpoch();
        c.kind = Release::Change::Kind::Deployment;
        c.origin = Release::Change::Origin::Vercel;
        c.environment = environmentOf(d.target);
        c.service = lane.service;
        c.state = d.state;
        c.deploymentId = d.id;
        c.title = u"%1 %2"_s.arg(d.id, d.state);
        QStringList detail;
        if (!d.sha.isEmpty())
            detail << u"commit %1"_s.arg(d.sha.left(7));
        if (!d.ref.isEmpty())
            detail << u"ref %1"_s.arg(d.ref);
        if (!d.prNumber.isEmpty())
            detail << u"PR #%1"_s.arg(d.prNumber);
        c.detail = detail.join(u" · "_s);
        // The release level of the pull request it was built from.
        const int pr = d.prNumber.toInt();
        const int pull = pr > 0 ? pr : m_shaPulls.value(d.sha);
        if (const auto it = m_pullLevels.constFind(pull); it != m_pullLevels.cend()) {
            c.level = *it;
            c.detail += u" · %1 from PR #%2"_s.arg(Release::levelName(*it)).arg(pull);
        }
        c.url = m_dashboard.isEmpty() ? (d.url.isEmpty() ? QString() : u"https://"_s + d.url) : m_dashboard + u'/' + d.id;
        changes << c;
    }
    // Deployments are listed again every poll: only new ones (a new state is a new row) are added; a
    // row whose release level became known since (GitHub answered later) takes it.
    QList<TimelineEvent> events;
    for (Release::Change &c : changes) {
        const QString key = c.service + u'/' + c.deploymentId + u'/' + c.state;
        TimelineEvent e = eventOf(c);
        if (const auto row = m_deploymentRows.constFind(key); row != m_deploymentRows.cend()) {
            if (m_model && *row < m_model->rowCount() && m_model->event(*row).level != c.level)
                m_model->replace(*row, e);
            continue;
        }
        if (m_model && !m_seen.contains(keyOf(e)))
            m_deploymentRows.insert(key, m_model->rowCount() + int(events.size()));
        events << e;
        keep(std::move(c));
    }
    if (!events.isEmpty())
        Q_EMIT changesAdded();
    return events;
}

QList<TimelineEvent> TimelineFeed::productionEvents(Lane &lane, const Services::VercelProject &project)
{
    const QString serving = project.production ? project.production->id : QString();
    const bool first = !lane.known;
    const QString before = lane.production;
    lane.known = true;
    lane.production = serving;
    lane.pinned = project.pinned;
    if (first || serving == before || serving.isEmpty())
        return {};
    // Vercel keeps only the last promotion or rollback of a project, and names nobody.
    Release::Change c;
    c.timeMs = now().toMSecsSinceEpoch();
    c.kind = project.pinned ? Release::Change::Kind::Rollback : Release::Change::Kind::Promotion;
    c.origin = Release::Change::Origin::Vercel;
    c.environment = u"Production"_s;
    c.service = lane.service;
    c.deploymentId = serving;
    c.actor = tr("outside the console");
    const QString was = before.isEmpty() ? tr("none before") : tr("was %1").arg(before);
    c.title = project.pinned ? tr("%1 rolled back to %2 (%3)").arg(lane.service, serving, was)
                             : tr("%1 production now %2 (%3)").arg(lane.service, serving, was);
    c.detail = tr("by: outside the console (Vercel does not say who)\n"
                  "seen at this poll: two changes between two polls show as one");
    if (!project.rollbackDescription.isEmpty())
        c.detail += u"\n"_s + tr("Vercel's rollback note: %1").arg(project.rollbackDescription);
    c.url = m_dashboard.isEmpty() ? QString() : m_dashboard + u'/' + serving;
    return takeChanges({c});
}

void TimelineFeed::refresh()
{
    checkStale();
    if (m_busy)
        return;
    if (!m_auditPath.isEmpty())
        readAudit();
    if (m_lanes.isEmpty() && !m_flagEvents && !m_github) {
        ++m_rounds;
        m_freshness.markFresh(now());
        Q_EMIT polled(tr("audit log only (Vercel is not configured)"));
        checkStale();
        return;
    }
    m_busy = true;
    m_roundErrors.clear();
    m_roundError.reset();
    const bool github = m_github && m_rounds % GitHubEveryRounds == 0;
    m_pending = int(m_lanes.size()) * 2 + (m_flagEvents ? 1 : 0) + (github ? 1 : 0);
    // GitHub first: the levels of the pull requests the deployments come from.
    if (github)
        pollGitHub();
    for (int i = 0; i < m_lanes.size(); ++i)
        pollLane(i);
    if (m_flagEvents)
        pollFlags();
}

void TimelineFeed::pollLane(int index)
{
    QPointer<TimelineFeed> self(this);
    const QString service = m_lanes[index].service;
    m_lanes[index].client->deployments(QString(), 100, [self, index, service](const Result<QList<Services::VercelDeployment>> &list) {
        if (!self)
            return;
        if (!list) {
            self->m_roundErrors << tr("Vercel (%1): %2").arg(service, list.error().message);
            return self->oneDone(list.error());
        }
        self->add(self->deploymentEvents(self->m_lanes[index], *list));
        self->oneDone(std::nullopt);
    });
    m_lanes[index].client->project([self, index, service](const Result<Services::VercelProject> &project) {
        if (!self)
            return;
        if (!project) {
            self->m_roundErrors << tr("Vercel (%1): %2").arg(service, project.error().message);
            return self->oneDone(project.error());
        }
        self->add(self->productionEvents(self->m_lanes[index], *project));
        self->oneDone(std::nullopt);
    });
}

void TimelineFeed::pollFlags()
{
    if (!m_flagsSince.isValid())
        m_flagsSince = now().addMSecs(-FlagLookbackMs);
    QPointer<TimelineFeed> self(this);
    m_flagEvents->changes(m_flagsSince, [self](const Result<QList<Services::FlagEvent>> &events) {
        if (!self)
            return;
        if (!events) {
            self->m_roundErrors << tr("flag service: %1").arg(events.error().message);
            return self->oneDone(events.error());
        }
        QList<Release::Change> changes;
        for (const Services::FlagEvent &e : *events)
            changes << Release::Change::fromFlagEvent(e, self->m_flagBackend);
        self->add(self->takeChanges(std::move(changes)));
        self->oneDone(std::nullopt);
    });
}

void TimelineFeed::pollGitHub()
{
    QPointer<TimelineFeed> self(this);
    m_github->pullRequests(u"closed"_s, [self](const Result<Services::GitHubPullRequests> &pulls) {
        if (!self)
            return;
        if (!pulls) {
            self->m_roundErrors << tr("GitHub: %1").arg(pulls.error().message);
            return self->oneDone(pulls.error());
        }
        QList<Release::Change> merges;
        for (const Services::GitHubPullRequest &p : pulls->items) {
            if (!p.merged())
                continue;
            const std::optional<Release::Level> level = levelOfLabels(p.labels);
            if (level)
                self->m_pullLevels.insert(p.number, *level);
            if (!p.mergeCommitSha.isEmpty())
                self->m_shaPulls.insert(p.mergeCommitSha, p.number);
            Release::Change c;
            c.timeMs = p.mergedAt.toMSecsSinceEpoch();
            c.kind = Release::Change::Kind::Merge;
            c.origin = Release::Change::Origin::GitHub;
            c.actor = p.author;
            c.level = level;
            c.title = tr("PR #%1 merged: %2").arg(p.number).arg(p.title);
            c.detail = tr("by %1 into %2 · merge commit %3").arg(p.author, p.baseRef, p.mergeCommitSha.left(7));
            c.url = self->m_githubHtml.isEmpty() ? QString() : self->m_githubHtml + u"/pull/"_s + QString::number(p.number);
            merges << c;
        }
        self->add(self->takeChanges(std::move(merges)));
        self->pollGitHubRecords();
    });
}

// GitHub's releases and incident issues (issue #19 item 1): what was published and what broke, whoever did it.
void TimelineFeed::pollGitHubRecords()
{
    QPointer<TimelineFeed> self(this);
    m_github->releases([self](const Result<QList<Services::GitHubRelease>> &releases) {
        if (!self)
            return;
        if (!releases) {
            self->m_roundErrors << tr("GitHub releases: %1").arg(releases.error().message);
            return self->oneDone(releases.error());
        }
        QList<Release::Change> published;
        for (const Services::GitHubRelease &r : *releases) {
            if (const std::optional<Release::Change> c = Release::Change::fromRelease(r))
                published << *c;
        }
        self->add(self->takeChanges(std::move(published)));
        self->m_github->issues({u"incident"_s}, u"all"_s, {}, [self](const Result<QList<Services::GitHubIssue>> &issues) {
            if (!self)
                return;
            if (!issues) {
                self->m_roundErrors << tr("GitHub incidents: %1").arg(issues.error().message);
                return self->oneDone(issues.error());
            }
            QList<Release::Change> incidents;
            for (const Services::GitHubIssue &i : *issues)
                incidents << Release::Change::fromIncident(i);
            self->add(self->takeChanges(std::move(incidents)));
            self->oneDone(std::nullopt);
        });
    });
}

void TimelineFeed::oneDone(const std::optional<Error> &error)
{
    if (error && !m_roundError)
        m_roundError = error;
    if (--m_pending <= 0)
        finishRound();
}

void TimelineFeed::finishRound()
{
    m_busy = false;
    ++m_rounds;
    const QDateTime t = now();
    if (m_roundError) {
        m_error = m_roundError->toString();
        m_freshness.markFailed(*m_roundError, t);
        Q_EMIT polled(m_roundErrors.join(u" · "_s));
    } else {
        m_error.clear();
        m_freshness.markFresh(t);
        Q_EMIT polled(tr("live · polled %1 UTC").arg(t.toString(u"HH:mm:ss"_s)));
    }
    checkStale();
}

void TimelineFeed::checkStale()
{
    QDateTime since = Release::staleSince(m_freshness, now(), m_timer.interval());
    // Stale by age and then failing: still stale since it first was.
    if (since.isValid() && m_staleSince.isValid() && m_staleSince < since)
        since = m_staleSince;
    if (since == m_staleSince)
        return;
    m_staleSince = since;
    Q_EMIT staleChanged(since);
}

} // namespace Raize::Ui
