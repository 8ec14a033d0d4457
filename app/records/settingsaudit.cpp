#include "records/settingsaudit.h"

#include "records/auditlog.h"

#include <QDir>
#include <QFileInfo>

#include <nlohmann/json.hpp>

namespace Raize::Records {

using namespace Qt::StringLiterals;

namespace {

nlohmann::json jsonValue(const QVariant &v)
{
    switch (v.metaType().id()) {
    case QMetaType::Bool:
        return v.toBool();
    case QMetaType::Int:
    case QMetaType::LongLong:
        return v.toLongLong();
    default:
        return v.toString().toStdString();
    }
}

// The value as the key's type, as `settings set` converts it.
QVariant typed(const SettingSpec &spec, const QVariant &value)
{
    if (!value.isValid())
        return spec.defaultValue;
    QVariant v = value;
    if (spec.defaultValue.isValid() && v.metaType() != spec.defaultValue.metaType())
        v.convert(spec.defaultValue.metaType());
    return v;
}

} // namespace

Result<SettingsAudit::Outcome> SettingsAudit::apply(Settings &settings, const QList<Change> &changes, const QString &actor,
                                                   const QString &reason, AuditSink *sink)
{
    Outcome out;
    nlohmann::json before = nlohmann::json::object(), after = nlohmann::json::object();
    for (const Change &c : changes) {
        const SettingSpec &spec = Settings::spec(c.first);
        const QVariant was = typed(spec, settings.value(c.first));
        const QVariant will = typed(spec, c.second);
        if (was == will)
            continue;
        const std::string key = QString(spec.name).toStdString();
        before[key] = jsonValue(was);
        after[key] = jsonValue(will);
        out.changed << QString(spec.name);
    }
    if (out.changed.isEmpty())
        return out;

    const QString oldPath = AuditLog::defaultPath(settings.profile(), settings.string(SettingKey::AuditLogPath));
    AuditLog ownLog(oldPath);
    AuditSink &log = sink ? *sink : ownLog;
    AuditRecord r;
    r.actor = actor;
    r.action = u"settings.change"_s;
    r.target = u"profile "_s + settings.profile();
    r.service = u"console"_s;
    r.before = before;
    r.after = after;
    r.reason = reason;
    if (const Status s = log.append(r); !s) {
        Error e = s.error();
        e.message = u"the settings were not changed: their audit record could not be written (%1)"_s.arg(e.message);
        return e;
    }
    out.seq = r.seq;

    // A new log carries the chain on: its next record names the old log's head, before the change is stored.
    QString newPath = oldPath;
    for (const Change &c : changes) {
        if (c.first == SettingKey::AuditLogPath)
            newPath = AuditLog::defaultPath(settings.profile(), typed(Settings::spec(c.first), c.second).toString());
    }
    if (QFileInfo(newPath).absoluteFilePath() != QFileInfo(oldPath).absoluteFilePath()) {
        AuditLog next(newPath);
        AuditRecord link;
        link.actor = actor;
        link.action = u"audit.continued"_s;
        link.target = newPath;
        link.service = u"console"_s;
        link.before = {{"file", oldPath.toStdString()}, {"seq", r.seq}, {"hash", r.hash.toStdString()}};
        link.after = {{"file", newPath.toStdString()}};
        link.reason = u"audit/logPath changed; this log carries on from %1 at record #%2"_s.arg(oldPath).arg(r.seq);
        if (const Status s = next.append(link); !s) {
            AuditRecord failed = r;
            failed.action = u"settings.change.failed"_s;
            failed.time = {};
            failed.requestId.clear();
            failed.reason = u"the new audit log %1 cannot be written: %2"_s.arg(newPath, s.error().message);
            log.append(failed);
            Error e = s.error();
            e.message = u"the settings were not changed: the new audit log %1 cannot be written (%2)"_s.arg(newPath, e.message);
            return e;
        }
        out.newLogPath = newPath;
    }

    for (const Change &c : changes) {
        if (c.second.isValid())
            settings.setValue(c.first, typed(Settings::spec(c.first), c.second));
        else
            settings.reset(c.first);
    }
    if (const Status synced = settings.sync(); !synced) {
        AuditRecord failed = r;
        failed.action = u"settings.change.failed"_s;
        failed.time = {};
        failed.requestId.clear();
        failed.reason = synced.error().message;
        AuditLog(out.newLogPath.isEmpty() ? oldPath : out.newLogPath).append(failed);
        return synced.error();
    }
    return out;
}

} // namespace Raize::Records
