#include "slopolicy.h"

#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Slo {

namespace {

} // namespace

Result<qint64> parseDuration(const QString &text)
{
    static const QRegularExpression re(u"^([0-9]+)([smhd])$"_s);
    const QRegularExpressionMatch m = re.match(text.trimmed());
    const qint64 n = m.hasMatch() ? m.captured(1).toLongLong() : 0;
    if (n <= 0)
        return Error::make(Error::Kind::Config, u"policy"_s, u"\"%1\" is not a duration like 5m, 1h or 3d"_s.arg(text));
    const QChar unit = m.captured(2).at(0);
    const qint64 ms = unit == u's' ? 1000 : unit == u'm' ? MinuteMs : unit == u'h' ? HourMs : DayMs;
    return n * ms;
}

Result<QList<SloSpec>> slosFromPolicy(const Policy::Bundle &bundle)
{
    const json &section = bundle.section("slos");
    if (!section.is_array() || section.empty())
        return Policy::fieldError(bundle, u"slos"_s, u"must be a non-empty array"_s);
    QList<SloSpec> out;
    QStringList ids;
    for (std::size_t i = 0; i < section.size(); ++i) {
        const json &o = section[i];
        const QString at = u"slos[%1]"_s.arg(i);
        if (!o.is_object())
            return Policy::fieldError(bundle, at, u"must be an object"_s);
        SloSpec s;
        s.id = Policy::stringField(o, "id");
        s.title = Policy::stringField(o, "name");
        if (s.id.isEmpty())
            return Policy::fieldError(bundle, at + u".id"_s, u"must be a non-empty string"_s);
        if (ids.contains(s.id))
            return Policy::fieldError(bundle, at + u".id"_s, u"\"%1\" is given twice"_s.arg(s.id));
        ids << s.id;
        if (s.title.isEmpty())
            s.title = s.id;
        if (!o.contains("objective") || !o["objective"].is_number())
            return Policy::fieldError(bundle, at + u".objective"_s, u"must be a number"_s);
        s.objective = o["objective"].get<double>();
        if (!(s.objective > 0.0 && s.objective < 1.0))
            return Policy::fieldError(bundle, at + u".objective"_s, u"must lie strictly between 0 and 1"_s);
        if (o.contains("windowDays")) {
            if (!o["windowDays"].is_number_integer() || o["windowDays"].get<int>() <= 0)
                return Policy::fieldError(bundle, at + u".windowDays"_s, u"must be a positive whole number of days"_s);
            s.windowDays = o["windowDays"].get<int>();
        }
        s.totalMetric = Policy::stringField(o, "total");
        s.goodMetric = Policy::stringField(o, "good");
        s.badMetric = Policy::stringField(o, "bad");
        if (s.totalMetric.isEmpty())
            return Policy::fieldError(bundle, at + u".total"_s, u"must name the metric counting all events"_s);
        if (s.goodMetric.isEmpty() == s.badMetric.isEmpty())
            return Policy::fieldError(bundle, at, u"give exactly one of \"good\" and \"bad\""_s);
        if (o.contains("thresholdSeconds")) {
            if (!o["thresholdSeconds"].is_number() || o["thresholdSeconds"].get<double>() <= 0)
                return Policy::fieldError(bundle, at + u".thresholdSeconds"_s, u"must be a positive number"_s);
            s.thresholdSeconds = o["thresholdSeconds"].get<double>();
        }
        if (o.contains("minEvents")) {
            const json &m = o["minEvents"];
            if (!m.is_object())
                return Policy::fieldError(bundle, at + u".minEvents"_s, u"must map windows (\"5m\") to counts"_s);
            int smallest = 0;
            for (auto it = m.begin(); it != m.end(); ++it) {
                const QString key = QString::fromStdString(it.key());
                const Result<qint64> window = parseDuration(key);
                if (!window)
                    return Policy::fieldError(bundle, at + u".minEvents."_s + key, window.error().message);
                if (!it->is_number_integer() || it->get<int>() < 1)
                    return Policy::fieldError(bundle, at + u".minEvents."_s + key, u"must be a whole number of at least 1"_s);
                s.minEventsByWindowMs.insert(*window, it->get<int>());
                smallest = smallest == 0 ? it->get<int>() : std::min(smallest, it->get<int>());
            }
            s.minEvents = std::max(1, smallest);
        }
        if (o.contains("series")) {
            const json &t = o["series"];
            const QString tat = at + u".series"_s;
            if (!t.is_object())
                return Policy::fieldError(bundle, tat, u"must be an object (labels, services, lanes, fault)"_s);
            static const QStringList known = {u"cohort"_s, u"lane"_s, u"service"_s, u"deployment"_s};
            const auto names = [&](const char *key, QStringList *into) -> Status {
                if (!t.contains(key))
                    return okStatus();
                if (!t[key].is_array())
                    return Policy::fieldError(bundle, tat + u'.' + QLatin1StringView(key), u"must be an array of names"_s);
                for (const json &v : t[key]) {
                    if (!v.is_string() || v.get<std::string>().empty())
                        return Policy::fieldError(bundle, tat + u'.' + QLatin1StringView(key), u"must be an array of names"_s);
                    *into << QString::fromStdString(v.get<std::string>());
                }
                return okStatus();
            };
            for (const auto &[key, into] : {std::pair{"labels", &s.labels}, {"services", &s.services}, {"lanes", &s.lanes}}) {
                if (const Status st = names(key, into); !st.ok())
                    return st.error();
            }
            for (const QString &label : std::as_const(s.labels)) {
                if (!known.contains(label))
                    return Policy::fieldError(bundle, tat + u".labels"_s,
                                              u"\"%1\" is not a label the console groups by (%2)"_s.arg(label, known.join(u", "_s)));
            }
            if (!s.labels.isEmpty() && !s.labels.contains(u"cohort"_s))
                return Policy::fieldError(bundle, tat + u".labels"_s, u"must include \"cohort\": burn rates are read per cohort"_s);
            if (!s.services.isEmpty() && !s.labels.isEmpty() && !s.labels.contains(u"service"_s))
                return Policy::fieldError(bundle, tat + u".services"_s, u"needs \"service\" among the labels"_s);
            s.fault = Policy::stringField(t, "fault");
        }
        out.append(s);
    }
    return out;
}

Result<QList<BurnRule>> burnRulesFromPolicy(const Policy::Bundle &bundle)
{
    const json &section = bundle.section("burnAlerts");
    if (!section.is_array() || section.empty())
        return Policy::fieldError(bundle, u"burnAlerts"_s, u"must be a non-empty array"_s);
    QList<BurnRule> out;
    for (std::size_t i = 0; i < section.size(); ++i) {
        const json &o = section[i];
        const QString at = u"burnAlerts[%1]"_s.arg(i);
        if (!o.is_object())
            return Policy::fieldError(bundle, at, u"must be an object"_s);
        BurnRule r;
        const QString severity = Policy::stringField(o, "severity");
        if (severity == u"page"_s)
            r.severity = Severity::Page;
        else if (severity == u"ticket"_s)
            r.severity = Severity::Ticket;
        else
            return Policy::fieldError(bundle, at + u".severity"_s, u"must be \"page\" or \"ticket\""_s);
        if (!o.contains("burnRate") || !o["burnRate"].is_number() || o["burnRate"].get<double>() <= 0)
            return Policy::fieldError(bundle, at + u".burnRate"_s, u"must be a positive number"_s);
        r.burnRate = o["burnRate"].get<double>();
        const Result<qint64> longWindow = parseDuration(Policy::stringField(o, "longWindow"));
        if (!longWindow)
            return Policy::fieldError(bundle, at + u".longWindow"_s, longWindow.error().message);
        const Result<qint64> shortWindow = parseDuration(Policy::stringField(o, "shortWindow"));
        if (!shortWindow)
            return Policy::fieldError(bundle, at + u".shortWindow"_s, shortWindow.error().message);
        if (*shortWindow >= *longWindow)
            return Policy::fieldError(bundle, at + u".shortWindow"_s, u"must be shorter than the long window"_s);
        r.longWindowMs = *longWindow;
        r.shortWindowMs = *shortWindow;
        out.append(r);
    }
    return out;
}

} // namespace Raize::Slo

namespace Raize::Slo {

QList<SloSpec> defaultSlos()
{
    static const QList<SloSpec> slos = [] {
        const Result<QList<SloSpec>> r = slosFromPolicy(Policy::builtinBundle());
        // test_policy_bundle and test_slo_engine check the built-in bundle; failing here means the build is broken.
        if (!r)
            qFatal("built-in policy bundle: %s", qUtf8Printable(r.error().toString()));
        return *r;
    }();
    return slos;
}

QList<BurnRule> defaultBurnRules()
{
    static const QList<BurnRule> rules = [] {
        const Result<QList<BurnRule>> r = burnRulesFromPolicy(Policy::builtinBundle());
        if (!r)
            qFatal("built-in policy bundle: %s", qUtf8Printable(r.error().toString()));
        return *r;
    }();
    return rules;
}

} // namespace Raize::Slo
