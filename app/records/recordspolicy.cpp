#include "records/recordspolicy.h"

#include "policy/policybundle.h"

namespace Raize::Records {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {

Error refused(const QString &path, const QString &what)
{
    return Error::make(Error::Kind::Config, u"policy"_s, u"records.%1: %2"_s.arg(path, what),
                       u"fix the policy bundle's records section (raize-console policy check FILE)"_s);
}

} // namespace

QStringList releaseNoteSections()
{
    return {u"highlights"_s, u"operatorImpact"_s, u"risk"_s, u"rollbackPlan"_s, u"knownIssues"_s};
}

qint64 RecordsPolicy::windowSecsFor(const QString &level) const
{
    if (const auto it = validationWindowSecs.constFind(level); it != validationWindowSecs.constEnd())
        return *it;
    qint64 longest = 0;
    for (const qint64 s : validationWindowSecs)
        longest = qMax(longest, s);
    return longest;
}

Result<RecordsPolicy> recordsPolicyFromBundle(const Policy::Bundle &bundle)
{
    RecordsPolicy p;
    const json &section = bundle.section("records");
    if (section.is_null())
        return p;
    if (!section.is_object())
        return refused(u""_s, u"must be an object"_s);
    const auto strings = [](const json &list, QStringList *out) {
        if (!list.is_array())
            return false;
        QStringList items;
        for (const json &v : list) {
            if (!v.is_string() || v.get<std::string>().empty())
                return false;
            items << QString::fromStdString(v.get<std::string>());
        }
        *out = items;
        return true;
    };
    if (const auto v = section.find("validation"); v != section.end()) {
        if (!v->is_object())
            return refused(u"validation"_s, u"must be an object"_s);
        if (const auto checks = v->find("checks"); checks != v->end()) {
            if (!strings(*checks, &p.validationChecks) || p.validationChecks.isEmpty())
                return refused(u"validation.checks"_s, u"must be a non-empty list of SLO ids"_s);
            for (const QString &id : std::as_const(p.validationChecks)) {
                bool known = false;
                for (const json &slo : bundle.section("slos").is_array() ? bundle.section("slos") : json::array())
                    known = known || (slo.is_object() && slo.value("id", std::string()) == id.toStdString());
                if (!known)
                    return refused(u"validation.checks"_s, u"\"%1\" is not an SLO of the policy's slos section"_s.arg(id));
            }
        }
        if (const auto windows = v->find("windowMinutes"); windows != v->end()) {
            if (!windows->is_object())
                return refused(u"validation.windowMinutes"_s, u"must map release levels (\"L3\") to minutes"_s);
            for (const auto &[level, minutes] : windows->items()) {
                if (!minutes.is_number() || minutes.get<double>() <= 0 || minutes.get<double>() > 24 * 60)
                    return refused(u"validation.windowMinutes.%1"_s.arg(QString::fromStdString(level)),
                                   u"must be a number of minutes above 0 and at most 1440"_s);
                p.validationWindowSecs.insert(QString::fromStdString(level), qint64(minutes.get<double>() * 60.0));
            }
        }
    }
    if (const auto j = section.find("journal"); j != section.end()) {
        if (!j->is_object())
            return refused(u"journal"_s, u"must be an object"_s);
        for (const auto &[key, target] : {std::pair{"branch", &p.journalBranch}, std::pair{"base", &p.journalBase},
                                          std::pair{"directory", &p.journalDirectory}}) {
            if (const auto it = j->find(key); it != j->end()) {
                if (!it->is_string() || it->get<std::string>().empty())
                    return refused(u"journal.%1"_s.arg(QLatin1StringView(key)), u"must be a non-empty string"_s);
                *target = QString::fromStdString(it->get<std::string>());
            }
        }
        if (p.journalBranch == p.journalBase)
            return refused(u"journal.branch"_s, u"must not be the base branch \"%1\": the entry goes through a pull request, never straight to it"_s
                                                     .arg(p.journalBase));
    }
    if (const auto n = section.find("releaseNotes"); n != section.end()) {
        if (!n->is_object())
            return refused(u"releaseNotes"_s, u"must be an object"_s);
        if (const auto c = n->find("clientSections"); c != n->end()) {
            if (!strings(*c, &p.clientSections))
                return refused(u"releaseNotes.clientSections"_s, u"must be a list of section names"_s);
            for (const QString &s : std::as_const(p.clientSections)) {
                if (!releaseNoteSections().contains(s))
                    return refused(u"releaseNotes.clientSections"_s,
                                   u"\"%1\" is not a section (%2)"_s.arg(s, releaseNoteSections().join(u", "_s)));
            }
        }
    }
    if (const auto d = section.find("dora"); d != section.end()) {
        if (!d->is_object())
            return refused(u"dora"_s, u"must be an object"_s);
        if (const auto h = d->find("changeFailWindowHours"); h != d->end()) {
            if (!h->is_number() || h->get<double>() <= 0 || h->get<double>() > 24 * 90)
                return refused(u"dora.changeFailWindowHours"_s, u"must be a number of hours above 0 and at most 2160"_s);
            p.changeFailWindowSecs = qint64(h->get<double>() * 3600.0);
        }
    }
    return p;
}

} // namespace Raize::Records
