// The rollback soak (issue #15, item 5): N rollbacks against one sandbox,
// each SIGKILLed at a random point (right after a journal record, or in the
// middle of an HTTP call: the request sent, or its answer arrived before the
// journal heard of it), resumed until it completes, and compared with an
// uninterrupted run of the same rollback:
//   - the same end state (production, pinned, every flag, one incident more,
//     the run's marker ended in success and none of its markers in flight);
//   - every write that is not idempotent (an Instant Rollback requested, an
//     issue filed, a comment, a strategy added) no more often in the
//     sandbox's request log than the uninterrupted run made it (one Instant
//     Rollback; one incident and one postmortem issue; three milestone
//     comments), and each milestone comment on the incident exactly once;
//   - no hang: every console process has a deadline; one that reaches it is
//     killed and reported with the tail of its log (every HTTP call is in it).
// Not a test and not in CI: `tools/dev.sh soak [N]` builds and runs it (in
// the background with --background). It appends one JSON line per run to a
// state file and continues from it when started again; the summary (runs,
// kills, divergences, hangs, p50/p95 run time) is printed at the end and by
// --summary.
//
//   soak_rollback [N=1000] --state FILE [--seed S] [--deadline-s D] [--summary]
//
// The kill points are seeded (seed + run index), so a divergence can be
// replayed with the kill the state file names.

#include "sandboxfixture.h"
#include "testutil.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QThread>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <string_view>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace {

// SIGTERM/SIGINT: finish the run in progress, print the summary, stop the sandbox, exit.
std::atomic<bool> g_stop = false;
extern "C" void onStopSignal(int)
{
    g_stop = true;
}

const QString kProfile = u"soak"_s;
const QString kKeychain = u"raize-console-soak"_s;
const QStringList kOnFlags = {u"publishing.enabled"_s,      u"engagement.enabled"_s,  u"browser-lane.enabled"_s, u"publishing.scheduler-v2"_s,
                              u"publishing.client-bloom-beta"_s, u"engagement.dm-dedupe"_s, u"browser-lane.dom-v3"_s};

struct Run
{
    int code = -1;
    bool crashed = false;
    bool hung = false;
    qint64 ms = 0;
    QString out, err;
};

void say(const QString &line)
{
    std::fprintf(stdout, "%s\n", qPrintable(line));
    std::fflush(stdout);
}

class Soak
{
public:
    Soak(QString stateFile, quint32 seed, int deadlineMs)
        : m_stateFile(std::move(stateFile))
        , m_seed(seed)
        , m_deadlineMs(deadlineMs)
    {
    }

    QList<json> readState() const
    {
        QList<json> lines;
        QFile f(m_stateFile);
        if (!f.open(QIODevice::ReadOnly))
            return lines;
        for (const QByteArray &l : f.readAll().split('\n')) {
            const json j = json::parse(l.toStdString(), nullptr, false);
            if (j.is_object() && j.contains("run"))
                lines << j; // a torn last line (the soak was killed mid-write) is skipped and run again
        }
        return lines;
    }

    void appendState(const json &line) const
    {
        QFile f(m_stateFile);
        if (!f.open(QIODevice::Append)) {
            say(u"cannot write the state file %1: %2"_s.arg(m_stateFile, f.errorString()));
            return;
        }
        f.write(QByteArray::fromStdString(line.dump()) + '\n');
        f.flush();
    }

    QString start()
    {
        if (const QString err = m_sandbox.start(u"wrong-account"_s); !err.isEmpty())
            return u"the sandbox did not start: "_s + err;
        const QList<std::pair<QString, QString>> settings = {
            {u"vercel/baseUrl"_s, m_sandbox.url(u"vercel"_s)},  {u"vercel/projectId"_s, u"prj_raize_web"_s},
            {u"github/apiUrl"_s, m_sandbox.url(u"github"_s)},   {u"github/owner"_s, u"raize"_s},
            {u"github/repo"_s, u"platform"_s},                  {u"flags/url"_s, m_sandbox.url(u"flags"_s)},
            {u"prometheus/url"_s, m_sandbox.url(u"prometheus"_s)}, {u"net/timeoutMs"_s, u"3000"_s},
            {u"profile/sandbox"_s, u"true"_s},                  {u"github/mutationSpacingMs"_s, u"100"_s}};
        for (const auto &[k, v] : settings) {
            const Run r = run(RaizeTest::consoleBinary(), {u"settings"_s, u"set"_s, k, v});
            if (r.code != 0)
                return u"settings set %1: %2"_s.arg(k, r.err);
        }
        for (const auto &[service, token] : {std::pair{u"vercel"_s, u"vercel"_s}, {u"github"_s, u"github"_s}, {u"flags"_s, u"unleashAdmin"_s},
                                             {u"flags-client"_s, u"unleashClient"_s}}) {
            const Run r = run(RaizeTest::consoleBinary(), {u"token"_s, u"set"_s, service, u"--stdin"_s}, m_sandbox.token(token).toUtf8());
            if (r.code != 0)
                return u"token set %1: %2"_s.arg(service, r.err);
        }
        return {};
    }

    // The uninterrupted run: what every killed-and-resumed run must end like.
    QString reference()
    {
        reset();
        const int before = issues();
        const Run r = run(RaizeTest::consoleBinary(), executeArgs());
        if (r.code != 0)
            return u"the uninterrupted run failed (exit %1): %2"_s.arg(r.code).arg(r.err.right(1500));
        m_reference = endState(before);
        m_records = int(journal().size());
        for (const QString &service : {u"flags"_s, u"vercel"_s, u"github"_s})
            m_calls += int(requests(service).size());
        const QStringList problems = compare(m_reference);
        if (!problems.isEmpty())
            return u"the uninterrupted run itself does not end as a rollback should: "_s + problems.join(u"; "_s);
        say(u"reference: %1 journal records, %2 logged calls, %3 ms; end state %4"_s.arg(m_records).arg(m_calls).arg(r.ms).arg(
            QString::fromStdString(m_reference.dump())));
        return {};
    }

    // One run: kill, resume to the end, compare.
    json one(int index)
    {
        QRandomGenerator rng(m_seed + quint32(index));
        QString variable, value;
        const int pick = int(rng.bounded(4));
        if (pick < 2) {
            variable = u"RAIZE_ROLLBACK_TEST_KILL_AFTER"_s;
            value = QString::number(1 + int(rng.bounded(quint32(qMax(1, m_records - 1))))); // the last record is "complete"
        } else {
            variable = u"RAIZE_ROLLBACK_TEST_KILL_AT_CALL"_s;
            // Calls the sandbox logged in the reference run, and the flag service's client API and Prometheus beside them.
            value = u"%1:%2"_s.arg(pick == 2 ? u"sent"_s : u"answered"_s).arg(1 + int(rng.bounded(quint32(qMax(1, m_calls + m_calls / 4)))));
        }
        json line = {{"run", index}, {"kill", (variable.endsWith(u"KILL_AFTER"_s) ? u"record:"_s : u"call:"_s).toStdString() + value.toStdString()}};
        reset();
        const int before = issues();
        QElapsedTimer t;
        t.start();
        QStringList problems;
        bool hung = false;
        const Run killed = run(RaizeTest::crashTestBinary(), executeArgs(), {}, {{variable, value}});
        const bool died = killed.crashed && killed.err.contains(u"[crashtest] SIGKILL"_s);
        line["killed"] = died;
        if (killed.hung) {
            hung = true;
            problems << u"the killed run hung before its kill point"_s;
            saveLog(index, u"killed"_s, killed);
        } else if (!died && killed.code != 0) {
            problems << u"the run to be killed failed by itself (exit %1): %2"_s.arg(killed.code).arg(killed.err.right(300));
        }
        QString lastRecord;
        const QList<json> recs = journal();
        if (!recs.isEmpty())
            lastRecord = QString::fromStdString(recs.back().value("event", ""));
        line["lastRecord"] = lastRecord.toStdString();
        if (died && !hung && recs.isEmpty()) {
            // Killed while planning, before the run's first record: nothing began, nothing to
            // resume. The operator presses again; that run must end like the reference too.
            line["killedBeforeBegin"] = true;
            const Run again = run(RaizeTest::consoleBinary(), executeArgs());
            if (again.hung) {
                hung = true;
                problems << u"the rollback started again after a kill while planning hung"_s;
                saveLog(index, u"again"_s, again);
            } else if (again.code != 0) {
                problems << u"the rollback started again after a kill while planning failed (exit %1): %2"_s.arg(again.code).arg(again.err.right(300));
            }
        } else if (died && !hung) {
            bool completed = false;
            for (int round = 0; round < 4 && !completed && !hung; ++round) {
                QStringList args = {u"rollback"_s, u"resume"_s};
                const Run first = run(RaizeTest::consoleBinary(), args);
                if (first.hung) {
                    hung = true;
                    problems << u"resume %1 hung"_s.arg(round + 1);
                    saveLog(index, u"resume-%1"_s.arg(round + 1), first);
                    break;
                }
                if (first.code == 0) {
                    completed = true;
                    break;
                }
                if (!first.err.contains(u"may already exist"_s) && !first.out.contains(u"may already exist"_s)) {
                    line["resumeStops"].push_back(first.err.right(300).toStdString());
                    continue;
                }
                // As an operator would: look in the repository's issues (a call the dead console sent may still be landing).
                QElapsedTimer wait;
                wait.start();
                while (issues() == before && wait.elapsed() < 5000)
                    QThread::msleep(200);
                const json all = state()["github"].value("issues", json::array());
                const QString answer = issues() > before && !all.empty() ? QString::number(all.back().value("number", 0)) : u"new"_s;
                line["incidentAnswer"] = answer.toStdString();
                const Run second = run(RaizeTest::consoleBinary(), args << u"--incident"_s << answer);
                if (second.hung) {
                    hung = true;
                    problems << u"resume %1 (--incident %2) hung"_s.arg(round + 1).arg(answer);
                    saveLog(index, u"resume-%1-incident"_s.arg(round + 1), second);
                    break;
                }
                completed = second.code == 0;
            }
            if (!completed && !hung)
                problems << u"did not complete after 4 resumes"_s;
        }
        if (!hung)
            problems << compare(endState(before));
        if (!problems.isEmpty())
            keepJournal(index);
        line["ms"] = t.elapsed();
        line["hang"] = hung;
        json divergences = json::array();
        for (const QString &p : std::as_const(problems))
            divergences.push_back(p.toStdString());
        line["divergences"] = divergences;
        return line;
    }

    static void summary(const QList<json> &lines)
    {
        QList<double> seconds;
        int killed = 0, diverged = 0, hangs = 0;
        QHash<QString, int> byKind;
        for (const json &l : lines) {
            seconds << l.value("ms", 0) / 1000.0;
            killed += l.value("killed", false) ? 1 : 0;
            diverged += l.value("divergences", json::array()).empty() ? 0 : 1;
            hangs += l.value("hang", false) ? 1 : 0;
            const QString kind = QString::fromStdString(l.value("kill", "")).section(u':', 0, 1);
            byKind[kind.startsWith(u"record"_s) ? u"record"_s : kind] += 1;
        }
        std::sort(seconds.begin(), seconds.end());
        const auto pct = [&](double p) { return seconds.isEmpty() ? 0.0 : seconds[qMin(qsizetype(seconds.size() - 1), qsizetype(p * seconds.size()))]; };
        say(u"soak summary: %1 runs (%2 killed at their kill point, %3 ran past it), kills after a record %4, mid-call sent %5, answered %6; "
            u"%7 diverged, %8 hung; run time p50 %9 s, p95 %10 s, max %11 s"_s.arg(lines.size())
                .arg(killed)
                .arg(lines.size() - killed)
                .arg(byKind.value(u"record"_s))
                .arg(byKind.value(u"call:sent"_s))
                .arg(byKind.value(u"call:answered"_s))
                .arg(diverged)
                .arg(hangs)
                .arg(pct(0.5), 0, 'f', 1)
                .arg(pct(0.95), 0, 'f', 1)
                .arg(seconds.isEmpty() ? 0.0 : seconds.last(), 0, 'f', 1));
        for (const json &l : lines) {
            if (!l.value("divergences", json::array()).empty())
                say(u"  run %1 (%2): %3"_s.arg(l.value("run", -1)).arg(QString::fromStdString(l.value("kill", "")), QString::fromStdString(l["divergences"].dump())));
        }
    }

private:
    static QStringList base(const QStringList &args)
    {
        QStringList b = {u"--profile"_s, kProfile};
        if (!args.isEmpty() && (args[0] == u"token"_s || args[0] == u"rollback"_s))
            b << u"--keychain-service"_s << kKeychain;
        return b;
    }
    static QStringList executeArgs()
    {
        return {u"rollback"_s, u"execute"_s, u"--trigger"_s, u"wrong-account"_s, u"--confirm"_s, u"production"_s};
    }

    Run run(const QString &binary, const QStringList &args, const QByteArray &stdinData = {}, const QHash<QString, QString> &env = {})
    {
        QProcess p;
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        e.insert(u"QT_LOGGING_RULES"_s, u"raize.net.debug=true;raize.rollback.debug=true"_s);
        for (auto it = env.cbegin(); it != env.cend(); ++it)
            e.insert(it.key(), it.value());
        p.setProcessEnvironment(e);
        QElapsedTimer t;
        t.start();
        p.start(binary, args + base(args));
        // Not a hang: the binary could not be run at all (a build relinking it, say). Reported as a
        // failed run with the reason; a resume that could not start is tried again like any failed resume.
        if (!p.waitForStarted(30000))
            return {-2, false, false, t.elapsed(), {}, u"could not start %1: %2"_s.arg(binary, p.errorString())};
        if (!stdinData.isEmpty())
            p.write(stdinData);
        p.closeWriteChannel();
        const bool hung = !p.waitForFinished(m_deadlineMs);
        if (hung) {
            p.kill();
            p.waitForFinished();
        }
        return {p.exitCode(), p.exitStatus() == QProcess::CrashExit, hung, t.elapsed(), QString::fromUtf8(p.readAllStandardOutput()),
                QString::fromUtf8(p.readAllStandardError())};
    }

    void saveLog(int index, const QString &what, const Run &r) const
    {
        const QString path = QFileInfo(m_stateFile).absolutePath() + u"/hang-%1-%2.log"_s.arg(index).arg(what);
        QFile f(path);
        if (f.open(QIODevice::WriteOnly))
            f.write(r.err.toUtf8());
        say(u"  run %1: %2 reached its %3 s deadline; its log: %4"_s.arg(index).arg(what).arg(m_deadlineMs / 1000).arg(path));
    }

    // A diverged run's journal, kept beside the state file (the next reset clears the rollbacks folder).
    void keepJournal(int index) const
    {
        const QString home = qEnvironmentVariable("XDG_DATA_HOME", QDir::homePath() + u"/.local/share"_s);
        const QDir dir(home + u"/raize-console/"_s + kProfile + u"/rollbacks"_s);
        const QStringList files = dir.entryList({u"*.jsonl"_s}, QDir::Files, QDir::Name);
        if (files.isEmpty())
            return;
        const QString kept = QFileInfo(m_stateFile).absolutePath() + u"/diverged-%1.jsonl"_s.arg(index);
        QFile::remove(kept);
        if (QFile::copy(dir.filePath(files.last()), kept))
            say(u"  run %1 diverged; its journal: %2"_s.arg(index).arg(kept));
    }

    json control(const QByteArray &method, const QString &path)
    {
        const auto a = RaizeTest::httpCall(method, QUrl(m_sandbox.url(u"control"_s) + path));
        return json::parse(a.body.toStdString(), nullptr, false);
    }
    json requests(const QString &service) { return control("GET", u"/__sandbox/requests?service="_s + service); }
    json state() { return control("GET", u"/__sandbox/state"_s); }
    int issues() { return int(state()["github"].value("issues", json::array()).size()); }
    QByteArray admin() const { return m_sandbox.token(u"unleashAdmin"_s).toUtf8(); }

    // Calls whose whole path matches `pathRe` and that reached the service's handler (no faults are set in the soak).
    int reached(const QString &service, const QString &method, const QString &pathRe)
    {
        const QRegularExpression re(QRegularExpression::anchoredPattern(pathRe));
        int n = 0;
        for (const json &r : requests(service)) {
            if (QString::fromStdString(r.value("method", "")) == method && re.match(QString::fromStdString(r.value("path", ""))).hasMatch())
                ++n;
        }
        return n;
    }

    QList<json> journal()
    {
        const QString home = qEnvironmentVariable("XDG_DATA_HOME", QDir::homePath() + u"/.local/share"_s);
        const QDir dir(home + u"/raize-console/"_s + kProfile + u"/rollbacks"_s);
        const QStringList files = dir.entryList({u"*.jsonl"_s}, QDir::Files, QDir::Name);
        QList<json> recs;
        if (files.isEmpty())
            return recs;
        QFile f(dir.filePath(files.last()));
        if (!f.open(QIODevice::ReadOnly))
            return recs;
        for (const QByteArray &line : f.readAll().split('\n')) {
            if (!line.isEmpty())
                recs << json::parse(line.toStdString(), nullptr, false);
        }
        return recs;
    }

    // Back to the scenario's bad production, as tst_rollback_sandbox's reset() does, and the markers forgotten.
    void reset()
    {
        control("DELETE", u"/__sandbox/faults"_s);
        // A fresh Vercel budget (120 a minute): at ~3 s a run the soak spends it, and a promote
        // answered 429 here left production on dpl_prev, so the next run planned dpl_prev → dpl_prev2
        // (run 313's "divergence": a different plan, not a wrong resume).
        control("DELETE", u"/__sandbox/vercel/budget"_s);
        // And GitHub's 5,000 an hour: about ten calls a run spend it by run ~530 (the first soak of
        // 17:58 turned into rate-limit refusals from run 529 on, with nothing wrong in the rollback).
        control("DELETE", u"/__sandbox/github/budget"_s);
        for (const QString &f : kOnFlags)
            RaizeTest::httpCall("POST", QUrl(m_sandbox.url(u"unleash"_s) + u"/api/admin/projects/default/features/%1/environments/production/on"_s.arg(f)), admin());
        RaizeTest::httpCall("POST", QUrl(m_sandbox.url(u"vercel"_s) + u"/v10/projects/prj_raize_web/promote/dpl_cand"_s),
                            "Bearer " + m_sandbox.token(u"vercel"_s).toUtf8());
        for (int i = 0; i < 100 && state()["vercel"].value("production", "") != "dpl_cand"; ++i)
            QThread::msleep(100);
        // Every run claims a marker; forgetting the earlier ones keeps run 900 as cheap as run 1
        // (a new run reads the status of every older marker in the environment).
        control("DELETE", u"/__sandbox/github/deployments?environment=production-rollback"_s);
        control("DELETE", u"/__sandbox/requests"_s);
        const QString home = qEnvironmentVariable("XDG_DATA_HOME", QDir::homePath() + u"/.local/share"_s);
        QDir(home + u"/raize-console/"_s + kProfile + u"/rollbacks"_s).removeRecursively();
    }

    bool flagOn(const QString &flag)
    {
        const auto a = RaizeTest::httpCall("GET", QUrl(m_sandbox.url(u"unleash"_s) + u"/api/admin/projects/default/features/"_s + flag), admin());
        const json j = json::parse(a.body.toStdString(), nullptr, false);
        for (const json &e : j.value("environments", json::array())) {
            if (e.value("name", "") == "production")
                return e.value("enabled", false);
        }
        return true; // unreadable: not known to be off
    }

    json endState(int issuesBefore)
    {
        const json st = state();
        json flags = json::object();
        for (const QString &f : kOnFlags)
            flags[f.toStdString()] = flagOn(f);
        QString runId;
        QString outcome;
        if (const QList<json> recs = journal(); !recs.isEmpty()) {
            runId = QString::fromStdString(recs.front().value("runId", ""));
            for (const json &r : recs) {
                const std::string e = r.value("event", "");
                if (e == "complete" || e == "aborted" || e == "refused")
                    outcome = QString::fromStdString(e);
            }
        }
        // Each milestone comment of the run on its incident (issue #19, item 6), by the mark it carries.
        json milestones = json::object();
        for (const char *m : {"flags-off", "effective", "checks"}) {
            const QString mark = u"<!-- raize-milestone run=%1 milestone=%2 -->"_s.arg(runId, QLatin1StringView(m));
            int n = 0;
            for (const json &c : st["github"].value("issueComments", json::array()))
                n += QString::fromStdString(c.value("body", "")).contains(mark) ? 1 : 0;
            milestones[m] = n;
        }
        json markers = json::array();
        for (const json &d : st["github"].value("deployments", json::array())) {
            const json description = d.value("description", json());
            if (!description.is_string() || !QString::fromStdString(description.get<std::string>()).startsWith(u"raize-rollback run=%1 "_s.arg(runId)))
                continue;
            const json statuses = d.value("statuses", json::array());
            markers.push_back(statuses.empty() ? std::string("(none)") : statuses.back().value("state", ""));
        }
        return {{"production", st["vercel"].value("production", "")},
                {"pinned", st["vercel"].value("pinned", false)},
                {"flags", flags},
                {"newIssues", issues() - issuesBefore},
                {"outcome", outcome.toStdString()},
                {"markers", markers},
                {"milestones", milestones},
                // Writes that are not idempotent: compared with the uninterrupted run's counts.
                {"instantRollbacks", reached(u"vercel"_s, u"POST"_s, u".*/rollback/.*"_s)},
                {"issuesFiled", reached(u"github"_s, u"POST"_s, u".*/issues"_s)},
                {"comments", reached(u"github"_s, u"POST"_s, u".*/issues/\\d+/comments"_s)},
                {"strategiesAdded", reached(u"flags"_s, u"POST"_s, u".*/strategies"_s)}};
    }

    QStringList compare(const json &got) const
    {
        QStringList out;
        const json &ref = m_reference;
        for (const char *key : {"production", "pinned", "flags", "newIssues", "outcome"}) {
            if (!ref.is_null() && got[key] != ref[key])
                out << u"%1 is %2, the uninterrupted run's %3"_s.arg(QLatin1StringView(key), QString::fromStdString(got[key].dump()),
                                                                        QString::fromStdString(ref[key].dump()));
        }
        // Writes that are not idempotent: never more often than the uninterrupted run made them (one
        // Instant Rollback; one incident and one postmortem issue; each milestone comment once). The
        // uninterrupted run itself: one Instant Rollback, and every issue it filed is a new issue.
        const bool isReference = &got == &m_reference;
        for (const char *key : {"instantRollbacks", "issuesFiled", "comments", "strategiesAdded"}) {
            const int allowed = isReference ? (std::string_view(key) == "instantRollbacks" ? 1 : got.value(key, 0)) : ref.value(key, 0);
            if (got.value(key, 0) > allowed)
                out << u"%1: %2 in the request log (the uninterrupted run: %3)"_s.arg(QLatin1StringView(key)).arg(got.value(key, 0)).arg(allowed);
        }
        // Every milestone on the incident exactly once, as the uninterrupted run posted it.
        for (const char *m : {"flags-off", "effective", "checks"}) {
            const int n = got["milestones"].value(m, 0);
            if (n != 1)
                out << u"milestone %1 posted %2 times on the incident (want once)"_s.arg(QLatin1StringView(m)).arg(n);
        }
        if (isReference && got.value("issuesFiled", 0) != got.value("newIssues", 0))
            out << u"the uninterrupted run filed %1 issues and %2 are new"_s.arg(got.value("issuesFiled", 0)).arg(got.value("newIssues", 0));
        int success = 0, other = 0;
        for (const json &m : got["markers"]) {
            const std::string s = m.get<std::string>();
            success += s == "success";
            other += s != "success" && s != "inactive" && s != "(none)";
        }
        if (success != 1 || other != 0)
            out << u"the run's markers end in %1 (want one success, the rest inactive or without a status)"_s.arg(QString::fromStdString(got["markers"].dump()));
        return out;
    }

    QString m_stateFile;
    quint32 m_seed;
    int m_deadlineMs;
    RaizeTest::SandboxFixture m_sandbox;
    json m_reference;
    int m_records = 0;
    int m_calls = 0;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    const auto option = [&](const QString &name, const QString &fallback) {
        const qsizetype i = args.indexOf(name);
        if (i < 0 || i + 1 >= args.size())
            return fallback;
        const QString v = args.at(i + 1);
        args.remove(i, 2);
        return v;
    };
    const QString stateFile = option(u"--state"_s, QString());
    const quint32 seed = option(u"--seed"_s, u"15"_s).toUInt();
    // Above the executor's longest bounded wait (a post-check polls up to 120 s): a slower process is a hang.
    const int deadlineS = option(u"--deadline-s"_s, u"150"_s).toInt();
    const bool summaryOnly = args.removeAll(u"--summary"_s) > 0;
    bool ok = true;
    const int runs = args.isEmpty() ? 1000 : args.first().toInt(&ok);
    if (stateFile.isEmpty() || !ok || runs <= 0 || deadlineS <= 0) {
        std::fprintf(stderr, "usage: soak_rollback [N=1000] --state FILE [--seed S] [--deadline-s D] [--summary]\n");
        return 2;
    }
    Soak soak(stateFile, seed, deadlineS * 1000);
    QList<json> done = soak.readState();
    if (summaryOnly) {
        Soak::summary(done);
        return 0;
    }
    if (done.size() >= runs) {
        say(u"%1 runs already in %2"_s.arg(done.size()).arg(stateFile));
        Soak::summary(done);
        return 0;
    }
    // The soak's own pid, for tools/dev.sh (with-keyring.sh and dbus-run-session sit in between).
    const QString pidFile = QFileInfo(stateFile).absolutePath() + u"/soak.pid"_s;
    if (QFile f(pidFile); f.open(QIODevice::WriteOnly))
        f.write(QByteArray::number(QCoreApplication::applicationPid()) + '\n');
    std::signal(SIGTERM, onStopSignal);
    std::signal(SIGINT, onStopSignal);
    say(u"soak: %1 of %2 runs done (state %3), seed %4, deadline %5 s per console process"_s.arg(done.size()).arg(runs).arg(stateFile).arg(seed).arg(deadlineS));
    if (const QString err = soak.start(); !err.isEmpty()) {
        say(err);
        QFile::remove(pidFile);
        return 2;
    }
    if (const QString err = soak.reference(); !err.isEmpty()) {
        say(err);
        QFile::remove(pidFile);
        return 2;
    }
    QSet<int> finished;
    for (const json &l : done)
        finished.insert(l.value("run", -1));
    for (int i = 0; i < runs; ++i) {
        if (finished.contains(i))
            continue;
        if (g_stop) {
            say(u"stopped by a signal after %1 runs; started again, it continues from %2"_s.arg(done.size()).arg(stateFile));
            break;
        }
        const json line = soak.one(i);
        soak.appendState(line);
        done << line;
        const bool bad = !line["divergences"].empty() || line.value("hang", false);
        say(u"run %1/%2 %3 %4 → %5 in %6 s%7"_s.arg(i + 1)
                .arg(runs)
                .arg(QString::fromStdString(line.value("kill", "")))
                .arg(line.value("killed", false) ? u"killed after \"%1\""_s.arg(QString::fromStdString(line.value("lastRecord", ""))) : u"(ran past it)"_s)
                .arg(bad ? u"DIVERGED"_s : u"same end state"_s)
                .arg(line.value("ms", 0) / 1000.0, 0, 'f', 1)
                .arg(bad ? u": "_s + QString::fromStdString(line["divergences"].dump()) : QString()));
    }
    QFile::remove(pidFile);
    Soak::summary(done);
    int bad = 0;
    for (const json &l : done)
        bad += (!l["divergences"].empty() || l.value("hang", false)) ? 1 : 0;
    return bad == 0 ? 0 : 1;
}
