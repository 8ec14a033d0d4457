#pragma once

#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>

namespace Raize::Net {

using QueryItems = QList<QPair<QString, QString>>;

// base + path + query, for every client: the base URL may carry a path prefix
// (a proxy, GitHub Enterprise's /api/v3) and keeps it; query values are encoded.
QUrl endpoint(const QUrl &base, const QString &path, const QueryItems &query = {});

} // namespace Raize::Net
