#pragma once

// Helpers the benchmarks share: a hash-chained audit log built in memory with
// the console's own record code (appending one fsync at a time would measure
// the disk), the process's memory figures and a median.

#include <QList>
#include <QString>

namespace RaizeBench {

// Writes n chained records (flag changes and rollbacks, 250 ms apart, from
// `firstSecs` on) to path. Empty on failure.
QString buildAuditLog(const QString &path, qint64 n, qint64 firstSecs = 1'790'000'000);

// VmRSS / VmHWM of a process (self when pid is 0), in MiB; -1 when unreadable.
double rssMb(qint64 pid = 0);
double peakRssMb(qint64 pid = 0);
// Any size field of /proc/<pid>/status ("RssAnon:", "RssFile:"), in MiB; -1 when unreadable.
double statusMb(const QByteArray &field, qint64 pid = 0);

double median(QList<double> values);

// The first three fields of /proc/loadavg ("1.20 1.35 1.50"), to print beside
// a figure measured on a shared machine.
QString loadAverage();

} // namespace RaizeBench
