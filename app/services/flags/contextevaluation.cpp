#include "services/flags/contextevaluation.h"

#include <algorithm>

namespace Raize::Services {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

qsizetype ContextGrid::size() const
{
    qsizetype n = fields.isEmpty() ? 0 : 1;
    for (const auto &[name, values] : fields) {
        if (!values.isEmpty())
            n *= values.size();
    }
    return n;
}

QList<ContextFields> ContextGrid::expand() const
{
    QList<ContextFields> out;
    if (fields.isEmpty())
        return out;
    out << ContextFields();
    for (const auto &[name, values] : fields) {
        if (values.isEmpty())
            continue;
        QList<ContextFields> next;
        next.reserve(out.size() * values.size());
        for (const ContextFields &c : std::as_const(out)) {
            for (const QString &v : values) {
                ContextFields d = c;
                d.insert(name, v);
                next << d;
            }
        }
        out = std::move(next);
    }
    return out;
}

qsizetype EvaluationQuery::contexts() const
{
    qsizetype n = 0;
    for (const ContextGrid &g : grids)
        n += g.size();
    return n;
}

namespace {

json strings(const QStringList &l)
{
    json a = json::array();
    for (const QString &s : l)
        a.push_back(s.toStdString());
    return a;
}

std::optional<QStringList> readStrings(const json &a)
{
    if (!a.is_array())
        return std::nullopt;
    QStringList out;
    for (const json &v : a) {
        if (!v.is_string())
            return std::nullopt;
        out << QString::fromStdString(v.get<std::string>());
    }
    return out;
}

} // namespace

json EvaluationQuery::toJson() const
{
    json grids_ = json::array();
    for (const ContextGrid &g : grids) {
        json fields = json::array();
        for (const auto &[name, values] : g.fields)
            fields.push_back({{"field", name.toStdString()}, {"values", strings(values)}});
        grids_.push_back(fields);
    }
    return {{"environment", environment.toStdString()}, {"flags", strings(flags)}, {"grids", grids_}};
}

std::optional<EvaluationQuery> EvaluationQuery::fromJson(const json &j)
{
    if (!j.is_object() || !j.contains("flags") || !j.contains("grids") || !j["grids"].is_array())
        return std::nullopt;
    EvaluationQuery q;
    q.environment = j.value("environment", json()).is_string() ? QString::fromStdString(j["environment"].get<std::string>()) : QString();
    const auto flags = readStrings(j["flags"]);
    if (!flags)
        return std::nullopt;
    q.flags = *flags;
    for (const json &g : j["grids"]) {
        if (!g.is_array())
            return std::nullopt;
        ContextGrid grid;
        for (const json &f : g) {
            if (!f.is_object() || !f.contains("field") || !f["field"].is_string() || !f.contains("values"))
                return std::nullopt;
            const auto values = readStrings(f["values"]);
            if (!values)
                return std::nullopt;
            grid.fields.append({QString::fromStdString(f["field"].get<std::string>()), *values});
        }
        q.grids << grid;
    }
    return q;
}

QString contextKey(const ContextFields &context)
{
    QStringList names = context.keys();
    std::sort(names.begin(), names.end());
    QStringList parts;
    for (const QString &n : std::as_const(names))
        parts << n + u'=' + context.value(n);
    return parts.join(u' ');
}

} // namespace Raize::Services
