#include "release/staleness.h"

using namespace Qt::StringLiterals;

namespace Raize::Release {

QDateTime staleSince(const Freshness &freshness, const QDateTime &now, qint64 intervalMs)
{
    if (freshness.stale)
        return freshness.staleSince.isValid() ? freshness.staleSince : now;
    if (!freshness.fetchedAt.isValid())
        return {};
    const QDateTime limit = freshness.fetchedAt.addMSecs(2 * intervalMs);
    return now > limit ? limit : QDateTime();
}

QString staleSinceText(const QDateTime &since, const QTimeZone &zone)
{
    if (!since.isValid())
        return {};
    const QDateTime local = since.toTimeZone(zone);
    QString name = local.timeZoneAbbreviation();
    if (name.isEmpty())
        name = QString::fromUtf8(zone.id());
    return u"Stale since %1 %2"_s.arg(local.toString(u"HH:mm"_s), name);
}

} // namespace Raize::Release
