#include "rollback/blastradius.h"

#include <QSet>

#include <algorithm>

namespace Raize::Rollback {

using namespace Qt::StringLiterals;
using json = nlohmann::json;
using Services::ContextAnswer;
using Services::ContextFields;

bool KnownSubjects::named(const QString &id) const
{
    if (scopeClients.contains(id) || scopeAccounts.contains(id))
        return true;
    for (const Release::Cohort &c : cohorts) {
        if (!c.everyone() && (c.clientIds.contains(id) || c.platformAccountIds.contains(id)))
            return true;
    }
    return false;
}

Services::EvaluationQuery blastQuery(const KnownSubjects &subjects, const QStringList &flags, const QString &environment)
{
    Services::EvaluationQuery q;
    q.environment = environment;
    q.flags = flags;
    QStringList everyClient, everyAccount;
    const auto unnamed = [&](const QStringList &seen) {
        QStringList out;
        for (const QString &s : seen) {
            if (!s.isEmpty() && !subjects.named(s) && !out.contains(s))
                out << s;
        }
        std::sort(out.begin(), out.end());
        return out;
    };
    for (const Release::Cohort &c : subjects.cohorts) {
        const QStringList clients = c.everyone() ? unnamed(subjects.seenClients) : c.clientIds;
        const QStringList accounts = c.everyone() ? unnamed(subjects.seenAccounts) : c.platformAccountIds;
        Services::ContextGrid g;
        if (!clients.isEmpty())
            g.fields.append({ContextField::Client, clients});
        if (!accounts.isEmpty())
            g.fields.append({ContextField::Account, accounts});
        g.fields.append({ContextField::Lane, subjects.lanes});
        g.fields.append({ContextField::Cohort, {c.id}});
        q.grids << g;
        everyClient << clients;
        everyAccount << accounts;
    }
    // The scope's own ids that no cohort lists: the operator asked about them.
    QStringList clients, accounts;
    for (const QString &c : subjects.scopeClients) {
        if (!everyClient.contains(c) && !clients.contains(c))
            clients << c;
    }
    for (const QString &a : subjects.scopeAccounts) {
        if (!everyAccount.contains(a) && !accounts.contains(a))
            accounts << a;
    }
    if (!clients.isEmpty() || !accounts.isEmpty()) {
        Services::ContextGrid g;
        if (!clients.isEmpty())
            g.fields.append({ContextField::Client, clients});
        if (!accounts.isEmpty())
            g.fields.append({ContextField::Account, accounts});
        g.fields.append({ContextField::Lane, subjects.lanes});
        q.grids << g;
    }
    return q;
}

bool offReaches(const Services::FlagScope &scope, const ContextFields &c)
{
    if (scope.global())
        return true;
    if (!scope.other.isEmpty())
        return false; // a constraint the console does not model: never claimed to hold
    const auto named = [&](const QStringList &values, const QString &field) { return c.contains(field) && values.contains(c.value(field)); };
    return named(scope.clientIds, ContextField::Client) || named(scope.platformAccountIds, ContextField::Account)
           || (!scope.lane.isEmpty() && scope.lane == c.value(ContextField::Lane)) || named(scope.cohorts, ContextField::Cohort);
}

QList<ContextAnswer> predictAfter(const QList<ContextAnswer> &now, const QList<Services::ServeChange> &changes,
                                  const QHash<QString, QList<Services::FlagDependency>> &dependencies)
{
    QList<ContextAnswer> after = now;
    for (ContextAnswer &a : after) {
        for (const Services::ServeChange &c : changes) {
            // Turning a flag on is not predicted (its strategies decide): kept as it is now.
            if (!c.on && offReaches(c.scope, a.context) && a.enabled.contains(c.flag))
                a.enabled[c.flag] = false;
        }
        // A child is off wherever a parent it needs is not as it needs it (SDKs evaluate parents first).
        for (int pass = 0, changed = 1; changed && pass < 16; ++pass) {
            changed = 0;
            for (auto it = a.enabled.begin(); it != a.enabled.end(); ++it) {
                if (!it.value())
                    continue;
                for (const Services::FlagDependency &d : dependencies.value(it.key())) {
                    if (!a.enabled.contains(d.feature))
                        continue; // not asked about: the answer now already holds it
                    if (a.enabled.value(d.feature) != d.enabled) {
                        it.value() = false;
                        changed = 1;
                        break;
                    }
                }
            }
        }
    }
    return after;
}

bool BlastRow::empty() const
{
    return clients.isEmpty() && accounts.isEmpty() && lanes.isEmpty() && otherClients.isEmpty() && otherAccounts.isEmpty();
}

QString BlastRow::describe() const
{
    if (empty())
        return u"nobody"_s;
    const auto part = [](const QString &what, const QStringList &named, const QStringList &others) {
        QString s = what + u' ' + named.join(u", "_s);
        if (!others.isEmpty())
            s += (named.isEmpty() ? QString() : u" "_s) + u"+%1 other%2 (matched by a wildcard)"_s.arg(others.size()).arg(others.size() == 1 ? QString() : u"s"_s);
        return s;
    };
    QStringList parts;
    if (!clients.isEmpty() || !otherClients.isEmpty())
        parts << part(u"clients"_s, clients, otherClients);
    if (!accounts.isEmpty() || !otherAccounts.isEmpty())
        parts << part(u"accounts"_s, accounts, otherAccounts);
    if (!lanes.isEmpty())
        parts << u"lanes "_s + lanes.join(u", "_s);
    return parts.join(u" · "_s);
}

bool BlastRadius::empty() const
{
    return known && std::all_of(rows.cbegin(), rows.cend(), [](const BlastRow &r) { return r.empty(); });
}

BlastRadius BlastRadius::unknown(const QString &reason)
{
    BlastRadius r;
    r.unknownReason = reason;
    return r;
}

QStringList BlastRadius::describeLines() const
{
    QStringList out;
    if (!known) {
        out << u"Blast radius: unknown — %1. A P0 flags-off still runs behind the typed confirmation."_s.arg(unknownReason);
        return out;
    }
    out << u"Blast radius (%1) — who stops being served each flag:"_s.arg(source);
    qsizetype width = 0;
    for (const BlastRow &r : rows)
        width = std::max(width, r.flag.size());
    for (const BlastRow &r : rows)
        out << u"  %1  %2"_s.arg(r.flag.leftJustified(width), r.describe());
    if (rows.isEmpty())
        out << u"  (no flag changes)"_s;
    return out;
}

namespace {

json strings(const QStringList &l)
{
    json a = json::array();
    for (const QString &s : l)
        a.push_back(s.toStdString());
    return a;
}

QStringList readStrings(const json &j, const char *key)
{
    QStringList out;
    if (!j.is_object() || !j.contains(key) || !j[key].is_array())
        return out;
    for (const json &v : j[key]) {
        if (v.is_string())
            out << QString::fromStdString(v.get<std::string>());
    }
    return out;
}

QString str(const json &j, const char *key)
{
    return j.is_object() && j.contains(key) && j[key].is_string() ? QString::fromStdString(j[key].get<std::string>()) : QString();
}

} // namespace

json BlastRadius::toJson() const
{
    json rowsJson = json::array();
    for (const BlastRow &r : rows) {
        rowsJson.push_back({{"flag", r.flag.toStdString()},
                            {"clients", strings(r.clients)},
                            {"accounts", strings(r.accounts)},
                            {"lanes", strings(r.lanes)},
                            {"otherClients", strings(r.otherClients)},
                            {"otherAccounts", strings(r.otherAccounts)},
                            {"others", r.otherClients.size() + r.otherAccounts.size()},
                            {"text", r.describe().toStdString()}});
    }
    json j = {{"known", known}, {"source", source.toStdString()}, {"contexts", contexts}, {"rows", rowsJson}};
    if (!known)
        j["unknownReason"] = unknownReason.toStdString();
    return j;
}

std::optional<BlastRadius> BlastRadius::fromJson(const json &j)
{
    if (!j.is_object() || !j.contains("known") || !j["known"].is_boolean())
        return std::nullopt;
    BlastRadius r;
    r.known = j["known"].get<bool>();
    r.source = str(j, "source");
    r.unknownReason = str(j, "unknownReason");
    r.contexts = j.value("contexts", 0);
    for (const json &row : j.value("rows", json::array())) {
        BlastRow b;
        b.flag = str(row, "flag");
        b.clients = readStrings(row, "clients");
        b.accounts = readStrings(row, "accounts");
        b.lanes = readStrings(row, "lanes");
        b.otherClients = readStrings(row, "otherClients");
        b.otherAccounts = readStrings(row, "otherAccounts");
        r.rows << b;
    }
    return r;
}

BlastRadius blastRadius(const QList<ContextAnswer> &now, const QList<ContextAnswer> &after, const QStringList &flags,
                        const KnownSubjects &subjects)
{
    BlastRadius r;
    r.known = true;
    r.contexts = int(now.size());
    QHash<QString, const ContextAnswer *> afterByKey;
    for (const ContextAnswer &a : after)
        afterByKey.insert(Services::contextKey(a.context), &a);
    for (const QString &flag : flags) {
        // Who is served the flag somewhere now, and who still is somewhere after.
        QSet<QString> clientsNow, accountsNow, lanesNow, clientsAfter, accountsAfter, lanesAfter;
        for (const ContextAnswer &a : now) {
            const ContextAnswer *later = afterByKey.value(Services::contextKey(a.context));
            const QString client = a.context.value(ContextField::Client), account = a.context.value(ContextField::Account),
                          lane = a.context.value(ContextField::Lane);
            const auto add = [&](QSet<QString> &clients, QSet<QString> &accounts, QSet<QString> &lanes) {
                if (!client.isEmpty())
                    clients.insert(client);
                if (!account.isEmpty())
                    accounts.insert(account);
                if (!lane.isEmpty())
                    lanes.insert(lane);
            };
            if (a.on(flag))
                add(clientsNow, accountsNow, lanesNow);
            if (later && later->on(flag))
                add(clientsAfter, accountsAfter, lanesAfter);
        }
        BlastRow row;
        row.flag = flag;
        const auto stops = [&](const QSet<QString> &before, const QSet<QString> &still, QStringList *named, QStringList *others) {
            QStringList gone;
            for (const QString &s : before) {
                if (!still.contains(s))
                    gone << s;
            }
            std::sort(gone.begin(), gone.end());
            for (const QString &s : std::as_const(gone)) {
                if (!others || subjects.named(s))
                    *named << s;
                else
                    *others << s;
            }
        };
        stops(clientsNow, clientsAfter, &row.clients, &row.otherClients);
        stops(accountsNow, accountsAfter, &row.accounts, &row.otherAccounts);
        stops(lanesNow, lanesAfter, &row.lanes, nullptr);
        r.rows << row;
    }
    return r;
}

QStringList onPairs(const QList<ContextAnswer> &answers, const QStringList &flags)
{
    QStringList out;
    for (const ContextAnswer &a : answers) {
        const QString key = Services::contextKey(a.context);
        for (const QString &f : flags) {
            if (a.on(f))
                out << key + u'|' + f;
        }
    }
    out.sort();
    return out;
}

QStringList compareWithPrediction(const QStringList &predictedOn, const QList<ContextAnswer> &actual, const QStringList &flags)
{
    const QStringList actualOn = onPairs(actual, flags);
    const QSet<QString> predicted(predictedOn.cbegin(), predictedOn.cend());
    const QSet<QString> seen(actualOn.cbegin(), actualOn.cend());
    QHash<QString, QStringList> stillServed, notServed;
    for (const QString &p : actualOn) {
        if (!predicted.contains(p))
            stillServed[p.section(u'|', 1)] << p.section(u'|', 0, 0);
    }
    for (const QString &p : predictedOn) {
        if (!seen.contains(p))
            notServed[p.section(u'|', 1)] << p.section(u'|', 0, 0);
    }
    QStringList out;
    const auto list = [](const QStringList &contexts) {
        QString s = contexts.mid(0, 3).join(u"; "_s);
        if (contexts.size() > 3)
            s += u" and %1 more"_s.arg(contexts.size() - 3);
        return s;
    };
    for (const QString &f : flags) {
        if (stillServed.contains(f))
            out << u"%1 is still served to %2 (predicted off)"_s.arg(f, list(stillServed.value(f)));
        if (notServed.contains(f))
            out << u"%1 is no longer served to %2 (predicted to stay on)"_s.arg(f, list(notServed.value(f)));
    }
    return out;
}

} // namespace Raize::Rollback
