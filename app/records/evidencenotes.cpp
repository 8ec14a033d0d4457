#include "records/evidencenotes.h"

#include "core/jsonutil.h"
#include "core/settings.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSaveFile>

#include <algorithm>

namespace Raize::Records {

using namespace Qt::StringLiterals;

namespace {

QString lines(const EvidencePart &part, const QString &noneText = u"none"_s)
{
    if (!part.lines)
        return u"- unknown: %1\n"_s.arg(part.unknownWhy.isEmpty() ? u"the source could not be read"_s : part.unknownWhy);
    if (part.lines->isEmpty())
        return u"- "_s + noneText + u'\n';
    QString out;
    for (const QString &l : *part.lines)
        out += u"- "_s + l + u'\n';
    return out;
}

QString inline_(const EvidencePart &part, const QString &noneText = u"none"_s)
{
    if (!part.lines)
        return u"unknown (%1)"_s.arg(part.unknownWhy.isEmpty() ? u"the source could not be read"_s : part.unknownWhy);
    return part.lines->isEmpty() ? noneText : part.lines->join(u"; "_s);
}

nlohmann::json partJson(const EvidencePart &p)
{
    if (!p.lines)
        return {{"unknown", p.unknownWhy.toStdString()}};
    nlohmann::json l = nlohmann::json::array();
    for (const QString &s : *p.lines)
        l.push_back(s.toStdString());
    return {{"lines", l}};
}

bool partFrom(const nlohmann::json &j, EvidencePart *out)
{
    if (!j.is_object())
        return false;
    if (const auto u = j.find("unknown"); u != j.end() && u->is_string()) {
        *out = EvidencePart::unknown(QString::fromStdString(u->get<std::string>()));
        return true;
    }
    const auto l = j.find("lines");
    if (l == j.end() || !l->is_array())
        return false;
    QStringList lines;
    for (const auto &v : *l) {
        if (!v.is_string())
            return false;
        lines << QString::fromStdString(v.get<std::string>());
    }
    *out = EvidencePart::of(lines);
    return true;
}

QString safeName(QString id)
{
    for (QChar &c : id) {
        if (!c.isLetterOrNumber() && c != u'_' && c != u'-' && c != u'.')
            c = u'_';
    }
    return id;
}

} // namespace

nlohmann::json ReleaseEvidence::toJson() const
{
    nlohmann::json flagList = nlohmann::json::array();
    for (const QString &f : flags)
        flagList.push_back(f.toStdString());
    return {{"schema", 1},
            {"deploymentId", deploymentId.toStdString()},
            {"sha", sha.toStdString()},
            {"version", version.toStdString()},
            {"level", level.toStdString()},
            {"digest", digest.toStdString()},
            {"promotedAt", promotedAt.toUTC().toString(Qt::ISODateWithMs).toStdString()},
            {"flags", flagList},
            {"highlights", partJson(highlights)},
            {"gates", partJson(gates)},
            {"newChecks", partJson(newChecks)},
            {"runbooks", partJson(runbooks)},
            {"migrations", partJson(migrations)},
            {"canaryPlan", partJson(canaryPlan)},
            {"flagRollback", partJson(flagRollback)},
            {"deploymentRollback", partJson(deploymentRollback)},
            {"knownIssues", partJson(knownIssues)}};
}

Result<ReleaseEvidence> ReleaseEvidence::fromJson(const nlohmann::json &j, const QString &source)
{
    const auto bad = [&](const QString &what) {
        return Error::make(Error::Kind::Parse, u"release-notes"_s, u"%1: %2"_s.arg(source, what),
                           u"the file is damaged: delete it; the notes of that release then come from its changelog "
                           u"(raize-console release-notes --version X.Y.Z)"_s);
    };
    if (!j.is_object() || j.value("schema", 0) != 1)
        return bad(u"not a release evidence file (schema 1)"_s);
    ReleaseEvidence e;
    const auto text = [&](const char *key) { return j.contains(key) && j[key].is_string() ? QString::fromStdString(j[key].get<std::string>()) : QString(); };
    e.deploymentId = text("deploymentId");
    e.sha = text("sha");
    e.version = text("version");
    e.level = text("level");
    e.digest = text("digest");
    e.promotedAt = QDateTime::fromString(text("promotedAt"), Qt::ISODateWithMs).toUTC();
    if (const auto f = j.find("flags"); f != j.end() && f->is_array()) {
        for (const auto &v : *f) {
            if (v.is_string())
                e.flags << QString::fromStdString(v.get<std::string>());
        }
    }
    for (const auto &[key, part] : {std::pair{"highlights", &e.highlights}, std::pair{"gates", &e.gates}, std::pair{"newChecks", &e.newChecks},
                                    std::pair{"runbooks", &e.runbooks}, std::pair{"migrations", &e.migrations},
                                    std::pair{"canaryPlan", &e.canaryPlan}, std::pair{"flagRollback", &e.flagRollback},
                                    std::pair{"deploymentRollback", &e.deploymentRollback}, std::pair{"knownIssues", &e.knownIssues}}) {
        if (!partFrom(j.value(key, nlohmann::json()), part))
            return bad(u"\"%1\" is missing or not {\"lines\": [...]} / {\"unknown\": \"why\"}"_s.arg(QLatin1StringView(key)));
    }
    if (e.deploymentId.isEmpty())
        return bad(u"no deployment id"_s);
    return e;
}

EvidenceStore::EvidenceStore(QString directory)
    : m_dir(std::move(directory))
{
}

QString EvidenceStore::defaultDirectory(const QString &profile)
{
    return Settings::dataDirectory() + u'/' + profile + u"/releases"_s;
}

Status EvidenceStore::save(const ReleaseEvidence &evidence) const
{
    if (!QDir().mkpath(m_dir))
        return Error::make(Error::Kind::Io, u"release-notes"_s, u"cannot create %1"_s.arg(m_dir), u"check the folder's permissions"_s);
    QSaveFile f(m_dir + u'/' + safeName(evidence.deploymentId) + u".json"_s);
    const QByteArray bytes = QByteArray::fromStdString(evidence.toJson().dump(2)) + '\n';
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit())
        return Error::make(Error::Kind::Io, u"release-notes"_s, u"cannot write %1: %2"_s.arg(f.fileName(), f.errorString()),
                           u"check free space and the folder's permissions"_s);
    return okStatus();
}

Result<ReleaseEvidence> EvidenceStore::load(const QString &deploymentId) const
{
    QString path;
    if (!deploymentId.isEmpty()) {
        path = m_dir + u'/' + safeName(deploymentId) + u".json"_s;
    } else {
        const QFileInfoList files = QDir(m_dir).entryInfoList({u"*.json"_s}, QDir::Files, QDir::Time);
        if (files.isEmpty())
            return Error::make(Error::Kind::Config, u"release-notes"_s, u"no promotion recorded in %1"_s.arg(m_dir),
                               u"promote through the console or raize-console promote run: the promote records its evidence"_s);
        path = files.first().filePath();
    }
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error::make(Error::Kind::Config, u"release-notes"_s, u"no evidence of %1 (%2)"_s.arg(deploymentId, path),
                           u"the console records it at a promote (raize-console release-notes --from-promotion without --deployment takes the last one)"_s);
    QString err;
    const nlohmann::json j = Json::parse(f.readAll(), &err);
    if (j.is_discarded())
        return Error::make(Error::Kind::Parse, u"release-notes"_s, u"%1 is not valid JSON: %2"_s.arg(path, err),
                           u"the file is damaged: delete it; the notes of that release then come from its changelog (--version X.Y.Z)"_s);
    return ReleaseEvidence::fromJson(j, path);
}

QString EvidenceNotes::withoutFlagNames(QString text, const QStringList &flags)
{
    // Longest first, so that "publishing.x.y" is not left as "a feature flag.y".
    QStringList keys = flags;
    std::sort(keys.begin(), keys.end(), [](const QString &a, const QString &b) { return a.size() > b.size(); });
    for (const QString &key : std::as_const(keys)) {
        if (key.isEmpty())
            continue;
        text.replace(QRegularExpression(u"`?"_s + QRegularExpression::escape(key) + u"`?"_s), u"a feature flag"_s);
    }
    return text;
}

ReleaseNotes EvidenceNotes::build(const ReleaseEvidence &e, const RecordsPolicy &policy, NotesAudience audience)
{
    const bool client = audience == NotesAudience::Client;
    const auto shows = [&](const QString &section) { return !client || policy.clientSections.contains(section); };
    ReleaseNotes notes;
    notes.tag = e.version.isEmpty() ? e.deploymentId : u'v' + e.version;
    notes.releaseLevel = e.level.isEmpty() ? u"unknown (the review could not tell)"_s : e.level;
    QString summary = u"release"_s;
    if (e.highlights.lines && !e.highlights.lines->isEmpty())
        summary = e.highlights.lines->first();
    notes.title = u"%1 — %2"_s.arg(notes.tag, summary);

    QString b;
    b += u"**Title:** %1\n\n"_s.arg(notes.title);
    if (!client)
        b += u"_Written from the evidence of deployment %1 (%2), review digest %3._\n\n"_s.arg(e.deploymentId, e.sha.left(12), e.digest.left(12));
    if (shows(u"highlights"_s))
        b += u"**Highlights**\n\n"_s + lines(e.highlights, u"no user-facing changes"_s);
    if (shows(u"operatorImpact"_s)) {
        b += u"\n**Operator impact**\n\n"_s;
        b += u"- Flags: %1\n"_s.arg(e.flags.isEmpty() ? u"none"_s : e.flags.join(u", "_s));
        b += u"- New checks: %1\n"_s.arg(inline_(e.newChecks));
        b += u"- Migrations: %1\n"_s.arg(inline_(e.migrations));
        b += u"- Runbooks updated: %1\n"_s.arg(inline_(e.runbooks));
    }
    if (shows(u"risk"_s)) {
        b += u"\n**Risk**\n\n"_s;
        b += u"- Release level: %1\n"_s.arg(notes.releaseLevel);
        b += u"- Canary plan: %1\n"_s.arg(inline_(e.canaryPlan, u"not needed for this level"_s));
        b += u"- Gates: %1\n"_s.arg(inline_(e.gates));
    }
    if (shows(u"rollbackPlan"_s)) {
        b += u"\n**Rollback plan**\n\n"_s;
        b += u"- Flag rollback: %1\n"_s.arg(inline_(e.flagRollback, u"no flags involved"_s));
        b += u"- Deployment rollback: %1\n"_s.arg(inline_(e.deploymentRollback));
    }
    if (shows(u"knownIssues"_s))
        b += u"\n**Known issues**\n\n"_s + lines(e.knownIssues, u"none known (no open incident)"_s);
    notes.body = client ? withoutFlagNames(b, e.flags) : b;
    notes.title = client ? withoutFlagNames(notes.title, e.flags) : notes.title;
    return notes;
}

} // namespace Raize::Records
