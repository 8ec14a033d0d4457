#include "platformfault.h"

#include "trafficmodel.h"

namespace Raize::Sandbox {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {
const QList<QPair<PlatformFault::Kind, QString>> &kindTable()
{
    using K = PlatformFault::Kind;
    static const QList<QPair<K, QString>> table = {
        {K::PublishFailure, u"publishFailure"_s},     {K::HttpErrors, u"httpErrors"_s},
        {K::SlowVerification, u"slowVerification"_s}, {K::SlowQueue, u"slowQueue"_s},
        {K::MissedHeartbeat, u"missedHeartbeat"_s},   {K::BrowserDrift, u"browserDrift"_s},
        {K::WrongAccount, u"wrongAccount"_s},         {K::Duplicate, u"duplicate"_s},
        {K::IgnoresKillSwitch, u"ignoresKillSwitch"_s}, {K::QueueStuck, u"queueStuck"_s},
        {K::RateLimited, u"rateLimited"_s},           {K::Checkpoint, u"checkpoint"_s},
    };
    return table;
}

QString text(const json &o, const char *key, const QString &fallback)
{
    return o.contains(key) && o[key].is_string() ? QString::fromStdString(o[key].get<std::string>()) : fallback;
}
} // namespace

QString PlatformFault::kindName(Kind kind)
{
    for (const auto &[k, name] : kindTable()) {
        if (k == kind)
            return name;
    }
    return {};
}

std::optional<PlatformFault::Kind> PlatformFault::kindFromName(const QString &name)
{
    for (const auto &[k, n] : kindTable()) {
        if (n == name)
            return k;
    }
    return std::nullopt;
}

QStringList PlatformFault::kindNames()
{
    QStringList out;
    for (const auto &[k, n] : kindTable())
        out << n;
    return out;
}

QStringList PlatformFault::servicesOf(Kind kind)
{
    return kind == Kind::HttpErrors ? QStringList{u"web"_s} : QStringList{u"runner"_s};
}

bool PlatformFault::covers(const QString &cohortId, const QString &laneId, const QString &serviceId) const
{
    return (cohort == u"*"_s || cohort == cohortId) && (lane == u"*"_s || lane == laneId) && (service == u"*"_s || service == serviceId);
}

std::optional<QList<PlatformFault>> PlatformFault::listFromScenario(const json &platform, QString *error)
{
    QList<PlatformFault> out;
    if (!platform.is_object() || !platform.contains("faults"))
        return out;
    const json &list = platform["faults"];
    const auto fail = [&](const QString &at, const QString &why) {
        if (error)
            *error = at + u": "_s + why;
        return std::nullopt;
    };
    if (!list.is_array())
        return fail(u"faults"_s, u"must be an array of faults"_s);
    static const QStringList keys = {u"kind"_s, u"ratio"_s, u"extraRate"_s, u"cohort"_s, u"lane"_s, u"service"_s,
                                     u"deployment"_s, u"whenFlags"_s, u"minutesAgo"_s, u"note"_s};
    QStringList cohorts;
    for (const TrafficModel::Cohort &c : TrafficModel::cohorts())
        cohorts << c.id;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const json &o = list[i];
        const QString at = u"faults[%1]"_s.arg(i);
        if (!o.is_object())
            return fail(at, u"must be an object"_s);
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (!keys.contains(QString::fromStdString(it.key())))
                return fail(at + u'.' + QString::fromStdString(it.key()), u"unknown key (known: %1)"_s.arg(keys.join(u", "_s)));
        }
        PlatformFault f;
        const QString kind = text(o, "kind", {});
        const auto k = kindFromName(kind);
        if (!k)
            return fail(at + u".kind"_s, u"unknown fault kind \"%1\" (known: %2)"_s.arg(kind, kindNames().join(u", "_s)));
        f.kind = *k;
        const bool needsRatio = f.kind != Kind::IgnoresKillSwitch && f.kind != Kind::QueueStuck;
        if (o.contains("ratio")) {
            if (!o["ratio"].is_number() || o["ratio"].get<double>() < 0 || o["ratio"].get<double>() > 1)
                return fail(at + u".ratio"_s, u"must be a number from 0 to 1 (the fraction of events that go bad)"_s);
            if (!needsRatio)
                return fail(at + u".ratio"_s, u"a %1 fault has no ratio"_s.arg(kind));
            f.ratio = o["ratio"].get<double>();
        } else if (needsRatio) {
            return fail(at + u".ratio"_s, u"missing: the fraction of events that go bad, from 0 to 1"_s);
        }
        if (o.contains("extraRate")) {
            if (!f.isSloKind() || f.kind == Kind::MissedHeartbeat)
                return fail(at + u".extraRate"_s, u"only the SLO kinds with events of their own take extra events (not %1)"_s.arg(kind));
            if (!o["extraRate"].is_number() || o["extraRate"].get<double>() < 0)
                return fail(at + u".extraRate"_s, u"must be a number of events per second, 0 or more"_s);
            f.extraRate = o["extraRate"].get<double>();
        }
        f.cohort = text(o, "cohort", u"*"_s);
        if (f.cohort != u"*"_s && !cohorts.contains(f.cohort))
            return fail(at + u".cohort"_s, u"no cohort \"%1\" (known: *, %2)"_s.arg(f.cohort, cohorts.join(u", "_s)));
        f.lane = text(o, "lane", u"*"_s);
        if (f.lane != u"*"_s && !TrafficModel::lanes().contains(f.lane))
            return fail(at + u".lane"_s, u"no lane \"%1\" (known: *, %2)"_s.arg(f.lane, TrafficModel::lanes().join(u", "_s)));
        if (f.kind == Kind::BrowserDrift && f.lane == u"api"_s)
            return fail(at + u".lane"_s, u"browser drift happens in the browser lane only"_s);
        f.service = text(o, "service", u"*"_s);
        if (f.service != u"*"_s && !servicesOf(f.kind).contains(f.service))
            return fail(at + u".service"_s, u"%1 is not exported by service \"%2\" (only by %3)"_s.arg(kind, f.service, servicesOf(f.kind).join(u", "_s)));
        f.deployment = text(o, "deployment", {});
        if (o.contains("whenFlags")) {
            if (!o["whenFlags"].is_array())
                return fail(at + u".whenFlags"_s, u"must be an array of flag names"_s);
            for (const json &flag : o["whenFlags"]) {
                if (!flag.is_string() || flag.get<std::string>().empty())
                    return fail(at + u".whenFlags"_s, u"must be an array of flag names"_s);
                f.whenFlags << QString::fromStdString(flag.get<std::string>());
            }
        }
        if (o.contains("minutesAgo")) {
            if (!o["minutesAgo"].is_number() || o["minutesAgo"].get<double>() <= 0)
                return fail(at + u".minutesAgo"_s, u"must be a positive number of minutes"_s);
            if (!f.isSloKind())
                return fail(at + u".minutesAgo"_s, u"only SLO kinds have a backfilled history (not %1)"_s.arg(kind));
            f.minutesAgo = o["minutesAgo"].get<double>();
        }
        out.append(f);
    }
    return out;
}

} // namespace Raize::Sandbox
