#include "release/postreleasevalidation.h"

#include "core/jsonutil.h"
#include "core/settings.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>

#include <algorithm>

namespace Raize::Release {

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {

QString percent(double ratio)
{
    return QString::number(ratio * 100.0, 'f', 2) + u" %"_s;
}

QString count(double events)
{
    return QString::number(qint64(events + 0.5));
}

json strings(const QStringList &list)
{
    json out = json::array();
    for (const QString &s : list)
        out.push_back(s.toStdString());
    return out;
}

QStringList stringsOf(const json &j)
{
    QStringList out;
    if (j.is_array()) {
        for (const json &v : j) {
            if (v.is_string())
                out << QString::fromStdString(v.get<std::string>());
        }
    }
    return out;
}

} // namespace

QString ValidationCheck::line() const
{
    const QString name = title.isEmpty() || title == id ? id : u"%1 (%2)"_s.arg(id, title);
    if (verdict == u"pass"_s)
        return u"%1: pass — %2 bad of %3 events (worst cohort %4 %5), objective %6"_s.arg(
            name, percent(events > 0 ? bad / events : 0), count(events), worstCohort, percent(worstRatio), percent(objective));
    if (verdict == u"fail"_s)
        return u"%1: FAIL — %2 over the error budget of %3 (objective %4)"_s.arg(name, failingCohorts.join(u", "_s),
                                                                                    percent(1.0 - objective), percent(objective));
    return u"%1: not enough data — %2 events in the window%3"_s.arg(
        name, count(events), cohortsWithoutData.isEmpty() ? QString() : u" (too few in %1)"_s.arg(cohortsWithoutData.join(u", "_s)));
}

bool ValidationReport::passed() const
{
    return !checks.isEmpty() && std::all_of(checks.begin(), checks.end(), [](const ValidationCheck &c) { return c.verdict == u"pass"_s; });
}

QStringList ValidationReport::observed() const
{
    QStringList out;
    for (const ValidationCheck &c : checks)
        out << c.line();
    return out;
}

QStringList ValidationReport::anomalies() const
{
    QStringList out;
    for (const ValidationCheck &c : checks) {
        if (c.verdict != u"pass"_s)
            out << c.line();
    }
    return out;
}

ValidationReport evaluateValidation(const QList<Slo::SloSpec> &slos, const QStringList &checks,
                                    const QHash<QString, QHash<QString, Slo::CounterSeries>> &byCohort, qint64 fromMs, qint64 toMs)
{
    ValidationReport report;
    report.fromMs = fromMs;
    report.toMs = toMs;
    const qint64 windowMs = qMax<qint64>(0, toMs - fromMs);
    for (const QString &id : checks) {
        ValidationCheck check;
        check.id = id;
        check.verdict = u"not-enough-data"_s;
        const auto spec = std::find_if(slos.begin(), slos.end(), [&](const Slo::SloSpec &s) { return s.id == id; });
        if (spec == slos.end()) {
            check.title = u"not an SLO of the policy"_s;
            report.checks << check;
            continue;
        }
        check.title = spec->title;
        check.objective = spec->objective;
        const double budget = spec->errorBudget();
        const QHash<QString, Slo::CounterSeries> cohorts = byCohort.value(id);
        QStringList names = cohorts.keys();
        names.sort();
        bool anyEnough = false;
        for (const QString &cohort : std::as_const(names)) {
            const Slo::WindowStats w = cohorts.value(cohort).window(toMs, windowMs, spec->minEventsFor(windowMs));
            check.events += w.events;
            check.bad += w.bad;
            if (!w.enoughData) {
                check.cohortsWithoutData << cohort;
                continue;
            }
            anyEnough = true;
            if (check.worstCohort.isEmpty() || w.ratio > check.worstRatio) {
                check.worstRatio = w.ratio;
                check.worstCohort = cohort;
            }
            // A small tolerance: float counters must not fail a cohort that sits exactly on its budget.
            if (w.ratio > budget + 1e-12)
                check.failingCohorts << u"%1 %2 bad of %3"_s.arg(cohort, percent(w.ratio), count(w.events));
        }
        if (!check.failingCohorts.isEmpty())
            check.verdict = u"fail"_s;
        else if (anyEnough)
            check.verdict = u"pass"_s;
        report.checks << check;
    }
    return report;
}

QString ValidationRun::phaseName(Phase phase)
{
    switch (phase) {
    case Phase::Watching:
        return u"watching"_s;
    case Phase::Observed:
        return u"observed"_s;
    case Phase::Written:
        return u"written"_s;
    }
    return {};
}

json ValidationRun::toJson() const
{
    return {{"schema", 1},
            {"id", id.toStdString()},
            {"deploymentId", deploymentId.toStdString()},
            {"url", url.toStdString()},
            {"sha", sha.toStdString()},
            {"tag", tag.toStdString()},
            {"level", level.toStdString()},
            {"actor", actor.toStdString()},
            {"project", project.toStdString()},
            {"shipped", strings(shipped)},
            {"checks", strings(checks)},
            {"promotedAt", promotedAt.toUTC().toString(Qt::ISODateWithMs).toStdString()},
            {"windowSecs", windowSecs},
            {"phase", phaseName(phase).toStdString()},
            {"passed", passed},
            {"observed", strings(observed)},
            {"anomalies", strings(anomalies)},
            {"journalFile", journalFile.toStdString()},
            {"journalBranch", journalBranch.toStdString()},
            {"journalCommitUrl", journalCommitUrl.toStdString()},
            {"pullUrl", pullUrl.toStdString()},
            {"lastError", lastError.toStdString()}};
}

Result<ValidationRun> ValidationRun::fromJson(const json &j, const QString &source)
{
    const auto bad = [&](const QString &what) {
        return Error::make(Error::Kind::Parse, u"validation"_s, u"%1: %2"_s.arg(source, what),
                           u"the file is damaged: delete it and start the validation again (raize-console validate start ...)"_s);
    };
    if (!j.is_object())
        return bad(u"not a JSON object (a half-written or foreign file)"_s);
    if (j.value("schema", 0) != 1)
        return bad(u"unknown schema %1"_s.arg(QString::fromStdString(j.value("schema", json(0)).dump())));
    const auto text = [&](const char *key) { return QString::fromStdString(j.value(key, json("")).is_string() ? j.value(key, std::string()) : std::string()); };
    ValidationRun r;
    r.id = text("id");
    r.deploymentId = text("deploymentId");
    r.url = text("url");
    r.sha = text("sha");
    r.tag = text("tag");
    r.level = text("level");
    r.actor = text("actor");
    r.project = text("project");
    r.shipped = stringsOf(j.value("shipped", json()));
    r.checks = stringsOf(j.value("checks", json()));
    r.promotedAt = QDateTime::fromString(text("promotedAt"), Qt::ISODateWithMs).toUTC();
    r.windowSecs = j.value("windowSecs", json(0)).is_number_integer() ? j["windowSecs"].get<qint64>() : 0;
    r.passed = j.value("passed", false);
    r.observed = stringsOf(j.value("observed", json()));
    r.anomalies = stringsOf(j.value("anomalies", json()));
    r.journalFile = text("journalFile");
    r.journalBranch = text("journalBranch");
    r.journalCommitUrl = text("journalCommitUrl");
    r.pullUrl = text("pullUrl");
    r.lastError = text("lastError");
    const QString phase = text("phase");
    if (phase == u"watching"_s)
        r.phase = Phase::Watching;
    else if (phase == u"observed"_s)
        r.phase = Phase::Observed;
    else if (phase == u"written"_s)
        r.phase = Phase::Written;
    else
        return bad(u"phase \"%1\" is none of watching, observed, written"_s.arg(phase));
    if (r.id.isEmpty() || r.deploymentId.isEmpty())
        return bad(u"no deployment id"_s);
    if (!r.promotedAt.isValid())
        return bad(u"promotedAt is not an ISO 8601 time"_s);
    if (r.windowSecs <= 0)
        return bad(u"windowSecs must be above 0"_s);
    if (r.checks.isEmpty())
        return bad(u"no checks"_s);
    return r;
}

Records::JournalEntry journalEntryFor(const ValidationRun &run)
{
    Records::JournalEntry e;
    e.time = run.endsAt();
    const QString what = run.tag.isEmpty() ? run.deploymentId : u"%1 (%2)"_s.arg(run.tag, run.deploymentId);
    e.title = u"Post-release validation of %1 — %2"_s.arg(what, run.passed ? u"passed"_s : u"anomalies"_s);
    e.author = run.actor;
    e.shipped = run.shipped;
    if (e.shipped.isEmpty())
        e.shipped << u"%1 to production%2"_s.arg(what, run.sha.isEmpty() ? QString() : u" at %1"_s.arg(run.sha.left(12)));
    e.shipped << u"Release level %1; promoted %2 UTC"_s.arg(run.level.isEmpty() ? u"unknown"_s : run.level,
                                                             run.promotedAt.toUTC().toString(u"yyyy-MM-dd HH:mm"_s));
    e.observed << u"Window %1 min, %2 – %3 UTC (playbook §6.3)"_s.arg(run.windowSecs / 60)
                      .arg(run.promotedAt.toUTC().toString(u"HH:mm"_s), run.endsAt().toUTC().toString(u"HH:mm"_s));
    e.observed += run.observed;
    e.anomalies = run.anomalies;
    if (!run.url.isEmpty())
        e.links << run.url;
    e.id = u"validation/"_s + run.id;
    return e;
}

ValidationStore::ValidationStore(QString directory)
    : m_dir(std::move(directory))
{
}

QString ValidationStore::defaultDirectory(const QString &profile)
{
    return Settings::dataDirectory() + u'/' + profile + u"/validations"_s;
}

QString ValidationStore::fileFor(const QString &id) const
{
    QString safe = id;
    for (QChar &c : safe) {
        if (!c.isLetterOrNumber() && c != u'_' && c != u'-' && c != u'.')
            c = u'_';
    }
    return m_dir + u'/' + safe + u".json"_s;
}

Status ValidationStore::save(const ValidationRun &run) const
{
    if (!QDir().mkpath(m_dir))
        return Error::make(Error::Kind::Io, u"validation"_s, u"cannot create %1"_s.arg(m_dir), u"check the folder's permissions"_s);
    QSaveFile f(fileFor(run.id));
    const QByteArray bytes = QByteArray::fromStdString(run.toJson().dump(2)) + '\n';
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit())
        return Error::make(Error::Kind::Io, u"validation"_s, u"cannot write %1: %2"_s.arg(f.fileName(), f.errorString()),
                           u"check free space and the folder's permissions"_s);
    return okStatus();
}

Result<ValidationRun> ValidationStore::load(const QString &id) const
{
    const QString path = fileFor(id);
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error::make(Error::Kind::Io, u"validation"_s, u"no validation of %1 (%2)"_s.arg(id, path),
                           u"list them with raize-console validate list"_s);
    QString err;
    const json j = Json::parse(f.readAll(), &err);
    if (j.is_discarded())
        return Error::make(Error::Kind::Parse, u"validation"_s, u"%1 is not valid JSON: %2"_s.arg(path, err),
                           u"the file is damaged: delete it and start the validation again (raize-console validate start ...)"_s);
    return ValidationRun::fromJson(j, path);
}

QList<ValidationRun> ValidationStore::all(QStringList *errors) const
{
    QList<ValidationRun> out;
    const QDir dir(m_dir);
    for (const QString &name : dir.entryList({u"*.json"_s}, QDir::Files, QDir::Name)) {
        const Result<ValidationRun> run = load(name.chopped(5));
        if (run)
            out << *run;
        else if (errors)
            *errors << run.error().toString();
    }
    std::sort(out.begin(), out.end(), [](const ValidationRun &a, const ValidationRun &b) { return a.promotedAt < b.promotedAt; });
    return out;
}

QList<ValidationRun> ValidationStore::unfinished(QStringList *errors) const
{
    QList<ValidationRun> out;
    for (const ValidationRun &r : all(errors)) {
        if (r.phase != ValidationRun::Phase::Written)
            out << r;
    }
    return out;
}

} // namespace Raize::Release
