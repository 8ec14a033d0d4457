#include "timeline/timelinefeed.h"

#include "records/auditrecord.h"
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

QString environmentOf(const QString &target)
{
    if (target == u"production"_s)
        return u"Production"_s;
    if (target == u"staging"_s)
        return u"Staging"_s;
    return u"Preview"_s;
}

} // namespace

TimelineFeed::TimelineFeed(TimelineModel *model, Services::VercelClient *vercel, QString auditLogPath, QString vercelDashboard,
                           int intervalMs, QObject *parent)
    : QObject(parent)
    , m_model(model)
    , m_vercel(vercel)
    , m_auditPath(std::move(auditLogPath))
    , m_dashboard(std::move(vercelDashboard))
{
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &TimelineFeed::refresh);
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

} // namespace

QList<TimelineEvent> TimelineFeed::fromAudit(QIODevice &log, qint64 *offset, QSet<QString> *pool)
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
        if (std::optional<TimelineEvent> e = eventOf(r, pool))
            out << std::move(*e);
    }
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
    QList<TimelineEvent> events = fromAudit(f, &m_auditOffset, &m_strings);
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

void TimelineFeed::refresh()
{
    if (m_busy)
        return;
    if (!m_auditPath.isEmpty())
        readAudit();
    if (!m_vercel) {
        ++m_rounds;
        Q_EMIT polled(tr("audit log only (Vercel is not configured)"));
        return;
    }
    m_busy = true;
    QPointer<TimelineFeed> self(this);
    m_vercel->deployments(QString(), 100, [self](const Result<QList<Services::VercelDeployment>> &list) {
        if (!self)
            return;
        self->m_busy = false;
        ++self->m_rounds;
        if (!list) {
            self->m_error = list.error().toString();
            Q_EMIT self->polled(tr("Vercel: %1").arg(list.error().message));
            return;
        }
        self->m_error.clear();
        QList<TimelineEvent> events;
        for (const Services::VercelDeployment &d : *list) {
            TimelineEvent e;
            e.timeMs = d.created.toMSecsSinceEpoch();
            e.kind = TimelineEvent::Kind::Deployment;
            e.environment = environmentOf(d.target);
            e.service = u"web"_s;
            e.state = d.state;
            e.title = u"%1 %2"_s.arg(d.id, d.state);
            QStringList detail;
            if (!d.sha.isEmpty())
                detail << u"commit %1"_s.arg(d.sha.left(7));
            if (!d.ref.isEmpty())
                detail << u"ref %1"_s.arg(d.ref);
            if (!d.prNumber.isEmpty())
                detail << u"PR #%1"_s.arg(d.prNumber);
            e.detail = detail.join(u" · "_s);
            e.url = self->m_dashboard.isEmpty() ? (d.url.isEmpty() ? QString() : u"https://"_s + d.url) : self->m_dashboard + u'/' + d.id;
            events << e;
        }
        self->add(std::move(events));
        Q_EMIT self->polled(tr("live · polled %1 UTC").arg(QDateTime::currentDateTimeUtc().toString(u"HH:mm:ss"_s)));
    });
}

} // namespace Raize::Ui
