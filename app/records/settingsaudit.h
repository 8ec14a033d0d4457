#pragma once

#include "core/result.h"
#include "core/settings.h"

#include <QList>
#include <QPair>
#include <QStringList>
#include <QVariant>

namespace Raize::Records {

class AuditSink;

// Settings changes, audited (issue #17 item 6): the settings dialog, `raize-console settings set|reset` and any
// other caller that changes a profile's settings (arming, the sandbox marker) go through here.
class SettingsAudit
{
public:
    // One key's new value; an invalid QVariant puts the key back to its default.
    using Change = QPair<SettingKey, QVariant>;

    struct Outcome
    {
        QStringList changed; // the keys that changed (empty: nothing to do, nothing recorded)
        qint64 seq = 0;      // the "settings.change" record's seq
        QString newLogPath;  // set when audit/logPath changed: the file appends go to from now on
    };

    // Records one "settings.change" (actor, before and after of every key that changes, reason; the values as stored —
    // tokens are never settings, they live in the keychain) to the profile's current audit log, then stores the changes.
    // Nothing is stored when the record cannot be written. When audit/logPath changes, the new log's next record,
    // "audit.continued", names the old log's head (file, seq, hash) before the change is stored, so the chain carries
    // on; when that record cannot be written either, nothing is stored. `sink`: where the record goes (the workspace's
    // log); nullptr: the log audit/logPath names now.
    static Result<Outcome> apply(Settings &settings, const QList<Change> &changes, const QString &actor, const QString &reason,
                                 AuditSink *sink = nullptr);
};

} // namespace Raize::Records
