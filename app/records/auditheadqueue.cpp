#include "records/auditheadqueue.h"

#include "core/jsonutil.h"

#include <QFile>
#include <QLockFile>
#include <QSaveFile>

namespace Raize::Records {

using namespace Qt::StringLiterals;

namespace {

Error queueError(const QString &what, const QString &path, const QString &detail)
{
    return Error::make(Error::Kind::Io, u"audit"_s, u"%1 the publish queue %2: %3"_s.arg(what, path, detail),
                       u"check that the audit log's folder is writable and has free space; the chain head stays "
                       u"unpublished until then (raize-console audit publish)"_s);
}

} // namespace

AuditHeadQueue::AuditHeadQueue(const QString &logPath)
    : m_path(logPath + u".publish"_s)
{
}

Status AuditHeadQueue::enqueue(const Entry &entry)
{
    QLockFile lock(m_path + u".lock"_s);
    if (!lock.tryLock(10000))
        return queueError(u"cannot lock"_s, m_path, u"another console holds it"_s);
    QFile f(m_path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Append))
        return queueError(u"cannot open"_s, m_path, f.errorString());
    const nlohmann::json j = {{"seq", entry.seq},
                              {"hash", entry.hash.toStdString()},
                              {"action", entry.action.toStdString()},
                              {"queuedAt", entry.queuedAt.toUTC().toString(Qt::ISODateWithMs).toStdString()}};
    const QByteArray line = Json::dump(j) + '\n';
    if (f.write(line) != line.size() || !f.flush())
        return queueError(u"cannot write"_s, m_path, f.errorString());
    return okStatus();
}

Result<QList<AuditHeadQueue::Entry>> AuditHeadQueue::pending(QString *problem) const
{
    QFile f(m_path);
    if (!f.exists())
        return QList<Entry>{};
    if (!f.open(QIODevice::ReadOnly))
        return queueError(u"cannot read"_s, m_path, f.errorString());
    QList<Entry> out;
    int lineNo = 0;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine().trimmed();
        ++lineNo;
        if (line.isEmpty())
            continue;
        const nlohmann::json j = Json::parse(line);
        if (j.is_discarded() || !j.is_object() || !j.contains("seq") || !j["seq"].is_number_integer() || !j.contains("hash")
            || !j["hash"].is_string()) {
            if (problem)
                *problem = u"%1:%2 is not a queued head (skipped)"_s.arg(m_path).arg(lineNo);
            continue;
        }
        Entry e;
        e.seq = j["seq"].get<qint64>();
        e.hash = QString::fromStdString(j["hash"].get<std::string>());
        e.action = QString::fromStdString(j.value("action", std::string()));
        e.queuedAt = QDateTime::fromString(QString::fromStdString(j.value("queuedAt", std::string())), Qt::ISODateWithMs);
        out << e;
    }
    return out;
}

Status AuditHeadQueue::dropThrough(qint64 seq)
{
    QLockFile lock(m_path + u".lock"_s);
    if (!lock.tryLock(10000))
        return queueError(u"cannot lock"_s, m_path, u"another console holds it"_s);
    const Result<QList<Entry>> all = pending();
    if (!all)
        return all.error();
    QSaveFile f(m_path);
    if (!f.open(QIODevice::WriteOnly))
        return queueError(u"cannot rewrite"_s, m_path, f.errorString());
    for (const Entry &e : *all) {
        if (e.seq <= seq)
            continue;
        const nlohmann::json j = {{"seq", e.seq},
                                  {"hash", e.hash.toStdString()},
                                  {"action", e.action.toStdString()},
                                  {"queuedAt", e.queuedAt.toUTC().toString(Qt::ISODateWithMs).toStdString()}};
        f.write(Json::dump(j) + '\n');
    }
    if (!f.commit())
        return queueError(u"cannot rewrite"_s, m_path, f.errorString());
    return okStatus();
}

} // namespace Raize::Records
