#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QString>

#include <nlohmann/json.hpp>

namespace Raize::Records {

// One operator action or remote change. Stored as one JSON line whose keys
// are in a fixed order: "prev" first and "hash" last, so the verifier can
// check a line without parsing it (see ADR 0004).
struct AuditRecord
{
    qint64 seq = 0;              // 1, 2, 3, ... assigned by the log
    QDateTime time;              // UTC, millisecond precision; assigned by the log when invalid
    QString actor;               // who: an operator (OS user / GitHub login) or "console"
    QString action;              // what: "flag.disable", "vercel.rollback", "gate.override", ...
    QString target;              // on what: a flag, deployment id, issue, ...
    QString service;             // vercel, github, unleash, launchdarkly, prometheus, console
    nlohmann::json before;       // state before (null when not applicable)
    nlohmann::json after;        // state after
    QString reason;              // the operator's typed reason, when there is one
    QString requestId;           // the service's request id, when there is one
    QString prev;                // SHA-256 (hex) of the previous record; genesis hash for the first
    QString hash;                // SHA-256 (hex) of this record's line up to "hash"

    // The line without its trailing newline. Fills nothing: prev, seq and
    // time must be set. Returns the content that hash covers in *content.
    QByteArray toLine() const;
    static QByteArray contentFor(const AuditRecord &record);

    // Full parse, for viewers and export. Returns false on malformed input.
    static bool fromLine(const QByteArray &line, AuditRecord *out, QString *error = nullptr);
    nlohmann::json toJson() const;

    static QString genesisHash();
    static QString sha256Hex(const QByteArray &bytes);
};

} // namespace Raize::Records
