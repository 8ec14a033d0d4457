#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace Raize::Records {

// Semantic Versioning 2.0.0: MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD].
struct SemVer
{
    quint64 major = 0;
    quint64 minor = 0;
    quint64 patch = 0;
    QStringList preRelease; // dot-separated identifiers
    QStringList build;      // ignored for precedence

    // Strict parse; *error says what is wrong (e.g. "leading zero in MINOR").
    static std::optional<SemVer> parse(const QString &text, QString *error = nullptr);
    QString toString() const;

    // Precedence per §11: <0, 0, >0. Build metadata does not count.
    static int compare(const SemVer &a, const SemVer &b);
    bool operator<(const SemVer &o) const { return compare(*this, o) < 0; }
    bool operator==(const SemVer &o) const { return compare(*this, o) == 0; }

    enum class Bump { Major, Minor, Patch };
    SemVer bumped(Bump bump) const; // drops pre-release and build; 0.y.z bumps like any other
};

} // namespace Raize::Records
