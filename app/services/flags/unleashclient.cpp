#include "services/flags/unleashclient.h"

#include "core/jsonutil.h"
#include "net/endpoint.h"
#include "net/jsonreader.h"

#include <QDateTime>
#include <QPointer>
#include <QHostAddress>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>

namespace Raize::Services {

using namespace Qt::StringLiterals;
using Net::JsonReader;
using json = nlohmann::json;

namespace {

// One constraint per part of the scope (client, platform account, lane, cohort) with `op`.
nlohmann::json constraintsOf(const FlagScope &scope, const char *op, bool sortValues)
{
    nlohmann::json out = nlohmann::json::array();
    const auto add = [&](const char *field, QStringList values) {
        if (values.isEmpty())
            return;
        if (sortValues)
            values.sort();
        nlohmann::json v = nlohmann::json::array();
        for (const QString &x : values)
            v.push_back(x.toStdString());
        out.push_back({{"contextName", field}, {"operator", op}, {"values", v}});
    };
    add("clientId", scope.clientIds);
    add("platformAccount", scope.platformAccountIds);
    add("lane", scope.lane.isEmpty() ? QStringList() : QStringList{scope.lane});
    add("cohort", scope.cohorts);
    return out;
}

const QString kFlexibleRollout = u"flexibleRollout"_s;
constexpr int kParallelReads = 4;

QString service()
{
    return serviceId(Service::Flags);
}

// A JsonReader plus the first problem the reader itself cannot name (a value
// of the right type but the wrong content, e.g. a rollout of "abc").
struct Shape
{
    JsonReader reader;
    std::optional<Error> own;

    explicit Shape(const QByteArray &body) : reader(service(), body) {}

    void reject(const JsonReader::Node &node, const QString &what)
    {
        if (!reader.ok() || own)
            return; // the first problem is the one worth reporting
        Error e = Error::make(Error::Kind::Parse, service(), what,
                              u"the service answered in an unexpected shape; check the API version and base URL in Settings"_s);
        e.fieldPath = node.path().isEmpty() ? u"(root)"_s : node.path();
        own = e;
    }
    bool ok() const { return reader.ok() && !own; }
    Error error() const { return own ? *own : reader.error(); }
};

// An optional list: missing or null is empty; anything else must be a list.
std::size_t optSize(const JsonReader::Node &n)
{
    return n.isNull() ? 0 : n.size();
}

QString describeConstraint(const FlagConstraint &c)
{
    QString out = c.contextName + u' ' + (c.inverted ? u"NOT "_s : QString()) + c.op;
    if (!c.values.isEmpty())
        out += u" ["_s + c.values.join(u", "_s) + u']';
    else if (!c.value.isEmpty())
        out += u' ' + c.value;
    if (c.caseInsensitive)
        out += u" (case-insensitive)"_s;
    return out;
}

FlagScope scopeOf(const QList<FlagConstraint> &constraints, const QList<qint64> &segments)
{
    FlagScope s;
    for (const FlagConstraint &c : constraints) {
        const bool simple = c.op == u"IN"_s && !c.inverted && !c.caseInsensitive && !c.values.isEmpty();
        const QString &f = c.contextName;
        if (simple && f == u"clientId"_s && s.clientIds.isEmpty())
            s.clientIds = c.values;
        else if (simple && (f == u"platformAccount"_s || f == u"platformAccountId"_s) && s.platformAccountIds.isEmpty())
            s.platformAccountIds = c.values;
        else if (simple && f == u"lane"_s && c.values.size() == 1 && s.lane.isEmpty())
            s.lane = c.values.first();
        else if (simple && f == u"cohort"_s && s.cohorts.isEmpty())
            s.cohorts = c.values;
        else
            s.other << describeConstraint(c);
    }
    if (!segments.isEmpty()) {
        QStringList ids;
        for (qint64 id : segments)
            ids << QString::number(id);
        s.other << u"segments "_s + ids.join(u", "_s);
    }
    return s;
}

FlagConstraint readConstraint(const JsonReader::Node &c, Shape &shape)
{
    FlagConstraint fc;
    fc.contextName = c["contextName"].str();
    fc.op = c["operator"].str();
    const auto values = c["values"];
    const std::size_t nv = optSize(values);
    for (std::size_t j = 0; j < nv && shape.ok(); ++j)
        fc.values << values.at(j).str();
    fc.value = c["value"].optStr();
    fc.inverted = c["inverted"].optBoolean(false);
    fc.caseInsensitive = c["caseInsensitive"].optBoolean(false);
    return fc;
}

QList<FlagVariant> readVariants(const JsonReader::Node &list, Shape &shape)
{
    QList<FlagVariant> out;
    const std::size_t n = optSize(list);
    for (std::size_t i = 0; i < n && shape.ok(); ++i) {
        const auto v = list.at(i);
        FlagVariant fv;
        fv.name = v["name"].str();
        const qint64 weight = v["weight"].integer();
        if (shape.reader.ok() && (weight < 0 || weight > 1000000))
            shape.reject(v["weight"], u"expected a variant weight 0..1000000, found %1"_s.arg(weight));
        fv.weight = int(weight);
        fv.stickiness = v["stickiness"].optStr();
        const auto payload = v["payload"];
        if (!payload.isNull()) {
            fv.payloadType = payload["type"].str();
            const json &value = payload["value"].raw();
            fv.payloadValue = value.is_string() ? QString::fromStdString(value.get<std::string>()) : QString::fromStdString(value.dump());
        }
        const auto overrides = v["overrides"];
        const std::size_t no = optSize(overrides);
        for (std::size_t j = 0; j < no && shape.ok(); ++j) {
            const auto o = overrides.at(j);
            FlagVariant::Override fo;
            fo.contextName = o["contextName"].str();
            const auto values = o["values"];
            const std::size_t nv = values.size();
            for (std::size_t k = 0; k < nv && shape.ok(); ++k)
                fo.values << values.at(k).str();
            fv.overrides << fo;
        }
        out << fv;
    }
    return out;
}

QList<FlagDependency> readDependencies(const JsonReader::Node &list, Shape &shape)
{
    QList<FlagDependency> out;
    const std::size_t n = optSize(list);
    for (std::size_t i = 0; i < n && shape.ok(); ++i) {
        const auto d = list.at(i);
        FlagDependency fd;
        fd.feature = d["feature"].str();
        fd.enabled = d["enabled"].optBoolean(true);
        const auto variants = d["variants"];
        const std::size_t nv = optSize(variants);
        for (std::size_t j = 0; j < nv && shape.ok(); ++j)
            fd.variants << variants.at(j).str();
        out << fd;
    }
    return out;
}

FlagStrategy readStrategy(const JsonReader::Node &n, Shape &shape)
{
    FlagStrategy s;
    s.id = n["id"].optStr(); // older servers and some SDK payloads send strategies without an id
    s.name = n["name"].str();
    s.disabled = n["disabled"].optBoolean(false);
    s.raw = n.raw();
    const auto params = n["parameters"];
    if (!params.isNull() && !params.raw().is_object())
        shape.reject(params, u"expected an object of parameters, found %1"_s.arg(QString::fromLatin1(params.raw().type_name())));
    s.stickiness = params["stickiness"].optStr();
    s.groupId = params["groupId"].optStr();
    const auto percentage = [&](const JsonReader::Node &p) -> int {
        const json &v = p.raw();
        bool ok = false;
        int value = -1;
        if (v.is_string()) {
            value = QString::fromStdString(v.get<std::string>()).trimmed().toInt(&ok);
        } else if (v.is_number()) {
            ok = true;
            value = int(p.number());
        }
        if (!ok || value < 0 || value > 100) {
            shape.reject(p, u"expected a percentage 0..100, found %1"_s.arg(v.is_null() && !p.exists() ? u"nothing"_s
                                                                                                           : QString::fromStdString(v.dump())));
            return -1;
        }
        return value;
    };
    if (s.name == kFlexibleRollout)
        s.rolloutPercent = percentage(params["rollout"]);
    else if (s.name == u"default"_s)
        s.rolloutPercent = 100;
    else if (params["percentage"].exists())
        s.rolloutPercent = percentage(params["percentage"]);
    else
        s.rolloutPercent = -1;

    const auto constraints = n["constraints"];
    const std::size_t nc = optSize(constraints);
    for (std::size_t i = 0; i < nc && shape.ok(); ++i)
        s.constraints.append(readConstraint(constraints.at(i), shape));
    const auto segments = n["segments"];
    const std::size_t ns = optSize(segments);
    for (std::size_t i = 0; i < ns && shape.ok(); ++i)
        s.segments << segments.at(i).integer();
    s.variants = readVariants(n["variants"], shape);
    s.scope = scopeOf(s.constraints, s.segments);
    return s;
}

QList<FlagStrategy> readStrategies(const JsonReader::Node &list, Shape &shape)
{
    QList<FlagStrategy> out;
    const std::size_t n = list.size(); // required: a missing list must not read as "no strategies, on for all"
    for (std::size_t i = 0; i < n && shape.ok(); ++i)
        out.append(readStrategy(list.at(i), shape));
    return out;
}

// ---- local evaluation ----
//
// As the client specification (npm @unleash/client-specification) and
// unleash-client-node evaluate: a flag is on when it is enabled, its
// parents are satisfied and one of its strategies says on. Where the answer
// depends on something the console cannot see (a field the SDK fills in, an
// operator or strategy it does not model, a random draw, a parent it did not
// read) the answer is Unknown or Partial, never On.

using Verdict = FlagEvaluation::Verdict;

constexpr quint32 kVariantSeed = 86028157;

int rank(Verdict v)
{
    switch (v) {
    case Verdict::Off:
        return 0;
    case Verdict::Unknown:
        return 1;
    case Verdict::Partial:
        return 2;
    case Verdict::On:
        return 3;
    }
    return 0;
}

struct Tri
{
    enum { False, True, Unknown } value = True;
    QString why;
};

// A semantic version (semver.org 2.0), as node-semver's strict parse takes it.
struct SemVer
{
    qint64 major = 0, minor = 0, patch = 0;
    QStringList pre;
};

std::optional<SemVer> parseSemVer(const QString &text)
{
    static const QRegularExpression re(
        uR"(^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$)"_s);
    const auto m = re.match(text.trimmed());
    if (!m.hasMatch())
        return std::nullopt;
    SemVer v;
    bool ok1 = false, ok2 = false, ok3 = false;
    v.major = m.captured(1).toLongLong(&ok1);
    v.minor = m.captured(2).toLongLong(&ok2);
    v.patch = m.captured(3).toLongLong(&ok3);
    if (!ok1 || !ok2 || !ok3)
        return std::nullopt;
    if (m.hasCaptured(4) && !m.captured(4).isEmpty())
        v.pre = m.captured(4).split(u'.');
    return v;
}

int compareSemVer(const SemVer &a, const SemVer &b)
{
    for (const auto &[x, y] : {std::pair{a.major, b.major}, std::pair{a.minor, b.minor}, std::pair{a.patch, b.patch}}) {
        if (x != y)
            return x < y ? -1 : 1;
    }
    if (a.pre.isEmpty() || b.pre.isEmpty())
        return a.pre.isEmpty() == b.pre.isEmpty() ? 0 : (a.pre.isEmpty() ? 1 : -1); // a pre-release is lower
    for (qsizetype i = 0; i < std::min(a.pre.size(), b.pre.size()); ++i) {
        bool na = false, nb = false;
        const qint64 ia = a.pre[i].toLongLong(&na), ib = b.pre[i].toLongLong(&nb);
        if (na && nb) {
            if (ia != ib)
                return ia < ib ? -1 : 1;
        } else if (na != nb) {
            return na ? -1 : 1; // numeric identifiers are lower
        } else if (const int c = a.pre[i].compare(b.pre[i]); c != 0) {
            return c < 0 ? -1 : 1;
        }
    }
    return a.pre.size() == b.pre.size() ? 0 : (a.pre.size() < b.pre.size() ? -1 : 1);
}

// JavaScript's Number(string): blank is 0, junk is NaN.
std::optional<double> jsNumber(const QString &text)
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return 0.0;
    bool ok = false;
    const double d = t.toDouble(&ok);
    if (!ok || !std::isfinite(d))
        return std::nullopt;
    return d;
}

QDateTime parseDate(const QString &text)
{
    QDateTime t = QDateTime::fromString(text.trimmed(), Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(text.trimmed(), Qt::ISODate);
    return t;
}

struct Evaluator
{
    const FlagSet &set;
    const FlagContext &ctx;

    Tri constraint(const FlagConstraint &c) const
    {
        static const QStringList modelled = {u"IN"_s,          u"NOT_IN"_s,      u"STR_STARTS_WITH"_s, u"STR_ENDS_WITH"_s,
                                             u"STR_CONTAINS"_s, u"NUM_EQ"_s,      u"NUM_GT"_s,          u"NUM_GTE"_s,
                                             u"NUM_LT"_s,      u"NUM_LTE"_s,     u"DATE_AFTER"_s,      u"DATE_BEFORE"_s,
                                             u"SEMVER_EQ"_s,   u"SEMVER_GT"_s,   u"SEMVER_LT"_s};
        static const QStringList newer = {u"REGEX"_s, u"IN_CIDR"_s, u"SEMVER_GTE"_s, u"SEMVER_LTE"_s};
        if (newer.contains(c.op))
            return newerOperator(c);
        if (!modelled.contains(c.op))
            return {Tri::Unknown, u"operator %1 is not evaluated by the console"_s.arg(c.op)};
        const bool isDate = c.op.startsWith(u"DATE_"_s);
        if (!isDate && !ctx.knows(c.contextName))
            return {Tri::Unknown, u"constraint on “%1”, a field the SDK fills in itself"_s.arg(c.contextName)};
        const QString raw = ctx.value(c.contextName);
        const bool present = ctx.has(c.contextName);
        QStringList values;
        for (const QString &x : c.values) {
            if (!x.isEmpty())
                values << x.trimmed();
        }
        bool result = false;
        if (c.op == u"IN"_s || c.op == u"NOT_IN"_s) {
            const bool isIn = present && values.contains(raw);
            // The server's playground folds case for IN when asked to,
            // unleash-client-node does not: where that matters, SDKs disagree.
            if (c.caseInsensitive && present && isIn != values.contains(raw, Qt::CaseInsensitive))
                return {Tri::Unknown, u"case-insensitive %1 on %2: SDKs disagree whether “%3” matches"_s.arg(c.op, c.contextName, raw)};
            result = c.op == u"IN"_s ? isIn : !isIn;
        } else if (c.op.startsWith(u"STR_"_s)) {
            const auto fold = [&](const QString &s) { return c.caseInsensitive ? s.toLower() : s; };
            const QString v = fold(raw);
            result = present && std::any_of(values.cbegin(), values.cend(), [&](const QString &x) {
                const QString f = fold(x);
                return c.op == u"STR_STARTS_WITH"_s ? v.startsWith(f) : c.op == u"STR_ENDS_WITH"_s ? v.endsWith(f) : v.contains(f);
            });
        } else if (c.op.startsWith(u"NUM_"_s)) {
            const std::optional<double> want = jsNumber(c.value);
            const std::optional<double> have = present ? jsNumber(raw) : std::nullopt;
            if (want && have) {
                const double a = *have, b = *want;
                result = c.op == u"NUM_EQ"_s ? a == b : c.op == u"NUM_GT"_s ? a > b : c.op == u"NUM_GTE"_s ? a >= b : c.op == u"NUM_LT"_s ? a < b : a <= b;
            }
        } else if (isDate) {
            // SDKs compare the context's currentTime (else now), whatever the constraint's field.
            const QDateTime now = ctx.has(u"currentTime"_s) ? parseDate(ctx.value(u"currentTime"_s)) : QDateTime::currentDateTimeUtc();
            const QDateTime when = parseDate(c.value);
            if (now.isValid() && when.isValid())
                result = c.op == u"DATE_AFTER"_s ? now > when : now < when;
        } else { // SEMVER_*
            const std::optional<SemVer> have = present && !raw.startsWith(u'v') ? parseSemVer(raw) : std::nullopt;
            const std::optional<SemVer> want = parseSemVer(c.value);
            if (have && want) {
                const int cmp = compareSemVer(*have, *want);
                result = c.op == u"SEMVER_EQ"_s ? cmp == 0 : c.op == u"SEMVER_GT"_s ? cmp > 0 : cmp < 0;
            }
        }
        if (c.inverted)
            result = !result;
        if (result)
            return {Tri::True, {}};
        const QString shown = present ? u"“%1”"_s.arg(raw) : u"unset"_s;
        return {Tri::False, u"%1 is %2, constraint %3"_s.arg(c.contextName, shown, describeConstraint(c))};
    }

    // Operators of newer SDKs (Yggdrasil-based ones and the server's
    // playground) that unleash-client-node does not have: it answers false
    // for them, inverted or not. So "false" is every SDK's answer; "true"
    // only some SDKs', and then the answer is Unknown.
    Tri newerOperator(const FlagConstraint &c) const
    {
        if (!ctx.knows(c.contextName))
            return {Tri::Unknown, u"constraint on “%1”, a field the SDK fills in itself"_s.arg(c.contextName)};
        const QString raw = ctx.value(c.contextName);
        const bool present = ctx.has(c.contextName);
        bool result = false;
        if (c.op == u"REGEX"_s) {
            // Rust's regex crate (Yggdrasil) has no look-around and no
            // back-references: such a pattern is invalid there and matches nothing.
            static const QRegularExpression unsupported(uR"(\(\?<?[=!]|\\[1-9]|\\k<)"_s);
            QRegularExpression re(c.value, QRegularExpression::UseUnicodePropertiesOption
                                               | (c.caseInsensitive ? QRegularExpression::CaseInsensitiveOption : QRegularExpression::NoPatternOption));
            if (present && !c.value.isEmpty() && !unsupported.match(c.value).hasMatch() && re.isValid())
                result = re.match(raw).hasMatch();
        } else if (c.op == u"IN_CIDR"_s) {
            const QHostAddress address(raw.trimmed());
            if (present && !address.isNull()) {
                for (const QString &v : c.values) {
                    const QString range = v.trimmed();
                    if (range.contains(u'/')) {
                        const auto subnet = QHostAddress::parseSubnet(range);
                        if (subnet.second >= 0 && subnet.first.protocol() == address.protocol() && address.isInSubnet(subnet))
                            result = true;
                    } else if (const QHostAddress exact(range); !exact.isNull() && exact.isEqual(address)) {
                        result = true;
                    }
                }
            }
        } else { // SEMVER_GTE, SEMVER_LTE
            const std::optional<SemVer> have = present && !raw.startsWith(u'v') ? parseSemVer(raw) : std::nullopt;
            const std::optional<SemVer> want = parseSemVer(c.value);
            if (have && want) {
                const int cmp = compareSemVer(*have, *want);
                result = c.op == u"SEMVER_GTE"_s ? cmp >= 0 : cmp <= 0;
            }
        }
        if (c.inverted)
            result = !result;
        if (result)
            return {Tri::Unknown, u"%1 holds where the SDK has the operator %2; unleash-client-node does not and answers off"_s.arg(describeConstraint(c), c.op)};
        return {Tri::False, u"%1 is %2, constraint %3"_s.arg(c.contextName, present ? u"“%1”"_s.arg(raw) : u"unset"_s, describeConstraint(c))};
    }

    // The strategy's own constraints, then its segments' (all must hold).
    Tri constraints(const FlagStrategy &s) const
    {
        QStringList unknowns;
        const auto check = [&](const FlagConstraint &c) {
            const Tri t = constraint(c);
            if (t.value == Tri::Unknown)
                unknowns << t.why;
            return t;
        };
        for (const FlagConstraint &c : s.constraints) {
            if (const Tri t = check(c); t.value == Tri::False)
                return t;
        }
        for (qint64 id : s.segments) {
            const auto it = set.segments.constFind(id);
            if (it == set.segments.cend()) {
                if (set.segmentsKnown)
                    return {Tri::False, u"segment %1 is not in the payload: SDKs answer off"_s.arg(id)};
                unknowns << u"segment %1 is not known to the console"_s.arg(id);
                continue;
            }
            for (const FlagConstraint &c : *it) {
                if (const Tri t = check(c); t.value == Tri::False)
                    return {Tri::False, u"segment %1: %2"_s.arg(id).arg(t.why)};
            }
        }
        if (!unknowns.isEmpty())
            return {Tri::Unknown, unknowns.join(u"; "_s)};
        return {};
    }

    // A hashed rollout: `id` is the stickiness value (empty: none).
    FlagEvaluation bucket(const FlagStrategy &s, int pct, const QString &groupId, const QString &id, const QString &what) const
    {
        FlagEvaluation e;
        e.strategyId = s.id;
        const int bucket = UnleashClient::normalizedValue(id, groupId);
        const bool on = pct > 0 && bucket <= pct;
        // The Node SDK hashes UTF-16 code units, the others UTF-8 bytes: for a
        // non-ASCII key they may disagree, and then no single answer is right.
        const QString key = groupId + u':' + id;
        const int utf8Bucket = int(UnleashClient::murmur3Utf8(key.toUtf8()) % 100) + 1;
        if ((pct > 0 && utf8Bucket <= pct) != on) {
            e.verdict = Verdict::Unknown;
            e.reason = u"rollout %1%: SDKs disagree for the non-ASCII key “%2”"_s.arg(pct).arg(key);
            return e;
        }
        e.verdict = on ? Verdict::On : Verdict::Off;
        e.reason = u"rollout %1%: %2 “%3” falls in bucket %4"_s.arg(pct).arg(what, id).arg(bucket);
        return e;
    }

    // Neither stuck nor decided: on with pct % probability per call.
    static FlagEvaluation draw(const FlagStrategy &s, int pct, const QString &why)
    {
        FlagEvaluation e;
        e.strategyId = s.id;
        if (pct <= 0) {
            e.verdict = Verdict::Off;
            e.reason = u"rollout 0%"_s;
        } else if (pct >= 100) {
            e.verdict = Verdict::On;
            e.reason = u"rollout 100%"_s;
        } else {
            e.verdict = Verdict::Partial;
            e.rolloutPercent = pct;
            e.reason = u"partial rollout %1%: %2, so each call is on with %1% probability"_s.arg(pct).arg(why);
        }
        return e;
    }

    FlagEvaluation flexible(const FlagStrategy &s, const QString &flagKey) const
    {
        const int pct = s.rolloutPercent;
        FlagEvaluation e;
        e.strategyId = s.id;
        if (pct <= 0) {
            e.verdict = Verdict::Off;
            e.reason = u"rollout 0%"_s;
            return e;
        }
        const QString groupId = s.groupId.isEmpty() ? flagKey : s.groupId;
        const QString stickiness = s.stickiness.isEmpty() ? u"default"_s : s.stickiness;
        if (stickiness == u"default"_s) {
            if (ctx.has(u"userId"_s))
                return bucket(s, pct, groupId, ctx.value(u"userId"_s), u"userId"_s);
            if (ctx.has(u"sessionId"_s))
                return bucket(s, pct, groupId, ctx.value(u"sessionId"_s), u"sessionId"_s);
            return draw(s, pct, u"no userId or sessionId to stick to"_s);
        }
        if (stickiness == u"random"_s)
            return draw(s, pct, u"random stickiness"_s);
        if (!ctx.knows(stickiness)) {
            e.verdict = Verdict::Unknown;
            e.reason = u"rollout %1% sticks to “%2”, a field the console does not model"_s.arg(pct).arg(stickiness);
            return e;
        }
        if (!ctx.has(stickiness)) {
            e.verdict = Verdict::Off;
            e.reason = u"rollout %1% sticks to %2, which is unset: an SDK answers off"_s.arg(pct).arg(stickiness);
            return e;
        }
        return bucket(s, pct, groupId, ctx.value(stickiness), stickiness);
    }

    static QString param(const FlagStrategy &s, const char *name)
    {
        const json &p = s.raw.is_object() && s.raw.contains("parameters") ? s.raw["parameters"] : json();
        if (!p.is_object() || !p.contains(name))
            return {};
        const json &v = p[name];
        return v.is_string() ? QString::fromStdString(v.get<std::string>()) : v.is_null() ? QString() : QString::fromStdString(v.dump());
    }

    static QStringList list(const QString &commaSeparated)
    {
        QStringList out;
        for (const QString &x : commaSeparated.split(u','))
            out << x.trimmed();
        return out;
    }

    FlagEvaluation remoteAddress(const FlagStrategy &s) const
    {
        FlagEvaluation e;
        e.strategyId = s.id;
        if (!ctx.knows(u"remoteAddress"_s)) {
            e.verdict = Verdict::Unknown;
            e.reason = u"remoteAddress strategy: the console does not know the caller's address"_s;
            return e;
        }
        const QString ip = ctx.value(u"remoteAddress"_s);
        const QHostAddress address(ip);
        const QString ips = param(s, "IPs");
        bool in = false;
        for (const QString &range : list(ips)) {
            if (ips.isEmpty())
                break;
            if (!ip.isEmpty() && range == ip) {
                in = true;
                break;
            }
            const auto subnet = QHostAddress::parseSubnet(range);
            if (!address.isNull() && address.protocol() == QAbstractSocket::IPv4Protocol && subnet.first.protocol() == QAbstractSocket::IPv4Protocol
                && address.isInSubnet(subnet)) {
                in = true;
                break;
            }
        }
        e.verdict = in ? Verdict::On : Verdict::Off;
        e.reason = in ? u"remote address %1 listed"_s.arg(ip) : u"remote address %1 not listed"_s.arg(ip.isEmpty() ? u"unset"_s : ip);
        return e;
    }

    FlagEvaluation strategyKind(const FlagStrategy &s, const QString &flagKey) const
    {
        FlagEvaluation kind;
        kind.strategyId = s.id;
        if (s.name == kFlexibleRollout)
            return flexible(s, flagKey);
        if (s.name == u"default"_s) {
            kind.verdict = Verdict::On;
            kind.reason = u"default strategy"_s;
        } else if (s.name == u"userWithId"_s) {
            const QStringList ids = list(param(s, "userIds"));
            const bool in = ctx.has(u"userId"_s) && ids.contains(ctx.value(u"userId"_s));
            if (!in && !ctx.knows(u"userId"_s)) {
                kind.verdict = Verdict::Unknown;
                kind.reason = u"userWithId: the userId is not known"_s;
                return kind;
            }
            kind.verdict = in ? Verdict::On : Verdict::Off;
            kind.reason = in ? u"userId listed"_s : u"userId not listed"_s;
        } else if (s.name == u"gradualRolloutUserId"_s || s.name == u"gradualRolloutSessionId"_s) {
            const QString field = s.name == u"gradualRolloutUserId"_s ? u"userId"_s : u"sessionId"_s;
            if (!ctx.has(field)) {
                kind.verdict = Verdict::Off;
                kind.reason = u"%1: no %2, an SDK answers off"_s.arg(s.name, field);
                return kind;
            }
            return bucket(s, s.rolloutPercent, s.groupId, ctx.value(field), field);
        } else if (s.name == u"gradualRolloutRandom"_s) {
            return draw(s, s.rolloutPercent, u"gradualRolloutRandom"_s);
        } else if (s.name == u"remoteAddress"_s) {
            return remoteAddress(s);
        } else {
            // applicationHostname depends on the host the SDK runs on; custom
            // strategies on code the console does not have.
            kind.verdict = Verdict::Unknown;
            kind.reason = u"strategy “%1” is not evaluated by the console"_s.arg(s.name);
        }
        return kind;
    }

    FlagEvaluation strategy(const FlagStrategy &s, const QString &flagKey) const
    {
        const Tri t = constraints(s);
        FlagEvaluation e;
        e.strategyId = s.id;
        if (t.value == Tri::False) {
            e.verdict = Verdict::Off;
            e.reason = t.why;
            return e;
        }
        const FlagEvaluation kind = strategyKind(s, flagKey);
        if (kind.verdict == Verdict::Off || t.value == Tri::True)
            return kind;
        e.verdict = Verdict::Unknown;
        e.reason = t.why;
        return e;
    }

    // The variant among `variants` for this context (an override, else the
    // weighted hash of the stickiness value); nullopt with `why` when it
    // cannot be known. Empty name: none (an SDK answers "disabled").
    std::optional<FlagVariant> variant(const QList<FlagVariant> &variants, const QString &groupId, const QString &stickinessIn, QString &why) const
    {
        qint64 total = 0;
        for (const FlagVariant &v : variants)
            total += std::max(0, v.weight);
        if (total <= 0)
            return FlagVariant{};
        for (const FlagVariant &v : variants) {
            for (const FlagVariant::Override &o : v.overrides) {
                if (!ctx.knows(o.contextName)) {
                    why = u"variant override on “%1”, a field the SDK fills in itself"_s.arg(o.contextName);
                    return std::nullopt;
                }
                if (ctx.has(o.contextName) && o.values.contains(ctx.value(o.contextName)))
                    return v;
            }
        }
        const QString stickiness = stickinessIn.isEmpty() ? u"default"_s : stickinessIn;
        QString seed;
        if (stickiness == u"default"_s) {
            for (const QString &f : {u"userId"_s, u"sessionId"_s, u"remoteAddress"_s}) {
                if (ctx.has(f)) {
                    seed = ctx.value(f);
                    break;
                }
                if (!ctx.knows(f)) {
                    why = u"the variant sticks to %1 first, which the console does not know"_s.arg(f);
                    return std::nullopt;
                }
            }
        } else if (stickiness != u"random"_s) {
            if (!ctx.knows(stickiness)) {
                why = u"the variant sticks to “%1”, a field the console does not model"_s.arg(stickiness);
                return std::nullopt;
            }
            seed = ctx.value(stickiness);
        }
        if (seed.isEmpty()) {
            // A random draw, unless only one variant can be drawn.
            const FlagVariant *only = nullptr;
            int weighted = 0;
            for (const FlagVariant &v : variants) {
                if (v.weight > 0) {
                    only = &v;
                    ++weighted;
                }
            }
            if (weighted == 1)
                return *only;
            why = u"the variant is drawn at random on each call (no stickiness value)"_s;
            return std::nullopt;
        }
        const QString key = groupId + u':' + seed;
        const quint32 h16 = UnleashClient::murmur3(key, kVariantSeed), h8 = UnleashClient::murmur3Utf8(key.toUtf8(), kVariantSeed);
        if (quint64(h16) % quint64(total) != quint64(h8) % quint64(total)) {
            why = u"SDKs disagree on the variant for the non-ASCII key “%1”"_s.arg(key);
            return std::nullopt;
        }
        const qint64 target = qint64(quint64(h16) % quint64(total)) + 1;
        qint64 counter = 0;
        for (const FlagVariant &v : variants) {
            if (v.weight <= 0)
                continue;
            counter += v.weight;
            if (counter >= target)
                return v;
        }
        return FlagVariant{};
    }

    static void setVariant(FlagEvaluation &e, const FlagVariant &v)
    {
        e.variant = v.name.isEmpty() ? u"disabled"_s : v.name;
        e.payloadType = v.payloadType;
        e.payloadValue = v.payloadValue;
    }

    // The flag's own answer: enabled state and strategies (not its parents).
    FlagEvaluation own(const FlagState &flag) const
    {
        FlagEvaluation out;
        if (!flag.enabled) {
            out.verdict = Verdict::Off;
            out.reason = u"the flag is off in %1"_s.arg(flag.environment.isEmpty() ? u"this environment"_s : flag.environment);
            out.variant = u"disabled"_s;
            return out;
        }
        QList<FlagStrategy> active;
        for (const FlagStrategy &s : flag.strategies) {
            if (!s.disabled)
                active.append(s);
        }
        const auto featureVariant = [&](FlagEvaluation e) {
            QString why;
            const QString stickiness = flag.variants.isEmpty() ? QString() : flag.variants.first().stickiness;
            if (const auto v = variant(flag.variants, flag.key, stickiness, why))
                setVariant(e, *v);
            else
                e.reason += u"; variant unknown: "_s + why;
            return e;
        };
        if (active.isEmpty()) {
            // What the client API serves: disabled strategies are left out, and a
            // flag that is on without strategies is on for everyone.
            out.verdict = Verdict::On;
            out.reason = u"on, with no active strategy: everyone"_s;
            return featureVariant(out);
        }
        QStringList whyNot;
        std::optional<FlagEvaluation> best;
        for (const FlagStrategy &s : active) {
            FlagEvaluation e = strategy(s, flag.key);
            if (e.verdict == Verdict::On) {
                // SDKs take the first strategy that says on, and its variants:
                // after an undecided one, which strategy that is is not known.
                if (best)
                    return e; // variant left unknown
                if (s.variants.isEmpty())
                    return featureVariant(e);
                QString why;
                const QString stickiness = s.variants.first().stickiness.isEmpty() ? s.stickiness : s.variants.first().stickiness;
                if (const auto v = variant(s.variants, s.groupId.isEmpty() ? flag.key : s.groupId, stickiness, why))
                    setVariant(e, *v);
                else
                    e.reason += u"; variant unknown: "_s + why;
                return e;
            }
            if (e.verdict == Verdict::Off)
                whyNot << e.reason;
            else if (!best || rank(e.verdict) > rank(best->verdict))
                best = e;
        }
        if (best)
            return *best;
        out.verdict = Verdict::Off;
        out.reason = u"no strategy matches: "_s + whyNot.join(u"; "_s);
        out.variant = u"disabled"_s;
        return out;
    }

    // Whether the parents let the flag be on: True, False (with why) or Unknown.
    Tri parents(const FlagState &flag) const
    {
        if (!flag.dependenciesKnown)
            return {Tri::Unknown, u"“%1” depends on other flags the console did not read"_s.arg(flag.key)};
        QStringList unknowns;
        for (const FlagDependency &d : flag.dependencies) {
            const FlagState *parent = set.find(d.feature);
            if (!parent) {
                if (set.complete)
                    return {Tri::False, u"parent “%1” is missing: SDKs answer off"_s.arg(d.feature)};
                unknowns << u"parent “%1” was not read (another project?)"_s.arg(d.feature);
                continue;
            }
            if (!parent->dependenciesKnown) {
                unknowns << u"parent “%1” has dependencies the console did not read"_s.arg(d.feature);
                continue;
            }
            // SDKs follow one level only: a parent with parents of its own
            // (a chain, or a cycle) makes the child off.
            if (!parent->dependencies.isEmpty())
                return {Tri::False, u"parent “%1” depends on other flags itself (a chain or a cycle): SDKs answer off"_s.arg(d.feature)};
            const FlagEvaluation p = own(*parent);
            if (p.verdict == Verdict::Unknown || p.verdict == Verdict::Partial) {
                unknowns << u"parent “%1” is %2 (%3)"_s.arg(d.feature, FlagEvaluation::verdictName(p.verdict), p.reason);
                continue;
            }
            const bool on = p.verdict == Verdict::On;
            if (!d.enabled) {
                if (on)
                    return {Tri::False, u"parent “%1” is on, and this flag needs it off"_s.arg(d.feature)};
                continue;
            }
            if (!on)
                return {Tri::False, u"parent “%1” is off (%2)"_s.arg(d.feature, p.reason)};
            if (!d.variants.isEmpty()) {
                if (p.variant.isEmpty()) {
                    unknowns << u"parent “%1” is on, but its variant is not known (%2)"_s.arg(d.feature, p.reason);
                    continue;
                }
                if (!d.variants.contains(p.variant))
                    return {Tri::False, u"parent “%1” serves variant “%2”, this flag needs %3"_s.arg(d.feature, p.variant, d.variants.join(u", "_s))};
            }
        }
        if (!unknowns.isEmpty())
            return {Tri::Unknown, unknowns.join(u"; "_s)};
        return {};
    }

    FlagEvaluation evaluate(const FlagState &flag) const
    {
        const Tri deps = parents(flag);
        if (deps.value == Tri::False) {
            FlagEvaluation e;
            e.verdict = Verdict::Off;
            e.reason = deps.why;
            e.variant = u"disabled"_s;
            return e;
        }
        FlagEvaluation e = own(flag);
        if (deps.value == Tri::Unknown && e.verdict != Verdict::Off) {
            e.verdict = Verdict::Unknown;
            e.rolloutPercent = -1;
            e.reason = deps.why;
            e.variant.clear();
            e.payloadType.clear();
            e.payloadValue.clear();
        }
        return e;
    }
};

} // namespace

// ---- construction and URLs ----

UnleashClient::UnleashClient(Net::HttpClient &http, QUrl baseUrl, QString project, QString defaultEnvironment)
    : m_http(http)
    , m_base(std::move(baseUrl))
    , m_project(std::move(project))
    , m_defaultEnvironment(std::move(defaultEnvironment))
{
}

QString UnleashClient::backendName() const
{
    return u"unleash"_s;
}

QUrl UnleashClient::url(const QString &path) const
{
    return Net::endpoint(m_base, path);
}

QString UnleashClient::featurePath(const QString &flag) const
{
    return u"/api/admin/projects/%1/features/%2"_s.arg(m_project, flag);
}

QString UnleashClient::envPath(const QString &flag, const QString &environment) const
{
    return featurePath(flag) + u"/environments/"_s + environment;
}

QString UnleashClient::env(const QString &environment) const
{
    return environment.isEmpty() ? m_defaultEnvironment : environment;
}

QString UnleashClient::validateName(const QString &what, const QString &name)
{
    // Unleash accepts names that encodeURIComponent leaves alone (isUrlFriendly).
    static const QRegularExpression urlFriendly(u"^[A-Za-z0-9_.!~*'()-]+$"_s);
    if (name.isEmpty())
        return u"the %1 name is empty"_s.arg(what);
    if (!urlFriendly.match(name).hasMatch() || name == u"."_s || name == u".."_s)
        return u"“%1” is not a valid %2 name (letters, digits and - _ . ! ~ * ' ( ) only)"_s.arg(name, what);
    return {};
}

Status UnleashClient::checkNames(const QString &flag, const QString &environment) const
{
    for (const auto &[what, name] : {std::pair{u"project"_s, m_project}, std::pair{u"environment"_s, environment}, std::pair{u"flag"_s, flag}}) {
        if (name.isNull() && what == u"flag"_s)
            continue; // no flag involved
        if (const QString why = validateName(what, name); !why.isEmpty())
            return Error::make(Error::Kind::Config, service(), why,
                               what == u"flag"_s ? u"check the flag name"_s
                                                 : u"set the flag service's %1 in Settings"_s.arg(what));
    }
    return okStatus();
}

Error UnleashClient::notFound(Error e, const QString &flag, const QString &environment) const
{
    if (e.httpStatus != 404)
        return e;
    e.message = u"flag “%1” (project %2, environment %3): %4"_s.arg(flag, m_project, environment, e.message);
    e.remedy = u"check the flag name, and the flag service's project and environment in Settings"_s;
    return e;
}

// ---- parsing ----

Result<QList<FlagState>> UnleashClient::parseFeatures(const QByteArray &body, const QString &project, const QString &environment)
{
    Shape shape(body);
    const auto items = shape.reader.root()["features"];
    QList<FlagState> out;
    QString missingEnvironmentOf;
    const std::size_t n = items.size();
    for (std::size_t i = 0; i < n && shape.ok(); ++i) {
        const auto f = items.at(i);
        FlagState s;
        s.key = f["name"].str();
        s.project = project;
        s.environment = environment;
        s.type = f["type"].optStr();
        s.stale = f["stale"].optBoolean(false);
        s.description = f["description"].optStr();
        s.dependenciesKnown = false; // the project listing does not say (listFlags reads each flag)
        const auto envs = f["environments"];
        const std::size_t ne = optSize(envs);
        bool listed = false;
        for (std::size_t j = 0; j < ne && shape.ok(); ++j) {
            const auto e = envs.at(j);
            if (e["name"].str() == environment) {
                listed = true;
                s.enabled = e["enabled"].boolean();
            }
        }
        if (ne > 0 && !listed && missingEnvironmentOf.isEmpty())
            missingEnvironmentOf = s.key;
        out.append(s);
    }
    if (!shape.ok())
        return shape.error();
    if (!missingEnvironmentOf.isEmpty()) {
        // Otherwise every per-flag read would answer 404 and the list would look empty.
        Error e = Error::make(Error::Kind::Config, service(),
                              u"project %1 has no environment “%2” (flag “%3” lists others)"_s.arg(project, environment, missingEnvironmentOf),
                              u"set the flag service's environment in Settings to one the project uses"_s);
        e.httpStatus = 404;
        return e;
    }
    return out;
}

Result<FlagState> UnleashClient::parseFeatureEnvironment(const QByteArray &body)
{
    Shape shape(body);
    const auto root = shape.reader.root();
    FlagState s;
    s.key = root["name"].str();
    s.environment = root["environment"].optStr();
    s.enabled = root["enabled"].boolean();
    s.strategies = readStrategies(root["strategies"], shape);
    s.variants = readVariants(root["variants"], shape);
    s.dependenciesKnown = false; // dependencies are the feature's, not in this answer
    if (!shape.ok())
        return shape.error();
    return s;
}

Result<FlagState> UnleashClient::parseFeature(const QByteArray &body, const QString &environment)
{
    Shape shape(body);
    const auto root = shape.reader.root();
    FlagState s;
    s.key = root["name"].str();
    s.project = root["project"].optStr();
    s.type = root["type"].optStr();
    s.stale = root["stale"].optBoolean(false);
    s.description = root["description"].optStr();
    const auto envs = root["environments"];
    const std::size_t n = envs.size();
    bool found = false;
    for (std::size_t i = 0; i < n && shape.ok() && !found; ++i) {
        const auto e = envs.at(i);
        if (e["name"].str() != environment)
            continue;
        found = true;
        s.environment = environment;
        s.enabled = e["enabled"].boolean();
        s.strategies = readStrategies(e["strategies"], shape);
        s.variants = readVariants(e["variants"], shape);
    }
    s.dependencies = readDependencies(root["dependencies"], shape);
    if (!shape.ok())
        return shape.error();
    if (!found) {
        Error e = Error::make(Error::Kind::Config, service(),
                              u"flag “%1” has no environment “%2”"_s.arg(s.key, environment),
                              u"set the flag service's environment in Settings to one the project uses"_s);
        e.httpStatus = 404;
        return e;
    }
    return s;
}

Result<FlagSet> UnleashClient::parseClientFeatures(const QByteArray &body)
{
    Shape shape(body);
    const auto root = shape.reader.root();
    FlagSet set;
    set.complete = true;
    set.segmentsKnown = true;
    const auto features = root["features"];
    const std::size_t n = features.size();
    for (std::size_t i = 0; i < n && shape.ok(); ++i) {
        const auto f = features.at(i);
        FlagState s;
        s.key = f["name"].str();
        s.project = f["project"].optStr();
        s.type = f["type"].optStr();
        s.stale = f["stale"].optBoolean(false);
        s.description = f["description"].optStr();
        s.enabled = f["enabled"].boolean();
        s.strategies = readStrategies(f["strategies"], shape);
        s.variants = readVariants(f["variants"], shape);
        s.dependencies = readDependencies(f["dependencies"], shape);
        set.features.append(s);
    }
    const auto segments = root["segments"];
    const std::size_t ns = optSize(segments);
    for (std::size_t i = 0; i < ns && shape.ok(); ++i) {
        const auto seg = segments.at(i);
        const qint64 id = seg["id"].integer();
        QList<FlagConstraint> constraints;
        const auto cs = seg["constraints"];
        const std::size_t nc = cs.size();
        for (std::size_t j = 0; j < nc && shape.ok(); ++j)
            constraints.append(readConstraint(cs.at(j), shape));
        set.segments.insert(id, constraints);
    }
    if (!shape.ok())
        return shape.error();
    return set;
}

Result<FlagStrategy> UnleashClient::parseStrategy(const QByteArray &body)
{
    Shape shape(body);
    const FlagStrategy s = readStrategy(shape.reader.root(), shape);
    if (!shape.ok())
        return shape.error();
    return s;
}

Result<FlagHealth> UnleashClient::parseHealth(const QByteArray &body)
{
    Shape shape(body);
    const auto h = shape.reader.root()["health"];
    FlagHealth out;
    out.state = h.str();
    if (shape.reader.ok() && out.state != u"GOOD"_s && out.state != u"BAD"_s)
        shape.reject(h, u"expected GOOD or BAD, found “%1”"_s.arg(out.state));
    out.healthy = out.state == u"GOOD"_s;
    if (!shape.ok())
        return shape.error();
    return out;
}

// ---- writing ----

json UnleashClient::scopeConstraints(const FlagScope &scope)
{
    return constraintsOf(scope, "IN", false);
}

json UnleashClient::strategyBody(const FlagScope &scope, int rolloutPercent, const QString &stickiness, const QString &groupId)
{
    return {{"name", kFlexibleRollout.toStdString()},
            {"parameters",
             {{"rollout", std::to_string(rolloutPercent)},
              {"stickiness", stickiness.isEmpty() ? std::string("default") : stickiness.toStdString()},
              {"groupId", groupId.toStdString()}}},
            {"constraints", scopeConstraints(scope)},
            {"segments", json::array()},
            {"disabled", false}};
}

QString UnleashClient::validateScope(const FlagScope &scope, int rolloutPercent)
{
    if (rolloutPercent < 0 || rolloutPercent > 100)
        return u"the rollout must be 0..100 %, not %1"_s.arg(rolloutPercent);
    if (!scope.lane.isEmpty() && scope.lane != u"api"_s && scope.lane != u"browser"_s)
        return u"the lane must be api or browser (or empty for both), not “%1”"_s.arg(scope.lane);
    if (!scope.other.isEmpty())
        return u"the console only writes client, platform account, lane and cohort scopes, not: "_s + scope.other.join(u"; "_s);
    for (const QStringList *l : {&scope.clientIds, &scope.platformAccountIds, &scope.cohorts}) {
        for (const QString &v : *l) {
            if (v.trimmed().isEmpty() || v.trimmed() != v)
                return u"a scope value is empty or has surrounding spaces: “%1”"_s.arg(v);
        }
    }
    return {};
}

const FlagStrategy *UnleashClient::findNewStrategy(const FlagState &after, const QSet<QString> &before, const FlagScope &scope,
                                                   int rolloutPercent)
{
    for (const FlagStrategy &s : after.strategies) {
        if (!before.contains(s.id) && s.name == kFlexibleRollout && s.scope == scope && s.rolloutPercent == rolloutPercent && !s.disabled)
            return &s;
    }
    return nullptr;
}

// ---- evaluation ----

quint32 UnleashClient::murmur3(const QString &key, quint32 seed)
{
    QByteArray bytes(key.size(), Qt::Uninitialized);
    for (qsizetype i = 0; i < key.size(); ++i)
        bytes[i] = char(key.at(i).unicode() & 0xff);
    return murmur3Utf8(bytes, seed);
}

quint32 UnleashClient::murmur3Utf8(const QByteArray &key, quint32 seed)
{
    const auto rotl = [](quint32 x, int r) { return (x << r) | (x >> (32 - r)); };
    constexpr quint32 c1 = 0xcc9e2d51, c2 = 0x1b873593;
    const auto *data = reinterpret_cast<const uchar *>(key.constData());
    const qsizetype len = key.size();
    const qsizetype blocks = len / 4;
    quint32 h = seed;
    for (qsizetype i = 0; i < blocks; ++i) {
        quint32 k = quint32(data[i * 4]) | quint32(data[i * 4 + 1]) << 8 | quint32(data[i * 4 + 2]) << 16 | quint32(data[i * 4 + 3]) << 24;
        k *= c1;
        k = rotl(k, 15);
        k *= c2;
        h ^= k;
        h = rotl(h, 13);
        h = h * 5 + 0xe6546b64;
    }
    const uchar *tail = data + blocks * 4;
    quint32 k = 0;
    switch (len & 3) {
    case 3:
        k ^= quint32(tail[2]) << 16;
        [[fallthrough]];
    case 2:
        k ^= quint32(tail[1]) << 8;
        [[fallthrough]];
    case 1:
        k ^= quint32(tail[0]);
        k *= c1;
        k = rotl(k, 15);
        k *= c2;
        h ^= k;
    }
    h ^= quint32(len);
    h ^= h >> 16;
    h *= 0x85ebca6b;
    h ^= h >> 13;
    h *= 0xc2b2ae35;
    h ^= h >> 16;
    return h;
}

int UnleashClient::normalizedValue(const QString &id, const QString &groupId)
{
    return int(murmur3(groupId + u':' + id, 0) % 100) + 1;
}

FlagEvaluation UnleashClient::evaluate(const FlagState &flag, const FlagContext &context)
{
    if (flag.needsOtherFlags() && flag.enabled) {
        FlagEvaluation out;
        out.verdict = Verdict::Unknown;
        QStringList parents;
        for (const FlagDependency &d : flag.dependencies)
            parents << d.feature;
        out.reason = parents.isEmpty() ? u"depends on other flags: evaluate it with the whole feature set"_s
                                       : u"depends on %1: evaluate it with the whole feature set"_s.arg(parents.join(u", "_s));
        return out;
    }
    const FlagSet alone;
    return Evaluator{alone, context}.evaluate(flag);
}

FlagEvaluation UnleashClient::evaluate(const QString &flagKey, const FlagSet &set, const FlagContext &context)
{
    const FlagState *flag = set.find(flagKey);
    if (!flag) {
        FlagEvaluation out;
        out.verdict = set.complete ? Verdict::Off : Verdict::Unknown;
        out.reason = set.complete ? u"“%1” is not in the payload: SDKs answer their fallback (off unless the code says otherwise)"_s.arg(flagKey)
                                  : u"“%1” was not read"_s.arg(flagKey);
        if (set.complete)
            out.variant = u"disabled"_s;
        return out;
    }
    return Evaluator{set, context}.evaluate(*flag);
}

// ---- calls ----

void UnleashClient::health(Callback<FlagHealth> done)
{
    Net::Request r;
    r.service = Service::Flags;
    r.url = url(u"/health"_s);
    r.timeoutMs = 5000;
    m_http.send(r, [done](const Net::Response &resp) {
        Result<FlagHealth> h = parseHealth(resp.body);
        if (!resp.ok()) {
            // A 500 with {"health":"BAD"} is an answer, not a failure to get one.
            if (resp.status >= 500 && h && !h->healthy) {
                FlagHealth bad = h.value();
                bad.elapsedMs = resp.elapsedMs;
                return done(bad);
            }
            return done(resp.error);
        }
        if (!h)
            return done(h.error());
        FlagHealth good = h.value();
        good.elapsedMs = resp.elapsedMs;
        done(good);
    });
}

void UnleashClient::listFlags(const QString &environment, Callback<QList<FlagState>> done)
{
    const QString e = env(environment);
    if (const Status ok = checkNames(QString(), e); !ok)
        return done(ok.error());
    Net::Request r;
    r.service = Service::Flags;
    r.url = url(u"/api/admin/projects/%1/features"_s.arg(m_project));
    m_http.send(r, [this, e, done](const Net::Response &resp) {
        if (!resp.ok())
            return done(resp.error);
        const auto list = parseFeatures(resp.body, m_project, e);
        if (!list)
            return done(list.error());
        struct Fan
        {
            QList<FlagState> flags;
            QList<bool> gone;
            qsizetype next = 0;
            int pending = 0;
            bool finished = false;
            Callback<QList<FlagState>> done;
        };
        auto fan = std::make_shared<Fan>();
        fan->flags = list.value();
        fan->gone = QList<bool>(fan->flags.size(), false);
        fan->done = done;
        if (fan->flags.isEmpty())
            return done(fan->flags);
        auto launch = std::make_shared<std::function<void()>>();
        // The lambda holds a weak reference to itself; the requests hold strong ones.
        std::weak_ptr<std::function<void()>> weakLaunch = launch;
        *launch = [this, fan, e, weakLaunch] {
            while (!fan->finished && fan->pending < kParallelReads && fan->next < fan->flags.size()) {
                const qsizetype i = fan->next++;
                ++fan->pending;
                Net::Request fr;
                fr.service = Service::Flags;
                // The whole feature, not just the environment: its dependencies are the feature's.
                fr.url = url(featurePath(fan->flags[i].key));
                auto again = weakLaunch.lock();
                m_http.send(fr, [this, fan, e, i, again](const Net::Response &fresp) {
                    --fan->pending;
                    if (fan->finished)
                        return;
                    if (!fresp.ok() && fresp.status == 404) {
                        fan->gone[i] = true; // archived since the list was read
                    } else if (!fresp.ok()) {
                        fan->finished = true;
                        return fan->done(notFound(fresp.error, fan->flags[i].key, e));
                    } else {
                        const auto fe = parseFeature(fresp.body, e);
                        if (!fe && fe.error().httpStatus == 404 && fe.error().kind == Error::Kind::Config) {
                            fan->gone[i] = true; // no longer in this environment
                        } else if (!fe) {
                            fan->finished = true;
                            Error err = fe.error();
                            err.message = u"flag “%1”: "_s.arg(fan->flags[i].key) + err.message;
                            return fan->done(err);
                        } else {
                            fan->flags[i].enabled = fe->enabled;
                            fan->flags[i].strategies = fe->strategies;
                            fan->flags[i].variants = fe->variants;
                            fan->flags[i].dependencies = fe->dependencies;
                            fan->flags[i].dependenciesKnown = true;
                        }
                    }
                    if (fan->next < fan->flags.size()) {
                        (*again)();
                        return;
                    }
                    if (fan->pending == 0) {
                        fan->finished = true;
                        QList<FlagState> out;
                        for (qsizetype k = 0; k < fan->flags.size(); ++k) {
                            if (!fan->gone[k])
                                out.append(fan->flags[k]);
                        }
                        fan->done(out);
                    }
                });
            }
        };
        (*launch)();
    });
}

void UnleashClient::flag(const QString &flag, const QString &environment, Callback<FlagState> done)
{
    const QString e = env(environment);
    if (const Status ok = checkNames(flag, e); !ok)
        return done(ok.error());
    m_http.send(featureRequest(flag), [this, flag, e, done](const Net::Response &resp) {
        if (!resp.ok())
            return done(notFound(resp.error, flag, e));
        auto f = parseFeature(resp.body, e);
        if (!f)
            return done(f.error());
        FlagState s = f.value();
        if (s.project.isEmpty())
            s.project = m_project;
        done(s);
    });
}

void UnleashClient::setEnabled(const QString &flag, const QString &environment, bool on, StatusCallback done)
{
    const QString e = env(environment);
    if (const Status ok = checkNames(flag, e); !ok)
        return done(ok);
    ServeChange change;
    change.flag = flag;
    change.environment = e;
    change.on = on;
    const Result<Net::Request> r = serveRequest(change);
    if (!r)
        return done(r.error());
    m_http.send(r.value(), [this, flag, e, done](const Net::Response &resp) {
        // 8.2.0 answers 200 with an empty body (the description says featureSchema): any 2xx will do.
        if (!resp.ok())
            return done(notFound(resp.error, flag, e));
        done(okStatus());
    });
}

Net::Request UnleashClient::featureRequest(const QString &flag) const
{
    Net::Request r;
    r.service = Service::Flags;
    r.url = url(featurePath(flag));
    return r;
}

Net::Request UnleashClient::clientFeaturesRequest() const
{
    Net::Request r;
    r.service = Service::FlagsClient;
    r.url = url(u"/api/client/features"_s);
    r.timeoutMs = 5000;
    return r;
}

Result<Net::Request> UnleashClient::serveRequest(const ServeChange &change) const
{
    const QString e = env(change.environment);
    if (const Status ok = checkNames(change.flag, e); !ok)
        return ok.error();
    if (!change.scope.global()) {
        if (change.on) {
            return Error::make(Error::Kind::Refused, u"unleash"_s,
                               u"turning %1 on for %2 only is a rollout, not a rollback step"_s.arg(change.flag, change.scope.describe()),
                               u"Use the canary stages (Rollout) or Restore a rollback run (`raize-console rollback restore --run ID`)."_s);
        }
        if (const QString why = validateScope(change.scope, 100); !why.isEmpty())
            return Error::make(Error::Kind::Refused, u"unleash"_s, u"cannot scope %1: %2"_s.arg(change.flag, why),
                               u"Use the global scope (the whole environment) instead."_s);
        Net::Request r = featureRequest(change.flag); // the first call of a scoped change: the read
        return r;
    }
    Net::Request r;
    r.service = Service::Flags;
    r.method = "POST";
    r.idempotent = true; // on is on: repeating it leaves the same state (ENDPOINTS.md)
    r.url = url(envPath(change.flag, e) + (change.on ? u"/on"_s : u"/off"_s));
    return r;
}

QList<Net::RequestPreview> UnleashClient::previewServe(const ServeChange &change) const
{
    const Result<Net::Request> r = serveRequest(change);
    if (!r)
        return {};
    QList<Net::RequestPreview> out{Net::RequestPreview::from(r.value(), m_base, u"flags"_s)};
    if (!change.scope.global()) {
        // Which strategies there are is only known when the step runs: one PUT per strategy, each after a re-read.
        Net::Request put;
        put.service = Service::Flags;
        put.method = "PUT";
        put.url = url(envPath(change.flag, env(change.environment)) + u"/strategies/:strategyId"_s);
        put.body = Json::dump(json{{"constraints", json{{"kept", "as read"}, {"added", exclusionConstraints(change.scope)}}}});
        out << Net::RequestPreview::from(put, m_base, u"flags"_s);
    }
    return out;
}

void UnleashClient::serve(const ServeChange &change, StatusCallback done)
{
    const Result<Net::Request> r = serveRequest(change);
    if (!r)
        return done(r.error());
    if (!change.scope.global())
        return serveThroughEdits(change, done);
    const QString flag = change.flag, e = env(change.environment);
    m_http.send(r.value(), [this, flag, e, done](const Net::Response &resp) {
        if (!resp.ok())
            return done(notFound(resp.error, flag, e));
        done(okStatus());
    });
}

QList<Net::RequestPreview> UnleashClient::previewServed(const ServedQuery &query) const
{
    QList<Net::RequestPreview> out;
    if (!query.scope.global()) {
        out << previewEvaluateContexts(scopeQuery(query));
        if (m_clientHttp)
            out << Net::RequestPreview::from(clientFeaturesRequest(), m_base, u"flags-client"_s);
        return out;
    }
    for (const QString &f : query.flags)
        out << Net::RequestPreview::from(featureRequest(f), m_base, u"flags"_s);
    if (m_clientHttp)
        out << Net::RequestPreview::from(clientFeaturesRequest(), m_base, u"flags-client"_s);
    return out;
}

void UnleashClient::served(const ServedQuery &query, Callback<QList<ServedState>> done)
{
    if (!query.scope.global())
        return servedInScope(query, done);
    const QString e = env(query.environment);
    auto states = std::make_shared<QList<ServedState>>();
    auto left = std::make_shared<int>(int(query.flags.size()));
    auto failure = std::make_shared<std::optional<Error>>();
    for (const QString &key : query.flags) {
        ServedState st;
        st.flag = key;
        st.environment = e;
        *states << st;
    }
    if (query.flags.isEmpty())
        return done(*states);
    if (!m_clientHttp) {
        // The admin API's switch is not what SDKs are served (§7.2 confirms both).
        return done(Error::make(Error::Kind::Config, u"unleash"_s,
                                u"no flag-service client token: the console cannot see what clients are served"_s,
                                u"Store one with `raize-console token set flags-client --stdin`, then retry this step."_s));
    }
    QPointer<QObject> guard(&m_http);
    const auto clientSide = [this, guard, states, failure, done] {
        if (*failure)
            return done(**failure);
        m_clientHttp->send(clientFeaturesRequest(), [guard, states, done](const Net::Response &resp) {
            if (!guard)
                return;
            if (!resp.ok())
                return done(resp.error);
            const auto set = parseClientFeatures(resp.body);
            if (!set)
                return done(set.error());
            for (ServedState &st : *states) {
                const FlagState *f = set->find(st.flag);
                st.servedToClients = f && f->enabled; // a flag SDKs do not see is not served
            }
            done(*states);
        });
    };
    for (int i = 0; i < query.flags.size(); ++i) {
        flag(query.flags[i], e, [guard, i, states, left, failure, clientSide](const Result<FlagState> &f) {
            if (!guard)
                return;
            if (!f)
                *failure = f.error();
            else
                (*states)[i].on = f->enabled;
            if (--*left == 0)
                clientSide();
        });
    }
}

void UnleashClient::effectiveState(const QString &flagKey, const QString &environment, const FlagContext &context,
                                   Callback<FlagEvaluation> done)
{
    flag(flagKey, environment, [this, environment, done, context](const Result<FlagState> &s) {
        if (!s)
            return done(s.error());
        auto set = std::make_shared<FlagSet>();
        set->features << s.value();
        QStringList parents;
        for (const FlagDependency &d : s->dependencies)
            parents << d.feature;
        readParents(set, parents, environment, [set, key = s->key, context, done](const Status &st) {
            if (!st)
                return done(st.error());
            done(evaluate(key, *set, context));
        });
    });
}

void UnleashClient::readParents(std::shared_ptr<FlagSet> set, QStringList parents, const QString &environment, StatusCallback done)
{
    parents.removeDuplicates();
    while (!parents.isEmpty() && set->find(parents.first()))
        parents.removeFirst();
    if (parents.isEmpty())
        return done(okStatus());
    const QString parent = parents.takeFirst();
    flag(parent, environment, [this, set, parents, environment, done](const Result<FlagState> &p) {
        // A parent that is not there (archived, or elsewhere) stays unread: the
        // child is then Unknown, not on.
        if (!p && p.error().httpStatus != 404)
            return done(p.error());
        if (p)
            set->features << p.value(); // its own parents are not followed: SDKs answer off for a chain
        readParents(set, parents, environment, done);
    });
}

void UnleashClient::deleteStrategies(const QString &flag, const QString &environment, QStringList ids, StatusCallback done)
{
    if (ids.isEmpty())
        return done(okStatus());
    const QString id = ids.takeFirst();
    Net::Request r;
    r.service = Service::Flags;
    r.method = "DELETE";
    r.url = url(envPath(flag, environment) + u"/strategies/"_s + id);
    m_http.send(r, [this, flag, environment, ids, done](const Net::Response &resp) {
        // A 404 means it is gone already (e.g. a retried DELETE whose first try went through).
        if (!resp.ok() && resp.status != 404)
            return done(notFound(resp.error, flag, environment));
        deleteStrategies(flag, environment, ids, done);
    });
}

namespace {
Result<FlagStrategy> checkStored(const Result<FlagStrategy> &stored, const FlagScope &scope, int rolloutPercent)
{
    if (!stored)
        return stored;
    if (stored->scope != scope || stored->rolloutPercent != rolloutPercent || stored->name != kFlexibleRollout || stored->disabled)
        return Error::make(Error::Kind::Conflict, service(),
                           u"Unleash stored “%1” at %2% where “%3” at %4% was asked for"_s.arg(stored->scope.describe())
                               .arg(stored->rolloutPercent)
                               .arg(scope.describe())
                               .arg(rolloutPercent),
                           u"reload the flag and review its strategies before trying again"_s);
    return stored;
}
} // namespace

void UnleashClient::putStrategy(const QString &flag, const QString &environment, const FlagStrategy &keep, const FlagScope &scope,
                                int rolloutPercent, Callback<FlagStrategy> done)
{
    Net::Request r;
    r.service = Service::Flags;
    r.method = "PUT"; // replaces the strategy: idempotent
    r.url = url(envPath(flag, environment) + u"/strategies/"_s + keep.id);
    json body = strategyBody(scope, rolloutPercent, keep.stickiness, keep.groupId.isEmpty() ? flag : keep.groupId);
    if (keep.raw.is_object() && keep.raw.contains("title") && keep.raw["title"].is_string())
        body["title"] = keep.raw["title"];
    r.body = Json::dump(body);
    m_http.send(r, [this, flag, environment, scope, rolloutPercent, done](const Net::Response &resp) {
        if (!resp.ok())
            return done(notFound(resp.error, flag, environment));
        done(checkStored(parseStrategy(resp.body), scope, rolloutPercent));
    });
}

void UnleashClient::addStrategy(const QString &flag, const QString &environment, const FlagState &before, const FlagScope &scope,
                                int rolloutPercent, Callback<FlagStrategy> done)
{
    QSet<QString> beforeIds;
    QStringList oldIds;
    for (const FlagStrategy &s : before.strategies) {
        beforeIds.insert(s.id);
        oldIds << s.id;
    }
    Net::Request r;
    r.service = Service::Flags;
    r.method = "POST"; // adds one more on every call: not idempotent
    r.url = url(envPath(flag, environment) + u"/strategies"_s);
    r.body = Json::dump(strategyBody(scope, rolloutPercent, u"default"_s, flag));
    auto found = std::make_shared<std::optional<FlagStrategy>>();
    r.readBack = [this, flag, environment, beforeIds, scope, rolloutPercent, found](std::function<void(std::optional<bool>)> answer) {
        this->flag(flag, environment, [answer, beforeIds, scope, rolloutPercent, found](const Result<FlagState> &after) {
            if (!after)
                return answer(std::nullopt);
            const FlagStrategy *s = findNewStrategy(after.value(), beforeIds, scope, rolloutPercent);
            if (s)
                *found = *s;
            answer(s != nullptr);
        });
    };
    m_http.send(r, [this, flag, environment, scope, rolloutPercent, oldIds, found, done](const Net::Response &resp) {
        if (!resp.ok())
            return done(notFound(resp.error, flag, environment));
        Result<FlagStrategy> stored = resp.appliedByReadBack
                                          ? (found->has_value() ? Result<FlagStrategy>(**found)
                                                                : Result<FlagStrategy>(Error::make(Error::Kind::Conflict, service(),
                                                                                                   u"the new strategy was seen, then lost"_s,
                                                                                                   u"reload the flag before trying again"_s)))
                                          : parseStrategy(resp.body);
        stored = checkStored(stored, scope, rolloutPercent);
        if (!stored)
            return done(stored.error());
        const FlagStrategy added = stored.value();
        deleteStrategies(flag, environment, oldIds, [done, added](const Status &st) {
            if (!st)
                return done(st.error());
            done(added);
        });
    });
}

void UnleashClient::setScope(const QString &flagKey, const QString &environment, const FlagScope &scope, int rolloutPercent,
                             Callback<FlagStrategy> done)
{
    const QString e = env(environment);
    if (const Status ok = checkNames(flagKey, e); !ok)
        return done(ok.error());
    if (const QString why = validateScope(scope, rolloutPercent); !why.isEmpty())
        return done(Error::make(Error::Kind::Config, service(), why, u"change the scope and try again"_s));
    flag(flagKey, e, [this, flagKey, e, scope, rolloutPercent, done](const Result<FlagState> &current) {
        if (!current)
            return done(current.error());
        const FlagState &state = current.value();
        const FlagStrategy *keep = nullptr;
        QStringList extras;
        for (const FlagStrategy &s : state.strategies) {
            if (!keep && s.name == kFlexibleRollout)
                keep = &s;
            else
                extras << s.id;
        }
        if (!keep)
            return addStrategy(flagKey, e, state, scope, rolloutPercent, done);
        // Delete the others first: meanwhile the flag reaches a subset of what it reached before.
        const FlagStrategy kept = *keep;
        deleteStrategies(flagKey, e, extras, [this, flagKey, e, kept, scope, rolloutPercent, done](const Status &st) {
            if (!st)
                return done(st.error());
            putStrategy(flagKey, e, kept, scope, rolloutPercent, done);
        });
    });
}

// ---- the playground (issue #16 item 2) ----

Result<json> UnleashClient::playgroundBody(const ContextGrid &grid, const QString &project, const QString &environment)
{
    // appName is what the console's questions are filed under; the server needs one.
    json context = {{"appName", "raize-console"}};
    for (const auto &[name, values] : grid.fields) {
        if (values.isEmpty())
            continue;
        for (const QString &v : values) {
            if (v.contains(u','))
                return Error::make(Error::Kind::Config, u"unleash"_s,
                                   u"the context value \"%1\" of %2 has a comma: Unleash's playground splits values on commas"_s.arg(v, name),
                                   u"Rename it in the cohort (client and account ids have no commas), then build the plan again."_s);
        }
        context[name.toStdString()] = values.join(u',').toStdString();
    }
    return json{{"environments", json::array({environment.toStdString()})}, {"projects", json::array({project.toStdString()})}, {"context", context}};
}

Result<QList<ContextAnswer>> UnleashClient::parsePlayground(const QByteArray &body, const ContextGrid &grid, const QStringList &flags,
                                                           const QString &environment)
{
    Shape shape(body);
    const auto features = shape.reader.root()["features"];
    const QList<ContextFields> contexts = grid.expand();
    QHash<QString, int> index;
    QList<ContextAnswer> out;
    for (const ContextFields &c : contexts) {
        index.insert(contextKey(c), int(out.size()));
        ContextAnswer a;
        a.context = c;
        out << a;
    }
    // Which contexts the answer covered, per flag asked about.
    QHash<QString, QSet<QString>> seen;
    const std::string env = environment.toStdString();
    for (std::size_t i = 0; shape.ok() && i < features.size(); ++i) {
        const auto f = features.at(i);
        const QString name = f["name"].str();
        if (!flags.contains(name))
            continue;
        const auto results = f["environments"][env.c_str()];
        for (std::size_t k = 0; shape.ok() && k < results.size(); ++k) {
            const auto r = results.at(k);
            const json &ctx = r["context"].raw();
            ContextFields fields;
            for (const auto &[field, values] : grid.fields) {
                if (values.isEmpty())
                    continue;
                const std::string key = field.toStdString();
                QString v;
                if (ctx.is_object() && ctx.contains(key) && ctx[key].is_string())
                    v = QString::fromStdString(ctx[key].get<std::string>());
                else if (ctx.is_object() && ctx.contains("properties") && ctx["properties"].is_object() && ctx["properties"].contains(key)
                         && ctx["properties"][key].is_string())
                    v = QString::fromStdString(ctx["properties"][key].get<std::string>());
                fields.insert(field, v);
            }
            const auto it = index.constFind(contextKey(fields));
            if (it == index.cend()) {
                shape.reject(r["context"], u"the playground answered for a context the console did not ask about (%1)"_s.arg(contextKey(fields)));
                break;
            }
            out[*it].enabled.insert(name, r["isEnabled"].boolean());
            seen[name].insert(contextKey(fields));
        }
    }
    if (!shape.ok())
        return shape.error();
    for (const QString &flag : flags) {
        // A flag the server does not have is off for everyone (SDKs answer off); one it has must be answered for every context.
        if (!seen.contains(flag))
            continue;
        if (seen.value(flag).size() != contexts.size())
            return Error::make(Error::Kind::Parse, u"unleash"_s,
                               u"the playground answered %1 for %2 of %3 contexts"_s.arg(flag).arg(seen.value(flag).size()).arg(contexts.size()),
                               u"Ask again; if it persists, the server's playground limit may be lower than the question (Unleash's advancedPlayground flag)."_s);
    }
    return out;
}

Result<Net::Request> UnleashClient::playgroundRequest(const ContextGrid &grid, const QString &environment) const
{
    const QString e = env(environment);
    if (const Status ok = checkNames({}, e); !ok)
        return ok.error();
    const Result<json> body = playgroundBody(grid, m_project, e);
    if (!body)
        return body.error();
    Net::Request r;
    r.service = Service::Flags;
    r.method = "POST";
    r.idempotent = true; // a question: asking again changes nothing
    r.url = url(u"/api/admin/playground/advanced"_s);
    r.body = Json::dump(body.value());
    r.timeoutMs = 15000;
    return r;
}

QList<Net::RequestPreview> UnleashClient::previewEvaluateContexts(const EvaluationQuery &query) const
{
    QList<Net::RequestPreview> out;
    for (const ContextGrid &g : query.grids) {
        const Result<Net::Request> r = playgroundRequest(g, query.environment);
        if (r)
            out << Net::RequestPreview::from(r.value(), m_base, u"flags"_s);
    }
    return out;
}

// ---- scoped changes (issue #16 item 1) ----

json UnleashClient::exclusionConstraints(const FlagScope &scope)
{
    // Sorted: the order canonicalStrategy() compares in.
    return constraintsOf(scope, "NOT_IN", true);
}

json UnleashClient::canonicalStrategy(const json &raw)
{
    if (!raw.is_object())
        return json();
    json params = json::object();
    if (raw.contains("parameters") && raw["parameters"].is_object()) {
        for (auto it = raw["parameters"].begin(); it != raw["parameters"].end(); ++it)
            params[it.key()] = it.value().is_string() ? it.value() : json(it.value().dump()); // the server stores strings
    }
    json constraints = json::array();
    if (raw.contains("constraints") && raw["constraints"].is_array()) {
        for (const json &c : raw["constraints"]) {
            json values = c.contains("values") && c["values"].is_array() ? c["values"] : json::array();
            if (c.value("operator", "") == "IN" || c.value("operator", "") == "NOT_IN")
                std::sort(values.begin(), values.end()); // a set: the server may store it in another order
            // Defaults are left out, as the server stores a constraint sent without them:
            // what is written back is what was read.
            json one = {{"contextName", c.value("contextName", "")}, {"operator", c.value("operator", "")}, {"values", values}};
            if (c.value("inverted", false))
                one["inverted"] = true;
            if (c.value("caseInsensitive", false))
                one["caseInsensitive"] = true;
            if (c.contains("value") && c["value"].is_string() && !c["value"].get<std::string>().empty())
                one["value"] = c["value"];
            constraints.push_back(one);
        }
    }
    const auto list = [&](const char *k) { return raw.contains(k) && raw[k].is_array() ? raw[k] : json::array(); };
    json out = {{"name", raw.value("name", "")},
                {"parameters", params},
                {"constraints", constraints},
                {"segments", list("segments")},
                {"variants", list("variants")},
                {"disabled", raw.contains("disabled") && raw["disabled"].is_boolean() ? raw["disabled"] : json(false)}};
    if (raw.contains("title") && raw["title"].is_string() && !raw["title"].get<std::string>().empty())
        out["title"] = raw["title"]; // no title stays no title (null), not ""
    return out;
}

Result<json> UnleashClient::excludeScope(const FlagStrategy &strategy, const FlagScope &scope, const QString &flag)
{
    const auto cannot = [&](const QString &why) {
        return Error::make(Error::Kind::Refused, service(),
                           u"cannot scope %1: strategy %2 (%3) %4"_s.arg(flag, strategy.id, strategy.name, why),
                           u"Turn the flag off globally (the whole environment) instead, or change the strategy in Unleash by hand."_s);
    };
    if (!scope.other.isEmpty())
        return cannot(u"— the scope has parts the console does not write: "_s + scope.other.join(u"; "_s));
    if (scope.global())
        return cannot(u"— the scope is global: turn the environment off instead"_s);
    if (strategy.name != kFlexibleRollout && strategy.name != u"default"_s)
        return cannot(u"is a strategy type the console does not model"_s);
    if (!strategy.segments.isEmpty())
        return cannot(u"uses segments, which the console does not model"_s);
    static const QStringList modelled = {u"IN"_s,       u"NOT_IN"_s, u"STR_STARTS_WITH"_s, u"STR_ENDS_WITH"_s, u"STR_CONTAINS"_s,
                                         u"NUM_EQ"_s,   u"NUM_GT"_s, u"NUM_GTE"_s,         u"NUM_LT"_s,        u"NUM_LTE"_s,
                                         u"DATE_AFTER"_s, u"DATE_BEFORE"_s, u"SEMVER_EQ"_s, u"SEMVER_GT"_s,   u"SEMVER_LT"_s};
    for (const FlagConstraint &c : strategy.constraints) {
        if (!modelled.contains(c.op))
            return cannot(u"uses the operator %1, which the console does not model"_s.arg(c.op));
    }
    json body = canonicalStrategy(strategy.raw);
    for (const json &c : exclusionConstraints(scope)) {
        bool present = false; // already excluded (a strategy edited by an earlier run)
        for (const json &have : body["constraints"])
            present = present || have == c;
        if (!present)
            body["constraints"].push_back(c);
    }
    return body;
}

QList<ContextGrid> UnleashClient::scopeGrids(const FlagScope &scope)
{
    // One grid per field: each expands to one context per value, so the
    // contexts are exactly the clients, accounts, lane and cohorts the scope
    // names (not their combinations).
    QList<ContextGrid> out;
    const auto add = [&](const QString &field, const QStringList &values) {
        if (!values.isEmpty())
            out << ContextGrid{{{field, values}}};
    };
    add(u"clientId"_s, scope.clientIds);
    add(u"platformAccount"_s, scope.platformAccountIds);
    add(u"lane"_s, scope.lane.isEmpty() ? QStringList() : QStringList{scope.lane});
    add(u"cohort"_s, scope.cohorts);
    return out;
}

QList<FlagContext> UnleashClient::scopeContexts(const FlagScope &scope)
{
    QList<FlagContext> out;
    for (const ContextGrid &g : scopeGrids(scope)) {
        for (const ContextFields &fields : g.expand()) {
            FlagContext c;
            c.appName = u"raize-console"_s;
            c.properties = fields;
            c.complete = true;
            out << c;
        }
    }
    return out;
}

EvaluationQuery UnleashClient::scopeQuery(const ServedQuery &query)
{
    EvaluationQuery q;
    q.environment = query.environment;
    q.flags = query.flags;
    q.grids = scopeGrids(query.scope);
    return q;
}

void UnleashClient::servedInScope(const ServedQuery &query, Callback<QList<ServedState>> done)
{
    const QString e = env(query.environment);
    auto states = std::make_shared<QList<ServedState>>();
    for (const QString &key : query.flags) {
        ServedState st;
        st.flag = key;
        st.environment = e;
        *states << st;
    }
    const QList<FlagContext> contexts = scopeContexts(query.scope);
    if (contexts.isEmpty() || !query.scope.other.isEmpty())
        return done(Error::make(Error::Kind::Refused, service(), u"cannot read back %1: it names nobody the console can ask about"_s.arg(query.scope.describe()),
                                u"Read the flags back globally."_s));
    if (!m_clientHttp) {
        return done(Error::make(Error::Kind::Config, u"unleash"_s,
                                u"no flag-service client token: the console cannot see what clients are served"_s,
                                u"Store one with `raize-console token set flags-client --stdin`, then retry this step."_s));
    }
    QPointer<QObject> guard(&m_http);
    // The server's own evaluation (`on`): the same advanced-playground questions as the blast radius.
    evaluateContexts(scopeQuery(query), [this, guard, states, contexts, done](const Result<QList<ContextAnswer>> &answers) {
        if (!guard)
            return;
        if (!answers)
            return done(answers.error());
        for (ServedState &st : *states) {
            for (const ContextAnswer &a : answers.value()) {
                if (!a.enabled.contains(st.flag))
                    return done(Error::make(Error::Kind::Conflict, service(), u"the playground does not know %1"_s.arg(st.flag),
                                            u"Check the flag's name and project in Unleash."_s));
                st.on = st.on || a.on(st.flag);
            }
        }
        // What SDKs are served (`servedToClients`): the client API, evaluated locally for the same contexts.
        m_clientHttp->send(clientFeaturesRequest(), [guard, states, contexts, done](const Net::Response &resp) {
            if (!guard)
                return;
            if (!resp.ok())
                return done(resp.error);
            const auto set = parseClientFeatures(resp.body);
            if (!set)
                return done(set.error());
            for (ServedState &st : *states) {
                bool served = false; // Unknown and Partial count as served: not provably off
                for (const FlagContext &c : contexts)
                    served = served || evaluate(st.flag, set.value(), c).verdict != FlagEvaluation::Verdict::Off;
                st.servedToClients = served;
            }
            done(*states);
        });
    });
}

void UnleashClient::prepareServe(const ServeChange &change, Callback<ServeEdits> done)
{
    const Result<Net::Request> r = serveRequest(change);
    if (!r)
        return done(r.error());
    if (change.scope.global())
        return done(Error::make(Error::Kind::Refused, service(), u"a global change of %1 edits no strategy"_s.arg(change.flag),
                                u"Send it with serve()."_s));
    const QString e = env(change.environment);
    flag(change.flag, e, [change, e, done](const Result<FlagState> &current) {
        if (!current)
            return done(current.error());
        ServeEdits out;
        out.change = change;
        out.change.environment = e;
        out.backend = u"unleash"_s;
        if (!current->enabled) {
            // Off for everyone already: nothing to scope, nothing to undo.
            return done(out);
        }
        if (current->strategies.isEmpty())
            return done(Error::make(Error::Kind::Refused, service(),
                                    u"cannot scope %1: it is on in %2 with no strategy, so there is nothing to add an exclusion to"_s.arg(change.flag, e),
                                    u"Turn the flag off globally (the whole environment) instead."_s));
        for (const FlagStrategy &s : current->strategies) {
            if (s.id.isEmpty())
                return done(Error::make(Error::Kind::Parse, service(), u"a strategy of %1 has no id"_s.arg(change.flag),
                                        u"Check the Unleash version (8.x sends strategy ids)."_s));
            const Result<json> after = excludeScope(s, change.scope, change.flag);
            if (!after)
                return done(after.error());
            const json before = canonicalStrategy(s.raw);
            if (before != after.value())
                out.edits << ServeEdit{s.id, before, after.value()};
        }
        done(out);
    });
}

Net::Request UnleashClient::editRequest(const ServeEdits &edits, const ServeEdit &edit, bool undo) const
{
    Net::Request r;
    r.service = Service::Flags;
    r.method = "PUT"; // replaces the strategy: idempotent
    r.idempotent = true;
    r.url = url(envPath(edits.change.flag, env(edits.change.environment)) + u"/strategies/"_s + edit.target);
    r.body = Json::dump(undo ? edit.before : edit.after);
    return r;
}

QList<Net::RequestPreview> UnleashClient::previewEdits(const ServeEdits &edits, bool undo) const
{
    QList<Net::RequestPreview> out;
    for (const ServeEdit &edit : edits.edits) {
        out << Net::RequestPreview::from(featureRequest(edits.change.flag), m_base, u"flags"_s);
        out << Net::RequestPreview::from(editRequest(edits, edit, undo), m_base, u"flags"_s);
    }
    return out;
}

void UnleashClient::evaluateContexts(const EvaluationQuery &query, Callback<QList<ContextAnswer>> done)
{
    evaluateGrids(query, 0, std::make_shared<QList<ContextAnswer>>(), std::move(done));
}

void UnleashClient::evaluateGrids(EvaluationQuery query, int index, std::shared_ptr<QList<ContextAnswer>> acc,
                                  Callback<QList<ContextAnswer>> done)
{
    if (index >= query.grids.size())
        return done(*acc);
    const ContextGrid grid = query.grids[index];
    if (grid.size() == 0)
        return evaluateGrids(std::move(query), index + 1, std::move(acc), std::move(done));
    const Result<Net::Request> r = playgroundRequest(grid, query.environment);
    if (!r)
        return done(r.error());
    QPointer<QObject> guard(&m_http);
    const QString e = env(query.environment);
    m_http.send(r.value(), [this, guard, query, index, acc, grid, e, done](const Net::Response &resp) {
        if (!guard)
            return;
        if (!resp.ok())
            return done(resp.error);
        const Result<QList<ContextAnswer>> answers = parsePlayground(resp.body, grid, query.flags, e);
        if (!answers)
            return done(answers.error());
        *acc << answers.value();
        evaluateGrids(query, index + 1, acc, done);
    });
}

void UnleashClient::applyEdits(const ServeEdits &edits, bool undo, StatusCallback done)
{
    if (edits.backend != u"unleash"_s)
        return done(Error::make(Error::Kind::Refused, service(), u"these edits were made by %1, not Unleash"_s.arg(edits.backend),
                                u"Apply them with the profile's own flag service."_s));
    if (const Status ok = checkNames(edits.change.flag, env(edits.change.environment)); !ok)
        return done(ok);
    applyEdit(std::make_shared<ServeEdits>(edits), 0, undo, done);
}

void UnleashClient::applyEdit(std::shared_ptr<ServeEdits> edits, int index, bool undo, StatusCallback done)
{
    if (index >= edits->edits.size())
        return done(okStatus());
    const QString flagKey = edits->change.flag, e = env(edits->change.environment);
    QPointer<QObject> guard(&m_http);
    // Re-read right before the write: stop when someone else moved the strategy.
    flag(flagKey, e, [this, guard, edits, index, undo, flagKey, e, done](const Result<FlagState> &current) {
        if (!guard)
            return;
        if (!current)
            return done(current.error());
        const ServeEdit &edit = edits->edits[index];
        const json from = canonicalStrategy(undo ? edit.after : edit.before);
        const json to = canonicalStrategy(undo ? edit.before : edit.after);
        const FlagStrategy *now = nullptr;
        for (const FlagStrategy &s : current->strategies) {
            if (s.id == edit.target)
                now = &s;
        }
        const auto moved = [&](const QString &what) {
            return done(Error::make(Error::Kind::Conflict, service(),
                                    u"%1 in %2 changed since the console read it: strategy %3 %4"_s.arg(flagKey, e, edit.target, what),
                                    undo ? u"Someone changed the flag after the rollback: compare it with the run journal's strategies and restore by hand."_s
                                         : u"Someone else changed the flag: reload the plan (or turn the flag off globally)."_s));
        };
        if (!now)
            return moved(u"was deleted"_s);
        const json stored = canonicalStrategy(now->raw);
        if (stored == to)
            return applyEdit(edits, index + 1, undo, done); // written already (a resumed run)
        if (stored != from) {
            QString diff;
            for (const char *k : {"name", "title", "parameters", "constraints", "segments", "variants", "disabled"}) {
                if (stored.value(k, json()) != from.value(k, json()))
                    diff += u" %1 was %2, is %3;"_s.arg(QString::fromLatin1(k), QString::fromStdString(from.value(k, json()).dump()),
                                                        QString::fromStdString(stored.value(k, json()).dump()));
            }
            return moved(u"—"_s + diff.chopped(1));
        }
        m_http.send(editRequest(*edits, edit, undo), [this, guard, edits, index, undo, flagKey, e, to, done](const Net::Response &resp) {
            if (!guard)
                return;
            if (!resp.ok())
                return done(notFound(resp.error, flagKey, e));
            const auto answer = parseStrategy(resp.body);
            if (answer && canonicalStrategy(answer->raw) != to)
                return done(Error::make(Error::Kind::Conflict, service(),
                                        u"Unleash stored strategy %1 of %2 differently from what was sent"_s.arg(edits->edits[index].target, flagKey),
                                        u"Reload the flag and compare it with the run journal before trying again."_s));
            applyEdit(edits, index + 1, undo, done);
        });
    });
}

} // namespace Raize::Services
