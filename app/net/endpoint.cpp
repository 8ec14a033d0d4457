#include "net/endpoint.h"

#include <QUrlQuery>

namespace Raize::Net {

QUrl endpoint(const QUrl &base, const QString &path, const QueryItems &query)
{
    QUrl u = base;
    QString prefix = u.path();
    if (prefix.endsWith(u'/'))
        prefix.chop(1);
    u.setPath(prefix + path);
    QUrlQuery q;
    q.setQueryItems(query);
    u.setQuery(q);
    return u;
}

} // namespace Raize::Net
