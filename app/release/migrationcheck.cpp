#include "release/migrationcheck.h"

#include "policy/policybundle.h"

#include <nlohmann/json.hpp>

namespace Raize::Release {

using namespace Qt::StringLiterals;

bool MigrationPolicy::isMigration(const QString &path) const
{
    for (const PathRule &r : rules) {
        if (r.matches(path))
            return true;
    }
    return false;
}

Result<MigrationPolicy> migrationPolicyFromBundle(const Policy::Bundle &bundle, const GatePolicy &gates)
{
    MigrationPolicy p;
    for (const PathRule &r : gates.pathRules) {
        if (r.kind == PathRule::Kind::Migration)
            p.rules << r;
    }
    p.compatibleLabel = gates.backwardCompatibleLabel;
    p.maintenanceLabelPrefix = gates.maintenanceWindowLabelPrefix;
    const nlohmann::json &section = bundle.section("migrations");
    if (section.is_null())
        return p;
    if (!section.is_object())
        return Policy::fieldError(bundle, u"migrations"_s, u"must be an object"_s);
    const auto text = [&](const char *key, QString &out) -> Status {
        if (!section.contains(key))
            return okStatus();
        const nlohmann::json &v = section.at(key);
        if (!v.is_string() || v.get<std::string>().empty())
            return Policy::fieldError(bundle, u"migrations.%1"_s.arg(QLatin1StringView(key)), u"must be a non-empty string"_s);
        out = QString::fromStdString(v.get<std::string>());
        return okStatus();
    };
    const auto number = [&](const char *key, int &out, int low, int high) -> Status {
        if (!section.contains(key))
            return okStatus();
        const nlohmann::json &v = section.at(key);
        if (!v.is_number_integer() || v.get<int>() < low || v.get<int>() > high)
            return Policy::fieldError(bundle, u"migrations.%1"_s.arg(QLatin1StringView(key)),
                                      u"must be a whole number from %1 to %2"_s.arg(low).arg(high));
        out = v.get<int>();
        return okStatus();
    };
    for (auto it = section.begin(); it != section.end(); ++it) {
        static const QStringList known = {u"compatibleMarker"_s, u"incompatibleMarker"_s, u"markerLines"_s, u"maxFilesRead"_s};
        if (!known.contains(QString::fromStdString(it.key())))
            return Policy::fieldError(bundle, u"migrations.%1"_s.arg(QString::fromStdString(it.key())),
                                      u"is not a known field (%1)"_s.arg(known.join(u", "_s)));
    }
    if (Status s = text("compatibleMarker", p.compatibleMarker); !s)
        return s.error();
    if (Status s = text("incompatibleMarker", p.incompatibleMarker); !s)
        return s.error();
    if (Status s = number("markerLines", p.markerLines, 1, 200); !s)
        return s.error();
    if (Status s = number("maxFilesRead", p.maxFilesRead, 1, 300); !s)
        return s.error();
    if (p.compatibleMarker.compare(p.incompatibleMarker, Qt::CaseInsensitive) == 0)
        return Policy::fieldError(bundle, u"migrations.incompatibleMarker"_s, u"must differ from compatibleMarker"_s);
    return p;
}

QString compatibilityName(Compatibility c)
{
    switch (c) {
    case Compatibility::Compatible:
        return u"compatible"_s;
    case Compatibility::Incompatible:
        return u"incompatible"_s;
    case Compatibility::Unknown:
        break;
    }
    return u"unknown"_s;
}

namespace {

// "raize: Incompatible" and "raize:incompatible" are the same marker.
QString squeezed(QStringView text)
{
    QString out;
    out.reserve(text.size());
    for (QChar c : text) {
        if (!c.isSpace())
            out += c.toLower();
    }
    return out;
}

bool isComment(QStringView line)
{
    return line.startsWith(u"--") || line.startsWith(u"//") || line.startsWith(u"#") || line.startsWith(u"/*")
        || line.startsWith(u"*");
}

} // namespace

std::optional<Compatibility> markerIn(const QByteArray &content, const MigrationPolicy &policy, QString *where)
{
    const QString incompatible = squeezed(policy.incompatibleMarker);
    const QString compatible = squeezed(policy.compatibleMarker);
    const QString text = QString::fromUtf8(content);
    int lineNo = 0;
    for (QStringView line : QStringView(text).split(u'\n')) {
        if (++lineNo > policy.markerLines)
            break;
        const QStringView trimmed = line.trimmed();
        if (!isComment(trimmed))
            continue;
        const QString s = squeezed(trimmed);
        // The incompatible marker first: "raize:incompatible" must not read as compatible by accident.
        std::optional<Compatibility> found;
        if (s.contains(incompatible))
            found = Compatibility::Incompatible;
        else if (s.contains(compatible))
            found = Compatibility::Compatible;
        if (found) {
            if (where)
                *where = u"line %1: %2"_s.arg(lineNo).arg(trimmed.toString());
            return found;
        }
    }
    return std::nullopt;
}

Compatibility MigrationReport::overall() const
{
    bool unknown = !listComplete;
    for (const MigrationFile &f : files) {
        if (f.compatibility == Compatibility::Incompatible)
            return Compatibility::Incompatible;
        if (f.compatibility == Compatibility::Unknown)
            unknown = true;
    }
    return unknown ? Compatibility::Unknown : Compatibility::Compatible;
}

QStringList MigrationReport::incompatible() const
{
    QStringList out;
    for (const MigrationFile &f : files) {
        if (f.compatibility == Compatibility::Incompatible)
            out << f.path;
    }
    return out;
}

QString MigrationReport::summary() const
{
    const QString range = u"%1...%2"_s.arg(base.left(12), head.left(12));
    if (none())
        return u"no migration changed between %1"_s.arg(range);
    QStringList parts;
    for (const MigrationFile &f : files)
        parts << u"%1 %2 (%3)"_s.arg(f.path, compatibilityName(f.compatibility), f.reason);
    QString text = u"%1 migration file(s) changed between %2: %3"_s.arg(files.size()).arg(range, parts.join(u"; "_s));
    if (!listComplete)
        text += u"; GitHub lists at most 300 changed files, so more migrations may have changed: unknown"_s;
    return text;
}

MigrationReport classifyMigrations(const MigrationInputs &in, const MigrationPolicy &policy)
{
    MigrationReport report;
    report.base = in.base;
    report.head = in.head;
    report.listComplete = in.listComplete;
    int read = 0;
    for (const QString &path : in.changedFiles) {
        if (!policy.isMigration(path))
            continue;
        MigrationFile f;
        f.path = path;
        f.status = in.fileStatus.value(path);
        const QStringList labels = in.labels.value(path);
        const int pr = in.pullRequest.value(path);
        const QString prName = pr > 0 ? u"pull request #%1"_s.arg(pr) : u"its pull request"_s;
        const bool labelledCompatible = !policy.compatibleLabel.isEmpty() && labels.contains(policy.compatibleLabel);
        QString windowLabel;
        if (!policy.maintenanceLabelPrefix.isEmpty()) {
            for (const QString &l : labels) {
                if (l.startsWith(policy.maintenanceLabelPrefix))
                    windowLabel = l;
            }
        }

        if (f.status == u"removed"_s) {
            f.compatibility = Compatibility::Unknown;
            f.reason = u"removed between the two commits: check by hand what undoing it means"_s;
            report.files << f;
            continue;
        }
        if (++read > policy.maxFilesRead) {
            f.compatibility = Compatibility::Unknown;
            f.reason = u"not read: more than %1 migration files changed (policy migrations.maxFilesRead)"_s.arg(policy.maxFilesRead);
            report.files << f;
            continue;
        }
        const auto content = in.contents.value(path);
        if (!content) {
            const QString why = in.readErrors.value(path, u"not read"_s);
            // A label still says something, but the file itself could not be checked for an incompatible marker.
            f.compatibility = Compatibility::Unknown;
            f.reason = u"the file could not be read (%1)"_s.arg(why)
                       + (labelledCompatible ? u"; %1 is labelled %2 but the file was not checked"_s.arg(prName, policy.compatibleLabel)
                                             : QString());
            report.files << f;
            continue;
        }
        QString markerLine;
        const std::optional<Compatibility> marker = markerIn(*content, policy, &markerLine);
        if (marker == Compatibility::Incompatible) {
            f.compatibility = Compatibility::Incompatible;
            f.reason = u"marked incompatible (%1)"_s.arg(markerLine);
            if (labelledCompatible)
                f.reason += u"; %1 is labelled %2, but the file's own marker wins (the stricter source)"_s.arg(prName, policy.compatibleLabel);
        } else if (!windowLabel.isEmpty()) {
            f.compatibility = Compatibility::Incompatible;
            f.reason = u"%1 is labelled %2: a breaking migration in a maintenance window"_s.arg(prName, windowLabel);
        } else if (marker == Compatibility::Compatible) {
            f.compatibility = Compatibility::Compatible;
            f.reason = u"marked backward-compatible (%1)"_s.arg(markerLine);
        } else if (labelledCompatible) {
            f.compatibility = Compatibility::Compatible;
            f.reason = u"%1 is labelled %2 (the file has no marker)"_s.arg(prName, policy.compatibleLabel);
        } else {
            f.compatibility = Compatibility::Unknown;
            f.reason = u"not marked: neither the file (\"%1\" or \"%2\" in a comment of its first %3 lines) nor its pull request says"_s
                           .arg(policy.compatibleMarker, policy.incompatibleMarker)
                           .arg(policy.markerLines);
        }
        report.files << f;
    }
    return report;
}

} // namespace Raize::Release
