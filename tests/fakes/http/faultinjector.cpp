#include "faultinjector.h"

#include "httpserver.h"

namespace Raize::Sandbox {

using namespace Qt::StringLiterals;

namespace {
const QList<QPair<FaultRule::Mode, const char *>> &modeNames()
{
    static const QList<QPair<FaultRule::Mode, const char *>> names = {
        {FaultRule::Mode::Latency, "latency"},         {FaultRule::Mode::Error, "error"},
        {FaultRule::Mode::RateLimit, "rate_limit"},    {FaultRule::Mode::Reset, "reset"},
        {FaultRule::Mode::Stall, "stall"},             {FaultRule::Mode::MalformedJson, "malformed_json"},
        {FaultRule::Mode::TruncatedJson, "truncated_json"}, {FaultRule::Mode::WrongContentType, "wrong_content_type"},
        {FaultRule::Mode::SchemaBreak, "schema_break"},
    };
    return names;
}
} // namespace

QString FaultRule::modeName(Mode mode)
{
    for (const auto &[m, n] : modeNames()) {
        if (m == mode)
            return QString::fromLatin1(n);
    }
    return {};
}

std::optional<FaultRule> FaultRule::fromJson(const nlohmann::json &j, QString *error)
{
    const auto fail = [&](const QString &why) -> std::optional<FaultRule> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (!j.is_object())
        return fail(u"a fault rule is a JSON object"_s);
    FaultRule r;
    const std::string mode = j.value("mode", "");
    bool known = false;
    for (const auto &[m, n] : modeNames()) {
        if (mode == n) {
            r.mode = m;
            known = true;
        }
    }
    if (!known)
        return fail(u"unknown fault mode \"%1\" (latency, error, rate_limit, reset, stall, malformed_json, truncated_json, wrong_content_type, schema_break)"_s
                        .arg(QString::fromStdString(mode)));
    try {
        r.service = QString::fromStdString(j.value("service", ""));
        r.method = QByteArray::fromStdString(j.value("method", "")).toUpper();
        r.path = QRegularExpression(QString::fromStdString(j.value("path", "")));
        if (!r.path.isValid())
            return fail(u"invalid path pattern: "_s + r.path.errorString());
        r.probability = j.value("probability", 1.0);
        r.remaining = j.value("count", -1);
        r.latencyMs = j.value("latencyMs", r.mode == Mode::Stall ? 30000 : 0);
        r.status = j.value("status", r.mode == Mode::RateLimit ? 429 : 500);
        if (j.contains("retryAfter") && j["retryAfter"].is_null())
            r.retryAfterText = QByteArray();
        else if (j.contains("retryAfter") && j["retryAfter"].is_string())
            r.retryAfterText = QByteArray::fromStdString(j["retryAfter"].get<std::string>());
        else
            r.retryAfterSeconds = j.value("retryAfter", 1);
        r.statusGiven = j.contains("status");
        r.secondary = j.value("secondary", false);
        r.wording = QString::fromStdString(j.value("wording", "secondary"));
        if (r.wording != u"secondary"_s && r.wording != u"abuse"_s)
            return fail(u"wording must be \"secondary\" or \"abuse\""_s);
        r.afterHandler = j.value("afterHandler", false);
        r.field = QString::fromStdString(j.value("field", ""));
    } catch (const nlohmann::json::exception &e) {
        return fail(u"mistyped fault rule field: "_s + QString::fromUtf8(e.what()));
    }
    return r;
}

nlohmann::json FaultRule::toJson() const
{
    return {{"id", id.toStdString()}, {"service", service.toStdString()}, {"method", method.toStdString()},
            {"path", path.pattern().toStdString()}, {"mode", modeName(mode).toStdString()}, {"probability", probability},
            {"count", remaining}, {"latencyMs", latencyMs}, {"status", status},
            {"retryAfter", retryAfterText ? nlohmann::json(retryAfterText->toStdString()) : nlohmann::json(retryAfterSeconds)},
            {"secondary", secondary}, {"wording", wording.toStdString()}, {"afterHandler", afterHandler}, {"field", field.toStdString()}};
}

FaultInjector::FaultInjector(quint32 seed)
    : m_rng(seed)
{
}

QString FaultInjector::add(FaultRule rule)
{
    rule.id = u"fault-%1"_s.arg(m_nextId++);
    m_rules.append(rule);
    return rule.id;
}

bool FaultInjector::remove(const QString &id)
{
    return m_rules.removeIf([&](const FaultRule &r) { return r.id == id; }) > 0;
}

void FaultInjector::clear()
{
    m_rules.clear();
}

std::optional<FaultRule> FaultInjector::take(const HttpRequest &request)
{
    for (FaultRule &r : m_rules) {
        if (r.remaining == 0)
            continue;
        if (!r.service.isEmpty() && r.service != request.service)
            continue;
        if (!r.method.isEmpty() && r.method != request.method)
            continue;
        if (!r.path.pattern().isEmpty() && !r.path.match(request.path).hasMatch())
            continue;
        if (r.probability < 1.0 && std::uniform_real_distribution<double>(0, 1)(m_rng) >= r.probability)
            continue;
        if (r.remaining > 0)
            --r.remaining;
        return r;
    }
    return std::nullopt;
}

} // namespace Raize::Sandbox
