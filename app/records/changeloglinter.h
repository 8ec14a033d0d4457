#pragma once

#include "records/changelog.h"

#include <QDate>
#include <QList>
#include <QMap>
#include <QString>

#include <optional>

namespace Raize::Records {

struct Diagnostic
{
    enum class Severity { Error, Warning };
    Severity severity = Severity::Error;
    int line = 0;
    int column = 1;
    QString code;     // KAC0xx: Keep a Changelog / SemVer; RZ0xx: playbook §8.6; AO0xx: append-only
                      // (the list: docs/HACKING.md, "Changelog rule codes")
    QString message;
    QString fix;

    QString toString(const QString &file) const; // "file:12:3: error: message [KAC005] (fix: ...)"
};

class ChangelogLinter
{
public:
    enum class Rules {
        KeepAChangelog, // format and SemVer only: for other projects' changelogs
        Playbook,       // + every entry carries the §8.6 fields (this project's rule)
    };

    static QList<Diagnostic> lint(const ChangelogDocument &doc, Rules rules = Rules::Playbook);

    // The rules that fit a file nobody said anything about: the playbook's
    // when any entry carries one of its fields (Risk, Flags, Migration,
    // Rollback), as this project's own file does; Keep a Changelog's for any
    // other project's file. *reason says which and why, for the output.
    static Rules detectRules(const ChangelogDocument &doc, QString *reason = nullptr);
    static QString rulesName(Rules rules); // "playbook", "keepachangelog"

    // How many diagnostics each rule code produced, e.g. {"KAC006": 3}.
    static QMap<QString, int> countByCode(const QList<Diagnostic> &diagnostics);

    // Append-only truth: every released section of `previous` must be in
    // `current` unchanged (adding " [YANKED]" to a heading is allowed).
    // Sections are matched by version and position: the n-th section of a
    // version with the n-th section of the same version, so a version that
    // appears twice still compares each copy with its own.
    static QList<Diagnostic> checkAppendOnly(const ChangelogDocument &previous, const ChangelogDocument &current);

    static bool hasErrors(const QList<Diagnostic> &diagnostics);

    struct NextVersion
    {
        SemVer version;
        SemVer::Bump bump = SemVer::Bump::Patch;
        QString reason;       // which entries decided it
        bool fromNothing = false;
    };
    // Playbook §8.3: MAJOR when an entry needs operator action (BREAKING, a
    // Removed entry, or a migration that is not "none"/"automatic"), MINOR for
    // Added/Changed/Deprecated, PATCH for Fixed/Security only. Empty
    // Unreleased → nullopt. Placeholder bullets ("Nothing yet!") are not
    // changes. Refuses (nullopt) when released sections exist but none of
    // their versions could be read: a guess from 0.0.0 would be wrong.
    static std::optional<NextVersion> nextVersion(const ChangelogDocument &doc, QString *why = nullptr);

    // Moves Unreleased under `version` dated `date`, leaves an empty
    // Unreleased, and updates the compare links. Refuses (nullopt + *error)
    // when the document has lint errors, Unreleased is empty, or the version
    // is not newer than the latest release.
    static std::optional<QString> cut(const ChangelogDocument &doc, const SemVer &version, const QDate &date, QString *error);
};

} // namespace Raize::Records
