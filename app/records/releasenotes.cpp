#include "records/releasenotes.h"

namespace Raize::Records {

using namespace Qt::StringLiterals;

namespace {

QStringList strings(const nlohmann::json &j, const char *key, QString *error)
{
    QStringList out;
    const auto it = j.find(key);
    if (it == j.end())
        return out;
    if (!it->is_array()) {
        *error = u"\"%1\" must be an array of strings"_s.arg(QLatin1StringView(key));
        return out;
    }
    for (const auto &v : *it) {
        if (!v.is_string()) {
            *error = u"\"%1\" must be an array of strings"_s.arg(QLatin1StringView(key));
            return {};
        }
        out << QString::fromStdString(v.get<std::string>());
    }
    return out;
}

QString bulletList(const QStringList &items, const QString &empty = u"none"_s)
{
    if (items.isEmpty())
        return empty;
    return items.join(u"; "_s);
}

bool isNone(const QString &v)
{
    const QString t = v.trimmed().toLower();
    return t.isEmpty() || t.startsWith(u"none"_s) || t == u"n/a"_s;
}

} // namespace

Result<ReleaseNotesInput> ReleaseNotesInput::fromJson(const nlohmann::json &j)
{
    if (!j.is_object())
        return Error::make(Error::Kind::Parse, u"release-notes"_s, u"the input must be a JSON object"_s);
    ReleaseNotesInput in;
    QString error;
    in.newChecks = strings(j, "newChecks", &error);
    in.gateSummary = strings(j, "gates", &error);
    in.runbooksUpdated = strings(j, "runbooks", &error);
    in.canaryPlan = strings(j, "canary", &error);
    in.knownIssues = strings(j, "knownIssues", &error);
    if (const auto rb = j.find("rollback"); rb != j.end()) {
        if (!rb->is_object()) {
            error = u"\"rollback\" must be an object with \"flags\" and \"deployment\""_s;
        } else {
            in.flagRollback = QString::fromStdString(rb->value("flags", ""));
            in.deploymentRollback = QString::fromStdString(rb->value("deployment", ""));
        }
    }
    if (!error.isEmpty()) {
        Error e = Error::make(Error::Kind::Parse, u"release-notes"_s, error);
        return e;
    }
    return in;
}

Result<ReleaseNotes> ReleaseNotesBuilder::build(const ChangelogDocument &doc, const QString &version, const ReleaseNotesInput &in)
{
    const ChangelogSection *section = doc.section(version);
    if (!section)
        return Error::make(Error::Kind::Config, u"release-notes"_s, u"the changelog has no section [%1]"_s.arg(version),
                           u"cut the release first: raize-console changelog cut"_s);
    QStringList highlights, flags, migrations, rollbacks;
    int level = -1;
    for (const ChangelogCategory &cat : section->categories) {
        for (const ChangelogEntry &e : cat.entries) {
            const QString title = e.title.isEmpty() ? e.text.left(100) : e.title;
            if (highlights.size() < 3 && (cat.name == u"Added"_s || cat.name == u"Changed"_s || cat.name == u"Security"_s || highlights.isEmpty()))
                highlights << u"%1 (%2)"_s.arg(title, cat.name);
            if (const ChangelogField *f = e.field(u"Flags"_s); f && !isNone(f->value) && !flags.contains(f->value))
                flags << f->value;
            if (const ChangelogField *f = e.field(u"Migration"_s); f && !isNone(f->value))
                migrations << u"%1: %2"_s.arg(title, f->value);
            if (const ChangelogField *f = e.field(u"Rollback"_s); f && !f->value.isEmpty())
                rollbacks << u"%1: %2"_s.arg(title, f->value);
            if (const ChangelogField *f = e.field(u"Risk"_s); f && f->value.size() >= 2 && f->value[0] == u'L')
                level = qMax(level, f->value.mid(1, 1).toInt());
        }
    }
    ReleaseNotes notes;
    notes.tag = u'v' + version;
    notes.releaseLevel = level >= 0 ? u"L%1"_s.arg(level) : u"unknown (entries carry no risk level)"_s;
    const QString summary = highlights.isEmpty() ? u"maintenance release"_s : highlights.first().section(u" ("_s, 0, 0);
    notes.title = u"%1 — %2"_s.arg(notes.tag, summary);

    QString b;
    b += u"**Title:** %1\n\n"_s.arg(notes.title);
    b += u"**Highlights**\n\n"_s;
    for (const QString &h : std::as_const(highlights))
        b += u"- "_s + h + u'\n';
    if (highlights.isEmpty())
        b += u"- no user-facing changes\n"_s;
    b += u"\n**Operator impact**\n\n"_s;
    b += u"- Flags: %1\n"_s.arg(bulletList(flags));
    b += u"- New checks: %1\n"_s.arg(bulletList(in.newChecks));
    b += u"- Migrations: %1\n"_s.arg(bulletList(migrations));
    b += u"- Runbooks updated: %1\n"_s.arg(bulletList(in.runbooksUpdated));
    b += u"\n**Risk**\n\n"_s;
    b += u"- Release level: %1\n"_s.arg(notes.releaseLevel);
    b += u"- Canary plan: %1\n"_s.arg(bulletList(in.canaryPlan, u"not needed for this level"_s));
    if (!in.gateSummary.isEmpty())
        b += u"- Gates: %1\n"_s.arg(bulletList(in.gateSummary));
    b += u"\n**Rollback plan**\n\n"_s;
    b += u"- Flag rollback: %1\n"_s.arg(in.flagRollback.isEmpty() ? (flags.isEmpty() ? u"no flags involved"_s : u"turn off "_s + flags.join(u", "_s)) : in.flagRollback);
    b += u"- Deployment rollback: %1\n"_s.arg(in.deploymentRollback.isEmpty() ? bulletList(rollbacks) : in.deploymentRollback);
    b += u"\n**Known issues**\n\n"_s;
    if (in.knownIssues.isEmpty())
        b += u"- none known\n"_s;
    for (const QString &k : in.knownIssues)
        b += u"- "_s + k + u'\n';
    notes.body = b;
    return notes;
}

} // namespace Raize::Records
