#include "flagevaluator.h"

namespace Raize::Sandbox {

using namespace Qt::StringLiterals;

QString FlagContext::value(const QString &field) const
{
    if (field == u"clientId"_s || field == u"userId"_s)
        return clientId;
    if (field == u"platformAccount"_s)
        return platformAccount;
    if (field == u"lane"_s)
        return lane;
    if (field == u"cohort"_s)
        return cohort;
    if (field == u"environment"_s)
        return u"production"_s;
    return {};
}

bool FlagEvaluator::load(const nlohmann::json &body)
{
    if (!body.is_object() || !body.contains("features") || !body["features"].is_array())
        return false;
    QHash<QString, Feature> features;
    try {
        for (const auto &f : body["features"]) {
            Feature feature;
            feature.enabled = f.value("enabled", false);
            for (const auto &s : f.value("strategies", nlohmann::json::array())) {
                Strategy st;
                st.name = QString::fromStdString(s.value("name", ""));
                const auto params = s.value("parameters", nlohmann::json::object());
                if (params.contains("rollout"))
                    st.rollout = params["rollout"].is_string() ? std::stoi(params["rollout"].get<std::string>()) : params["rollout"].get<int>();
                st.groupId = QString::fromStdString(params.value("groupId", ""));
                for (const auto &c : s.value("constraints", nlohmann::json::array())) {
                    Constraint con;
                    con.contextName = QString::fromStdString(c.value("contextName", ""));
                    con.op = QString::fromStdString(c.value("operator", "IN"));
                    con.inverted = c.value("inverted", false);
                    for (const auto &v : c.value("values", nlohmann::json::array()))
                        con.values << QString::fromStdString(v.get<std::string>());
                    if (c.contains("value") && c["value"].is_string())
                        con.values << QString::fromStdString(c["value"].get<std::string>());
                    st.constraints.append(con);
                }
                feature.strategies.append(st);
            }
            for (const auto &d : f.value("dependencies", nlohmann::json::array()))
                feature.dependencies.append({QString::fromStdString(d.value("feature", "")), d.value("enabled", true)});
            features.insert(QString::fromStdString(f.value("name", "")), feature);
        }
    } catch (const std::exception &) {
        return false;
    }
    m_features = std::move(features);
    return true;
}

bool FlagEvaluator::matches(const Strategy &s, const FlagContext &c, const QString &feature)
{
    for (const Constraint &con : s.constraints) {
        const QString v = c.value(con.contextName);
        bool ok = false;
        if (con.op == u"IN"_s)
            ok = con.values.contains(v);
        else if (con.op == u"NOT_IN"_s)
            ok = !con.values.contains(v);
        else if (con.op == u"STR_CONTAINS"_s)
            ok = std::any_of(con.values.cbegin(), con.values.cend(), [&](const QString &x) { return v.contains(x); });
        if (con.inverted)
            ok = !ok;
        if (!ok)
            return false;
    }
    if (s.name == u"default"_s || s.rollout >= 100)
        return true;
    if (s.rollout <= 0)
        return false;
    // Stickiness on the client: the same client is in or out for every request.
    const QString key = (s.groupId.isEmpty() ? feature : s.groupId) + u':' + c.clientId;
    return int(qHash(key, 0) % 100) < s.rollout;
}

bool FlagEvaluator::isEnabled(const QString &feature, const FlagContext &context) const
{
    return isEnabled(feature, context, 0);
}

bool FlagEvaluator::isEnabled(const QString &feature, const FlagContext &context, int depth) const
{
    const auto it = m_features.constFind(feature);
    if (it == m_features.cend() || !it->enabled || depth > 8)
        return false;
    // Parents first, as the SDKs do (a parent the SDK does not see is off).
    for (const Dependency &d : it->dependencies) {
        if (isEnabled(d.feature, context, depth + 1) != d.enabled)
            return false;
    }
    if (it->strategies.isEmpty())
        return true;
    return std::any_of(it->strategies.cbegin(), it->strategies.cend(),
                       [&](const Strategy &s) { return matches(s, context, feature); });
}

bool FlagEvaluator::anyEnabled(const QString &prefix, const FlagContext &context) const
{
    for (auto it = m_features.cbegin(); it != m_features.cend(); ++it) {
        if (it.key().startsWith(prefix) && isEnabled(it.key(), context))
            return true;
    }
    return false;
}

} // namespace Raize::Sandbox
