#include "release/cohorts.h"

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Release {

namespace {

Error cohortError(const QString &where, const QString &field, const QString &message)
{
    Error e = Error::make(Error::Kind::Config, u"policy"_s, u"%1: %2: %3"_s.arg(where, field, message),
                          u"Fix the cohort list and load it again; the console keeps the cohorts it had."_s);
    e.fieldPath = field;
    return e;
}

Result<QStringList> strings(const json &o, const char *key, const QString &where, const QString &field)
{
    QStringList out;
    const auto it = o.find(key);
    if (it == o.end())
        return out;
    if (!it->is_array())
        return cohortError(where, field, u"must be an array of strings"_s);
    for (const json &v : *it) {
        if (!v.is_string() || v.get<std::string>().empty())
            return cohortError(where, field, u"must be an array of non-empty strings"_s);
        const QString s = QString::fromStdString(v.get<std::string>());
        if (!out.contains(s))
            out << s;
    }
    return out;
}

bool overlaps(const QStringList &a, const QStringList &b)
{
    for (const QString &s : a) {
        if (b.contains(s))
            return true;
    }
    return false;
}

// For a "*" cohort: some value that no listed cohort claims.
bool unclaimed(const QStringList &values, const QList<Cohort> &all, QStringList Cohort::*member)
{
    for (const QString &v : values) {
        bool claimed = false;
        for (const Cohort &c : all)
            claimed = claimed || (!c.everyone() && (c.*member).contains(v));
        if (!claimed)
            return true;
    }
    return false;
}

} // namespace

bool Cohort::everyone() const
{
    return clientIds == QStringList{u"*"_s} || platformAccountIds == QStringList{u"*"_s};
}

Services::FlagScope Cohort::scope() const
{
    Services::FlagScope s;
    if (everyone())
        return s;
    s.clientIds = clientIds;
    s.platformAccountIds = platformAccountIds;
    return s;
}

Result<QList<Cohort>> cohortsFromJson(const json &array, const QString &where)
{
    if (!array.is_array() || array.empty())
        return cohortError(where, u"cohorts"_s, u"must be a non-empty array"_s);
    QList<Cohort> out;
    for (std::size_t i = 0; i < array.size(); ++i) {
        const QString at = u"cohorts[%1]"_s.arg(i);
        const json &o = array[i];
        if (!o.is_object())
            return cohortError(where, at, u"must be an object"_s);
        Cohort c;
        c.id = o.contains("id") && o["id"].is_string() ? QString::fromStdString(o["id"].get<std::string>()) : QString();
        c.name = o.contains("name") && o["name"].is_string() ? QString::fromStdString(o["name"].get<std::string>()) : QString();
        if (c.id.isEmpty())
            return cohortError(where, at + u".id"_s, u"must be a non-empty string"_s);
        for (const Cohort &other : std::as_const(out)) {
            if (other.id == c.id)
                return cohortError(where, at + u".id"_s, u"\"%1\" is given twice"_s.arg(c.id));
        }
        if (c.name.isEmpty())
            c.name = c.id;
        Result<QStringList> clients = strings(o, "clientIds", where, at + u".clientIds"_s);
        if (!clients)
            return clients.error();
        Result<QStringList> accounts = strings(o, "platformAccounts", where, at + u".platformAccounts"_s);
        if (!accounts)
            return accounts.error();
        c.clientIds = *clients;
        c.platformAccountIds = *accounts;
        if (c.clientIds.isEmpty() && c.platformAccountIds.isEmpty())
            return cohortError(where, at, u"lists no client and no platform account"_s);
        if ((c.clientIds.contains(u"*"_s) && c.clientIds.size() > 1)
            || (c.platformAccountIds.contains(u"*"_s) && c.platformAccountIds.size() > 1))
            return cohortError(where, at, u"\"*\" (everyone else) cannot be mixed with ids"_s);
        out.append(c);
    }
    return out;
}

Result<QList<Cohort>> cohortsFromPolicy(const Policy::Bundle &bundle)
{
    return cohortsFromJson(bundle.section("cohorts"), bundle.source);
}

json cohortsToJson(const QList<Cohort> &cohorts)
{
    json out = json::array();
    for (const Cohort &c : cohorts) {
        json ids = json::array(), accounts = json::array();
        for (const QString &s : c.clientIds)
            ids.push_back(s.toStdString());
        for (const QString &s : c.platformAccountIds)
            accounts.push_back(s.toStdString());
        out.push_back({{"id", c.id.toStdString()}, {"name", c.name.toStdString()}, {"clientIds", ids}, {"platformAccounts", accounts}});
    }
    return out;
}

bool scopeReaches(const Services::FlagScope &scope, const Cohort &cohort, const QList<Cohort> &all)
{
    if (!scope.other.isEmpty())
        return false; // constraints the console does not model: not claimed as reaching anyone
    if (!scope.cohorts.isEmpty() && !scope.cohorts.contains(cohort.id))
        return false;
    if (!scope.clientIds.isEmpty()) {
        const bool match = cohort.clientIds == QStringList{u"*"_s} ? unclaimed(scope.clientIds, all, &Cohort::clientIds)
                                                                   : overlaps(scope.clientIds, cohort.clientIds);
        if (!match)
            return false;
    }
    if (!scope.platformAccountIds.isEmpty()) {
        const bool match = cohort.platformAccountIds == QStringList{u"*"_s}
                               ? unclaimed(scope.platformAccountIds, all, &Cohort::platformAccountIds)
                               : overlaps(scope.platformAccountIds, cohort.platformAccountIds);
        if (!match)
            return false;
    }
    return true;
}

QStringList canaryFlagsOn(const QList<Services::FlagState> &flags, const Cohort &cohort, const QList<Cohort> &all)
{
    QStringList out;
    for (const Services::FlagState &f : flags) {
        if (!f.enabled || f.type == u"kill-switch"_s)
            continue;
        for (const Services::FlagStrategy &s : f.strategies) {
            const bool restricted = !s.scope.clientIds.isEmpty() || !s.scope.platformAccountIds.isEmpty() || !s.scope.cohorts.isEmpty();
            if (!s.disabled && s.rolloutPercent != 0 && restricted && scopeReaches(s.scope, cohort, all)) {
                out << f.key;
                break;
            }
        }
    }
    return out;
}

} // namespace Raize::Release
