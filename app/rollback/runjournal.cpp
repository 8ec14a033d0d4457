#include "rollback/runjournal.h"

#include "core/jsonutil.h"
#include "core/settings.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QUuid>

#include <unistd.h>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Rollback {

namespace {

RunJournal::AppendHook &appendHook()
{
    static RunJournal::AppendHook hook;
    return hook;
}

Error ioError(const QString &what, const QString &path, const QString &detail)
{
    return Error::make(Error::Kind::Io, u"console"_s, u"%1 %2: %3"_s.arg(what, path, detail),
                       u"Check that the folder exists and is writable; the rollback does not run without its journal."_s);
}

} // namespace

QString stepPhaseName(StepPhase phase)
{
    switch (phase) {
    case StepPhase::Pending: return u"pending"_s;
    case StepPhase::Intent: return u"in flight"_s;
    case StepPhase::Done: return u"done"_s;
    case StepPhase::Failed: return u"failed"_s;
    case StepPhase::Skipped: return u"skipped"_s;
    }
    return {};
}

QString RunJournal::defaultDirectory(const QString &profile)
{
    return Settings::dataDirectory() + u'/' + profile + u"/rollbacks"_s;
}

Result<RunJournal> RunJournal::create(const QString &directory, const json &begin)
{
    if (!QDir().mkpath(directory))
        return ioError(u"cannot create"_s, directory, u"mkdir failed"_s);
    json first = begin;
    if (!first.contains("runId"))
        first["runId"] = QUuid::createUuid().toString(QUuid::WithoutBraces).left(8).toStdString();
    const QString runId = QString::fromStdString(first["runId"].get<std::string>());
    // Sortable by name: the newest run lists first.
    const QString name = QDateTime::currentDateTimeUtc().toString(u"yyyyMMdd'T'HHmmsszzz"_s) + u'-' + runId + u".jsonl"_s;
    RunJournal j;
    j.m_path = QDir(directory).filePath(name);
    first["event"] = "begin";
    first["schema"] = SchemaVersion;
    if (const Status s = j.append(first); !s)
        return s.error();
    return j;
}

Result<RunJournal> RunJournal::open(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return ioError(u"cannot read"_s, path, f.errorString());
    const QByteArray all = f.readAll();
    RunJournal j;
    j.m_path = path;
    qsizetype pos = 0;
    while (pos < all.size()) {
        const qsizetype nl = all.indexOf('\n', pos);
        if (nl < 0)
            break; // a torn last line: the write never finished
        const json rec = Json::parse(all.mid(pos, nl - pos));
        if (rec.is_discarded() || !rec.is_object()) {
            if (nl + 1 == all.size())
                break; // a whole but garbled last line: also a torn write
            return Error::make(Error::Kind::Parse, u"console"_s,
                               u"the rollback journal %1 is damaged at byte %2 (not at its end)"_s.arg(path).arg(pos),
                               u"Do not resume from it; read it by hand and finish the rollback from the plan (runbook docs/runbooks/rollback.md)."_s);
        }
        j.m_records << rec;
        pos = nl + 1;
    }
    j.m_goodSize = pos;
    j.m_tornBytes = all.size() - pos;
    if (j.m_records.isEmpty() || j.m_records.front().value("event", "") != "begin")
        return Error::make(Error::Kind::Parse, u"console"_s, u"%1 is not a rollback journal (no begin record)"_s.arg(path),
                           u"Pick the run with `raize-console rollback status`."_s);
    return j;
}

int RunJournal::schema() const
{
    const json &b = begin();
    return b.is_object() && b.contains("schema") && b["schema"].is_number_integer() ? b["schema"].get<int>() : 1;
}

QStringList RunJournal::list(const QString &directory)
{
    QStringList out;
    const QFileInfoList files = QDir(directory).entryInfoList({u"*.jsonl"_s}, QDir::Files, QDir::Name | QDir::Reversed);
    for (const QFileInfo &fi : files)
        out << fi.absoluteFilePath();
    return out;
}

QString RunJournal::unfinished(const QString &directory)
{
    for (const QString &path : list(directory)) {
        const Result<RunJournal> j = open(path);
        if (j && !j->finished())
            return path;
    }
    return {};
}

Status RunJournal::append(json record, Durability durability)
{
    if (!record.contains("at"))
        record["at"] = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toStdString();
    QFile f(m_path);
    if (!f.open(QIODevice::ReadWrite))
        return ioError(u"cannot write"_s, m_path, f.errorString());
    if (m_tornBytes > 0) {
        // Cut the torn line off so that the new record starts on a line of its own.
        if (!f.resize(m_goodSize))
            return ioError(u"cannot repair"_s, m_path, f.errorString());
        m_tornBytes = 0;
    }
    const QByteArray line = Json::dump(record) + '\n';
    if (!f.seek(f.size()) || f.write(line) != line.size() || !f.flush() || (durability == Durability::Synced && ::fsync(f.handle()) != 0))
        return ioError(u"cannot write"_s, m_path, f.errorString());
    m_goodSize += line.size();
    m_records << std::move(record);
    if (const AppendHook &hook = appendHook())
        hook(*this, m_records.constLast());
    return okStatus();
}

void RunJournal::setAppendHook(AppendHook hook)
{
    appendHook() = std::move(hook);
}

QString RunJournal::runId() const
{
    return m_records.isEmpty() ? QString() : QString::fromStdString(m_records.front().value("runId", ""));
}

const json &RunJournal::begin() const
{
    static const json null;
    return m_records.isEmpty() ? null : m_records.front();
}

json RunJournal::last(int step) const
{
    for (auto it = m_records.crbegin(); it != m_records.crend(); ++it) {
        if (it->contains("step") && (*it)["step"].is_number_integer() && (*it)["step"].get<int>() == step)
            return *it;
    }
    return nullptr;
}

json RunJournal::editsFor(int step) const
{
    for (auto it = m_records.crbegin(); it != m_records.crend(); ++it) {
        // "forStep", not "step": the record says nothing about the step's phase.
        if (it->value("event", "") == "edits" && it->value("forStep", -1) == step)
            return (*it)["edits"];
    }
    return nullptr;
}

json RunJournal::lastOf(const char *event) const
{
    for (auto it = m_records.crbegin(); it != m_records.crend(); ++it) {
        if (it->value("event", "") == event)
            return *it;
    }
    return nullptr;
}

StepPhase RunJournal::phase(int step) const
{
    const json r = last(step);
    if (r.is_null())
        return StepPhase::Pending;
    const std::string e = r.value("event", "");
    if (e == "intent")
        return StepPhase::Intent;
    if (e == "done")
        return StepPhase::Done;
    if (e == "skipped")
        return StepPhase::Skipped;
    return StepPhase::Failed;
}

bool RunJournal::finished() const
{
    return !outcome().isEmpty();
}

QString RunJournal::outcome() const
{
    for (auto it = m_records.crbegin(); it != m_records.crend(); ++it) {
        const std::string e = it->value("event", "");
        if (e == "complete")
            return u"completed"_s;
        if (e == "aborted")
            return u"aborted"_s;
        if (e == "refused")
            return u"refused"_s;
    }
    return {};
}

} // namespace Raize::Rollback
