#include "release/dora.h"

#include "core/error.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace Raize::Release::Dora {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {

std::string iso(const QDateTime &t)
{
    return t.isValid() ? t.toUTC().toString(Qt::ISODate).toStdString() : std::string();
}

json isoOrNull(const QDateTime &t)
{
    return t.isValid() ? json(iso(t)) : json(nullptr);
}

json strings(const QStringList &l)
{
    json a = json::array();
    for (const QString &s : l)
        a.push_back(s.toStdString());
    return a;
}

// Reading one records file: every problem names its place ("deployments[2].productionAt").
class Reader
{
public:
    std::optional<Error> error;

    QString string(const json &o, const char *key, const QString &where, bool required)
    {
        if (!o.contains(key) || o[key].is_null()) {
            if (required)
                fail(where + u'.' + QLatin1StringView(key), u"is missing"_s);
            return {};
        }
        if (!o[key].is_string()) {
            fail(where + u'.' + QLatin1StringView(key), u"must be a string"_s);
            return {};
        }
        return QString::fromStdString(o[key].get<std::string>());
    }

    QDateTime time(const json &o, const char *key, const QString &where, bool required)
    {
        const QString s = string(o, key, where, required);
        if (s.isEmpty())
            return {};
        QDateTime t = QDateTime::fromString(s, Qt::ISODateWithMs);
        if (!t.isValid())
            t = QDateTime::fromString(s, Qt::ISODate);
        if (!t.isValid() || t.timeSpec() == Qt::LocalTime) {
            fail(where + u'.' + QLatin1StringView(key), u"must be an ISO 8601 time with a zone (e.g. 2026-12-06T10:00:00Z), not \"%1\""_s.arg(s));
            return {};
        }
        return t.toUTC();
    }

    QStringList list(const json &o, const char *key, const QString &where)
    {
        QStringList out;
        if (!o.contains(key) || o[key].is_null())
            return out;
        if (!o[key].is_array()) {
            fail(where + u'.' + QLatin1StringView(key), u"must be a list"_s);
            return out;
        }
        for (const json &v : o[key]) {
            if (v.is_string())
                out << QString::fromStdString(v.get<std::string>());
            else if (v.is_number_integer())
                out << QString::number(v.get<qint64>());
            else
                fail(where + u'.' + QLatin1StringView(key), u"may only hold strings"_s);
        }
        return out;
    }

    void fail(const QString &where, const QString &what)
    {
        if (!error)
            error = Error::make(Error::Kind::Parse, u"dora"_s, u"DORA records: %1 %2"_s.arg(where, what),
                                        u"Fix the records file (its format is in docs/dora.md) or collect them again."_s);
    }
};

bool inWindow(const QDateTime &t, const Options &o)
{
    return t.isValid() && t >= o.from && t < o.to;
}

Durations sorted(QList<qint64> v)
{
    std::sort(v.begin(), v.end());
    return Durations{v};
}

} // namespace

std::optional<double> Durations::median() const
{
    if (samples.isEmpty())
        return std::nullopt;
    const qsizetype n = samples.size();
    if (n % 2 == 1)
        return double(samples.at(n / 2));
    return (double(samples.at(n / 2 - 1)) + double(samples.at(n / 2))) / 2.0;
}

std::optional<double> Durations::p90() const
{
    if (samples.isEmpty())
        return std::nullopt;
    const auto rank = qsizetype(std::ceil(0.9 * double(samples.size())));
    return double(samples.at(std::clamp<qsizetype>(rank, 1, samples.size()) - 1));
}

json Records::toJson() const
{
    json j = {{"deployments", json::array()}, {"pullRequests", json::array()}, {"rollbacks", json::array()}, {"incidents", json::array()}};
    for (const Deployment &d : deployments) {
        json prs = json::array();
        for (int n : d.pullRequests)
            prs.push_back(n);
        j["deployments"].push_back({{"id", d.id.toStdString()},
                                    {"service", d.service.toStdString()},
                                    {"sha", d.sha.toStdString()},
                                    {"productionAt", isoOrNull(d.productionAt)},
                                    {"pullRequests", prs},
                                    {"commitAt", isoOrNull(d.commitAt)}});
    }
    for (const PullRequest &p : pullRequests)
        j["pullRequests"].push_back({{"number", p.number},
                                     {"firstCommitAt", isoOrNull(p.firstCommitAt)},
                                     {"mergedAt", isoOrNull(p.mergedAt)},
                                     {"linkedIncidents", strings(p.linkedIncidents)}});
    for (const Rollback &r : rollbacks)
        j["rollbacks"].push_back({{"id", r.id.toStdString()},
                                  {"fromDeployment", r.fromDeployment.toStdString()},
                                  {"toDeployment", r.toDeployment.toStdString()},
                                  {"requestedAt", isoOrNull(r.requestedAt)},
                                  {"effectiveAt", isoOrNull(r.effectiveAt)},
                                  {"incident", r.incident.toStdString()}});
    for (const Incident &i : incidents)
        j["incidents"].push_back({{"id", i.id.toStdString()},
                                  {"openedAt", isoOrNull(i.openedAt)},
                                  {"closedAt", isoOrNull(i.closedAt)},
                                  {"deployments", strings(i.deployments)}});
    return j;
}

Result<Records> Records::fromJson(const json &j)
{
    if (!j.is_object())
        return Error::make(Error::Kind::Parse, u"dora"_s, u"DORA records: the file is not a JSON object"_s,
                                   u"Give a file with \"deployments\", \"pullRequests\", \"rollbacks\" and \"incidents\" lists (docs/dora.md)."_s);
    Reader r;
    Records out;
    const auto array = [&](const char *key) -> const json * {
        if (!j.contains(key))
            return nullptr;
        if (!j[key].is_array()) {
            r.fail(QString::fromLatin1(key), u"must be a list"_s);
            return nullptr;
        }
        return &j[key];
    };
    if (const json *a = array("deployments")) {
        for (size_t i = 0; i < a->size(); ++i) {
            const json &o = (*a)[i];
            const QString where = u"deployments[%1]"_s.arg(i);
            if (!o.is_object()) {
                r.fail(where, u"must be an object"_s);
                continue;
            }
            Deployment d;
            d.id = r.string(o, "id", where, true);
            d.service = r.string(o, "service", where, false);
            d.sha = r.string(o, "sha", where, false);
            d.productionAt = r.time(o, "productionAt", where, true);
            d.commitAt = r.time(o, "commitAt", where, false);
            for (const QString &n : r.list(o, "pullRequests", where)) {
                bool ok = false;
                const int number = n.toInt(&ok);
                if (!ok || number <= 0)
                    r.fail(where + u".pullRequests"_s, u"holds \"%1\", not a pull request number"_s.arg(n));
                else
                    d.pullRequests << number;
            }
            out.deployments << d;
        }
    }
    if (const json *a = array("pullRequests")) {
        for (size_t i = 0; i < a->size(); ++i) {
            const json &o = (*a)[i];
            const QString where = u"pullRequests[%1]"_s.arg(i);
            if (!o.is_object() || !o.contains("number") || !o["number"].is_number_integer()) {
                r.fail(where + u".number"_s, u"must be a number"_s);
                continue;
            }
            PullRequest p;
            p.number = o["number"].get<int>();
            p.firstCommitAt = r.time(o, "firstCommitAt", where, true);
            p.mergedAt = r.time(o, "mergedAt", where, false);
            p.linkedIncidents = r.list(o, "linkedIncidents", where);
            out.pullRequests << p;
        }
    }
    if (const json *a = array("rollbacks")) {
        for (size_t i = 0; i < a->size(); ++i) {
            const json &o = (*a)[i];
            const QString where = u"rollbacks[%1]"_s.arg(i);
            if (!o.is_object()) {
                r.fail(where, u"must be an object"_s);
                continue;
            }
            Rollback b;
            b.id = r.string(o, "id", where, true);
            b.fromDeployment = r.string(o, "fromDeployment", where, false);
            b.toDeployment = r.string(o, "toDeployment", where, false);
            b.requestedAt = r.time(o, "requestedAt", where, true);
            b.effectiveAt = r.time(o, "effectiveAt", where, false);
            b.incident = r.string(o, "incident", where, false);
            out.rollbacks << b;
        }
    }
    if (const json *a = array("incidents")) {
        for (size_t i = 0; i < a->size(); ++i) {
            const json &o = (*a)[i];
            const QString where = u"incidents[%1]"_s.arg(i);
            if (!o.is_object()) {
                r.fail(where, u"must be an object"_s);
                continue;
            }
            Incident inc;
            inc.id = r.string(o, "id", where, true);
            inc.openedAt = r.time(o, "openedAt", where, true);
            inc.closedAt = r.time(o, "closedAt", where, false);
            inc.deployments = r.list(o, "deployments", where);
            out.incidents << inc;
        }
    }
    if (r.error)
        return *r.error;
    return out;
}

Report compute(const Records &records, const Options &options)
{
    Report rep;
    rep.window = options;
    const qint64 span = options.from.secsTo(options.to);

    // Production deployments, once per id (the earliest time it served):
    // promoting a deployment again or rolling back to it is not a new change.
    QHash<QString, Deployment> firstServed;
    for (const Deployment &d : records.deployments) {
        auto it = firstServed.find(d.id);
        if (it == firstServed.end())
            firstServed.insert(d.id, d);
        else if (d.productionAt < it->productionAt)
            *it = d;
    }
    QList<Deployment> all = firstServed.values();
    std::sort(all.begin(), all.end(), [](const Deployment &a, const Deployment &b) {
        return a.productionAt != b.productionAt ? a.productionAt < b.productionAt : a.id < b.id;
    });
    const int repeats = int(records.deployments.size() - all.size());
    if (repeats > 0)
        rep.notes << u"%1 repeated production record(s) of a deployment counted once (a re-promotion or a rollback to it is not a new deployment)"_s.arg(repeats);

    QHash<int, PullRequest> prs;
    for (const PullRequest &p : records.pullRequests)
        prs.insert(p.number, p);
    QHash<QString, Incident> incidents;
    for (const Incident &i : records.incidents)
        incidents.insert(i.id, i);

    // Trend buckets across the window.
    if (options.bucketSecs > 0 && span > 0) {
        for (QDateTime b = options.from; b < options.to; b = b.addSecs(options.bucketSecs))
            rep.trend << Bucket{b, 0, 0, std::nullopt};
    }
    QHash<qint64, QList<qint64>> bucketLead;

    QList<qint64> lead, merge;
    QSet<int> shippedBefore;
    int direct = 0, unknownPr = 0, noCommitTime = 0;
    for (const Deployment &d : all) {
        const bool counted = inWindow(d.productionAt, options);
        // A pull request counts toward lead time once: with the first production deployment that shipped it.
        QList<qint64> leadHere;
        for (int n : d.pullRequests) {
            if (shippedBefore.contains(n))
                continue;
            shippedBefore.insert(n);
            if (!counted)
                continue;
            const auto pr = prs.constFind(n);
            if (pr == prs.cend()) {
                ++unknownPr;
                continue;
            }
            leadHere << pr->firstCommitAt.secsTo(d.productionAt);
            if (pr->mergedAt.isValid())
                merge << pr->mergedAt.secsTo(d.productionAt);
        }
        if (!counted)
            continue;
        if (d.pullRequests.isEmpty()) {
            ++direct;
            if (d.commitAt.isValid())
                leadHere << d.commitAt.secsTo(d.productionAt);
            else
                ++noCommitTime;
        }
        lead << leadHere;
        ++rep.deployments;

        // Change fail: a rollback away from it, or an incident linking it, within the window after it served.
        const QDateTime failUntil = d.productionAt.addSecs(options.changeFailWindowSecs);
        QString why;
        for (const Rollback &r : records.rollbacks) {
            if (r.fromDeployment == d.id && r.requestedAt >= d.productionAt && r.requestedAt <= failUntil) {
                why = u"%1: rolled back by %2"_s.arg(d.id, r.id);
                break;
            }
        }
        if (why.isEmpty()) {
            for (const Incident &i : records.incidents) {
                if (i.deployments.contains(d.id) && i.openedAt >= d.productionAt && i.openedAt <= failUntil) {
                    why = u"%1: incident %2"_s.arg(d.id, i.id);
                    break;
                }
            }
        }
        if (!why.isEmpty()) {
            ++rep.failedDeployments;
            rep.failed << why;
        }

        // Rework: made while an incident was open, or shipping a pull request that links one.
        QString reworkWhy;
        for (const Incident &i : records.incidents) {
            if (i.openedAt <= d.productionAt && (!i.closedAt.isValid() || d.productionAt < i.closedAt)) {
                reworkWhy = u"%1: made while incident %2 was open"_s.arg(d.id, i.id);
                break;
            }
        }
        if (reworkWhy.isEmpty()) {
            for (int n : d.pullRequests) {
                const auto pr = prs.constFind(n);
                if (pr != prs.cend() && !pr->linkedIncidents.isEmpty()) {
                    reworkWhy = u"%1: pull request #%2 links incident %3"_s.arg(d.id).arg(n).arg(pr->linkedIncidents.first());
                    break;
                }
            }
        }
        if (!reworkWhy.isEmpty()) {
            ++rep.reworkDeployments;
            rep.rework << reworkWhy;
        }

        if (!rep.trend.isEmpty()) {
            const qint64 idx = options.from.secsTo(d.productionAt) / options.bucketSecs;
            if (idx >= 0 && idx < rep.trend.size()) {
                ++rep.trend[idx].deployments;
                if (!why.isEmpty())
                    ++rep.trend[idx].failed;
                bucketLead[idx] << leadHere;
            }
        }
    }
    for (auto it = bucketLead.cbegin(); it != bucketLead.cend(); ++it)
        rep.trend[it.key()].leadTimeMedianSecs = sorted(it.value()).median();

    rep.leadTime = sorted(lead);
    rep.mergeToProduction = sorted(merge);
    if (span > 0)
        rep.deploymentsPerDay = double(rep.deployments) * 86400.0 / double(span);
    if (rep.deployments > 0) {
        rep.changeFailRate = double(rep.failedDeployments) / double(rep.deployments);
        rep.reworkRate = double(rep.reworkDeployments) / double(rep.deployments);
    }
    if (direct > 0)
        rep.notes << u"%1 direct push(es) without a pull request: lead time from the commit, no merge-to-production"_s.arg(direct);
    if (noCommitTime > 0)
        rep.notes << u"%1 direct push(es) without a commit time: left out of lead time"_s.arg(noCommitTime);
    if (unknownPr > 0)
        rep.notes << u"%1 pull request(s) named by a deployment but not in the records: left out of lead time"_s.arg(unknownPr);

    // Recovery: an incident opened in the window, from the earlier of its
    // opening and the first rollback answering it, to that rollback being effective.
    QList<qint64> recovery;
    QList<Incident> opened = records.incidents;
    std::sort(opened.begin(), opened.end(), [](const Incident &a, const Incident &b) { return a.openedAt < b.openedAt; });
    for (const Incident &i : opened) {
        if (!inWindow(i.openedAt, options))
            continue;
        const Rollback *first = nullptr;
        for (const Rollback &r : records.rollbacks) {
            // Linked by the rollback, or (a rollback made outside the console links
            // nothing) away from a deployment the incident links, after it opened.
            const bool answers = r.incident == i.id
                || (r.incident.isEmpty() && !r.fromDeployment.isEmpty() && i.deployments.contains(r.fromDeployment)
                    && r.requestedAt >= i.openedAt);
            if (answers && r.effectiveAt.isValid() && (!first || r.effectiveAt < first->effectiveAt))
                first = &r;
        }
        if (!first) {
            rep.unrecovered << i.id;
            continue;
        }
        const QDateTime start = std::min(i.openedAt, first->requestedAt);
        recovery << start.secsTo(first->effectiveAt);
    }
    rep.recoveryTime = sorted(recovery);
    if (!rep.unrecovered.isEmpty())
        rep.notes << u"%1 incident(s) with no effective rollback are not in recovery time: %2"_s.arg(rep.unrecovered.size())
                         .arg(rep.unrecovered.join(u", "_s));
    return rep;
}

namespace {

json durationsJson(const Durations &d)
{
    const auto opt = [](std::optional<double> v) { return v ? json(*v) : json(nullptr); };
    return {{"count", d.samples.size()}, {"medianSecs", opt(d.median())}, {"p90Secs", opt(d.p90())}};
}

QString rate(std::optional<double> r)
{
    return r ? u"%1 %"_s.arg(*r * 100.0, 0, 'f', 1) : u"n/a (no deployment)"_s;
}

QString durationLine(const Durations &d)
{
    if (d.samples.isEmpty())
        return u"n/a (no sample)"_s;
    return u"median %1, p90 %2 (%3 sample(s))"_s.arg(formatDuration(*d.median()), formatDuration(*d.p90())).arg(d.samples.size());
}

} // namespace

json Report::toJson() const
{
    const auto opt = [](std::optional<double> v) { return v ? json(*v) : json(nullptr); };
    json buckets = json::array();
    for (const Bucket &b : trend)
        buckets.push_back({{"from", iso(b.from)},
                           {"deployments", b.deployments},
                           {"failed", b.failed},
                           {"leadTimeMedianSecs", opt(b.leadTimeMedianSecs)}});
    return {{"from", iso(window.from)},
            {"to", iso(window.to)},
            {"changeFailWindowHours", double(window.changeFailWindowSecs) / 3600.0},
            {"deploymentFrequency", {{"deployments", deployments}, {"perDay", deploymentsPerDay}}},
            {"leadTimeForChanges", durationsJson(leadTime)},
            {"mergeToProduction", durationsJson(mergeToProduction)},
            {"changeFailRate", {{"failed", failedDeployments}, {"rate", opt(changeFailRate)}, {"deployments", strings(failed)}}},
            {"failedDeploymentRecoveryTime", durationsJson(recoveryTime)},
            {"unrecoveredIncidents", strings(unrecovered)},
            {"deploymentReworkRate", {{"rework", reworkDeployments}, {"rate", opt(reworkRate)}, {"deployments", strings(rework)}}},
            {"trend", buckets},
            {"notes", strings(notes)}};
}

QString Report::toText() const
{
    QString out;
    out += u"DORA metrics, %1 to %2 (UTC)\n"_s.arg(window.from.toUTC().toString(u"yyyy-MM-dd HH:mm"_s),
                                                  window.to.toUTC().toString(u"yyyy-MM-dd HH:mm"_s));
    out += u"  Deployment frequency        %1 production deployment(s), %2 per day\n"_s.arg(deployments).arg(deploymentsPerDay, 0, 'f', 2);
    out += u"  Lead time for changes       %1\n"_s.arg(durationLine(leadTime));
    out += u"    merge to production       %1\n"_s.arg(durationLine(mergeToProduction));
    out += u"  Change fail rate            %1 (%2 of %3)\n"_s.arg(rate(changeFailRate)).arg(failedDeployments).arg(deployments);
    for (const QString &f : failed)
        out += u"    %1\n"_s.arg(f);
    out += u"  Failed deployment recovery  %1\n"_s.arg(durationLine(recoveryTime));
    out += u"  Deployment rework rate      %1 (%2 of %3)\n"_s.arg(rate(reworkRate)).arg(reworkDeployments).arg(deployments);
    for (const QString &r : rework)
        out += u"    %1\n"_s.arg(r);
    for (const QString &n : notes)
        out += u"  note: %1\n"_s.arg(n);
    return out;
}

QString formatDuration(double secs)
{
    const qint64 s = qRound64(std::abs(secs));
    const QString sign = secs < 0 ? u"-"_s : QString();
    if (s < 60)
        return sign + u"%1 s"_s.arg(s);
    if (s < 3600)
        return sign + u"%1 min %2 s"_s.arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    if (s < 86400)
        return sign + u"%1 h %2 min"_s.arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
    return sign + u"%1 d %2 h"_s.arg(s / 86400).arg((s % 86400) / 3600);
}

} // namespace Raize::Release::Dora
