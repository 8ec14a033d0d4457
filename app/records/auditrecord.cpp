#include "records/auditrecord.h"

#include "core/jsonutil.h"
#include "core/sha256.h"

namespace Raize::Records {

using namespace Qt::StringLiterals;

namespace {
// The hash is the last key and has a fixed width, so its position in the line is fixed.
constexpr QByteArrayView hashKey = R"(,"hash":")";
} // namespace

QString AuditRecord::sha256Hex(const QByteArray &bytes)
{
    return Sha256::hexString(bytes);
}

QString AuditRecord::genesisHash()
{
    static const QString g = sha256Hex("raize-console audit log v1");
    return g;
}

QByteArray AuditRecord::contentFor(const AuditRecord &r)
{
    nlohmann::ordered_json j;
    j["prev"] = r.prev.toStdString();
    j["seq"] = r.seq;
    j["time"] = r.time.toUTC().toString(Qt::ISODateWithMs).toStdString();
    j["actor"] = r.actor.toStdString();
    j["action"] = r.action.toStdString();
    j["target"] = r.target.toStdString();
    j["service"] = r.service.toStdString();
    j["before"] = r.before;
    j["after"] = r.after;
    j["reason"] = r.reason.toStdString();
    j["requestId"] = r.requestId.toStdString();
    std::string s = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    s.pop_back(); // the closing brace: "hash" follows
    return QByteArray(s.data(), qsizetype(s.size()));
}

QByteArray AuditRecord::toLine() const
{
    return contentFor(*this) + hashKey.toByteArray() + hash.toLatin1() + "\"}";
}

bool AuditRecord::fromLine(const QByteArray &line, AuditRecord *out, QString *error)
{
    QString parseError;
    const nlohmann::json j = Json::parse(line, &parseError);
    if (j.is_discarded() || !j.is_object()) {
        if (error)
            *error = parseError.isEmpty() ? u"not a JSON object"_s : parseError;
        return false;
    }
    const auto str = [&](const char *key, QString *dst) {
        const auto it = j.find(key);
        if (it == j.end() || !it->is_string())
            return false;
        *dst = QString::fromStdString(it->get<std::string>());
        return true;
    };
    AuditRecord r;
    QString time;
    const auto seq = j.find("seq");
    if (seq == j.end() || !seq->is_number_integer() || !str("prev", &r.prev) || !str("hash", &r.hash)
        || !str("time", &time) || !str("actor", &r.actor) || !str("action", &r.action)) {
        if (error)
            *error = u"missing or mistyped field (seq, prev, hash, time, actor or action)"_s;
        return false;
    }
    r.seq = seq->get<qint64>();
    r.time = QDateTime::fromString(time, Qt::ISODateWithMs);
    str("target", &r.target);
    str("service", &r.service);
    str("reason", &r.reason);
    str("requestId", &r.requestId);
    r.before = j.value("before", nlohmann::json());
    r.after = j.value("after", nlohmann::json());
    *out = std::move(r);
    return true;
}

nlohmann::json AuditRecord::toJson() const
{
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(toLine().toStdString());
    return nlohmann::json(j);
}

} // namespace Raize::Records
