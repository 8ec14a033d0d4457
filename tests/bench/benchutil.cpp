#include "benchutil.h"

#include "records/auditrecord.h"

#include <QDateTime>
#include <QFile>
#include <QStringList>

#include <algorithm>

namespace RaizeBench {

using namespace Qt::StringLiterals;
using Raize::Records::AuditRecord;

QString buildAuditLog(const QString &path, qint64 n, qint64 firstSecs)
{
    QFile out(path);
    if (!out.open(QIODevice::WriteOnly))
        return {};
    AuditRecord r;
    r.service = u"unleash"_s;
    r.time = QDateTime::fromSecsSinceEpoch(firstSecs, Qt::UTC);
    r.prev = AuditRecord::genesisHash();
    QByteArray buffer;
    const QStringList actors = {u"oncall@raize"_s, u"release@raize"_s, u"reviewer@raize"_s};
    for (qint64 i = 1; i <= n; ++i) {
        r.seq = i;
        r.actor = actors[int(i % 3)];
        r.action = i % 3 ? u"flag.disable"_s : u"vercel.rollback"_s;
        r.target = u"publishing.canary-%1"_s.arg(i % 97);
        r.before = {{"enabled", true}};
        r.after = {{"enabled", false}};
        r.reason = u"P1 publish failure breach"_s;
        r.requestId = u"req-%1"_s.arg(i);
        r.hash = AuditRecord::sha256Hex(AuditRecord::contentFor(r));
        buffer += r.toLine() + '\n';
        r.prev = r.hash;
        r.time = r.time.addMSecs(250);
        if (buffer.size() > (4 << 20)) {
            if (out.write(buffer) != buffer.size())
                return {};
            buffer.clear();
        }
    }
    if (out.write(buffer) != buffer.size() || !out.flush())
        return {};
    return path;
}

double statusMb(const QByteArray &field, qint64 pid)
{
    QFile f(pid > 0 ? u"/proc/%1/status"_s.arg(pid) : u"/proc/self/status"_s);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(field.size()).trimmed().split(' ').first().toDouble() / 1024.0;
    }
    return -1;
}

double rssMb(qint64 pid)
{
    return statusMb("VmRSS:", pid);
}

double peakRssMb(qint64 pid)
{
    return statusMb("VmHWM:", pid);
}

double median(QList<double> values)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

QString loadAverage()
{
    QFile f(u"/proc/loadavg"_s);
    if (!f.open(QIODevice::ReadOnly))
        return u"unknown"_s;
    return QString::fromLatin1(f.readAll().split(' ').mid(0, 3).join(' '));
}

} // namespace RaizeBench
