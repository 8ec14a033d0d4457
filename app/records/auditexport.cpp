#include "records/auditexport.h"

#include "core/jsonutil.h"

#include <QFile>

namespace Raize::Records {

using namespace Qt::StringLiterals;

bool AuditFilter::isEmpty() const
{
    return actionPrefix.isEmpty() && actor.isEmpty() && service.isEmpty() && text.isEmpty() && !since.isValid() && !until.isValid();
}

bool AuditFilter::matches(const AuditRecord &r) const
{
    if (!actionPrefix.isEmpty() && !r.action.startsWith(actionPrefix))
        return false;
    if (!actor.isEmpty() && r.actor != actor)
        return false;
    if (!service.isEmpty() && r.service != service)
        return false;
    if (since.isValid() && r.time < since)
        return false;
    if (until.isValid() && r.time > until)
        return false;
    if (!text.isEmpty()) {
        const auto has = [&](const QString &s) { return s.contains(text, Qt::CaseInsensitive); };
        if (!has(r.actor) && !has(r.action) && !has(r.target) && !has(r.service) && !has(r.reason) && !has(r.requestId)
            && !QString::fromUtf8(Json::dump(r.before)).contains(text, Qt::CaseInsensitive)
            && !QString::fromUtf8(Json::dump(r.after)).contains(text, Qt::CaseInsensitive))
            return false;
    }
    return true;
}

QByteArray AuditExport::render(const QList<AuditRecord> &records, Format format)
{
    if (format == Format::Json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const AuditRecord &r : records)
            arr.push_back(r.toJson());
        return QByteArray::fromStdString(arr.dump(2)) + '\n';
    }
    const auto cell = [](QString v) -> QString {
        v.replace(u'"', u"\"\""_s);
        return u'"' + v + u'"';
    };
    QString out = u"seq,time,actor,action,target,service,reason,requestId,before,after,hash\n"_s;
    for (const AuditRecord &r : records) {
        out += QStringList{QString::number(r.seq), r.time.toString(Qt::ISODateWithMs), cell(r.actor), cell(r.action),
                           cell(r.target), cell(r.service), cell(r.reason), cell(r.requestId),
                           cell(QString::fromUtf8(Json::dump(r.before))), cell(QString::fromUtf8(Json::dump(r.after))), r.hash}
                   .join(u',')
               + u'\n';
    }
    return out.toUtf8();
}

QList<AuditRecord> AuditExport::readAll(const QString &path, QString *error)
{
    QList<AuditRecord> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = f.errorString();
        return out;
    }
    while (!f.atEnd()) {
        const QByteArray line = f.readLine();
        if (!line.endsWith('\n'))
            break;
        AuditRecord r;
        if (AuditRecord::fromLine(line.chopped(1), &r))
            out.append(std::move(r));
    }
    return out;
}

} // namespace Raize::Records
