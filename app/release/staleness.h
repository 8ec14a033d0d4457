#pragma once

#include "release/freshness.h"

#include <QDateTime>
#include <QString>
#include <QTimeZone>

namespace Raize::Release {

// When polled data stops being current (issue #19 item 2): at the first
// failed poll (Freshness::staleSince), or when the last good answer is older
// than twice the poll interval (then from fetchedAt + 2 × interval). Invalid
// while the data is current or nothing was ever asked.
QDateTime staleSince(const Freshness &freshness, const QDateTime &now, qint64 intervalMs);

// "Stale since 14:03 CET": the local time with its zone, as every polled view shows it.
QString staleSinceText(const QDateTime &since, const QTimeZone &zone = QTimeZone::systemTimeZone());

} // namespace Raize::Release
