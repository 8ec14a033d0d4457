#include "records/semver.h"

#include <QRegularExpression>

namespace Raize::Records {

using namespace Qt::StringLiterals;

namespace {

bool numeric(const QString &s)
{
    if (s.isEmpty())
        return false;
    for (QChar c : s) {
        if (c < u'0' || c > u'9')
            return false;
    }
    return true;
}

bool parseCore(const QString &s, const char *name, quint64 *out, QString *error)
{
    if (!numeric(s)) {
        if (error)
            *error = u"%1 must be a non-negative number, not \"%2\""_s.arg(QLatin1StringView(name), s);
        return false;
    }
    if (s.size() > 1 && s.startsWith(u'0')) {
        if (error)
            *error = u"leading zero in %1 (\"%2\")"_s.arg(QLatin1StringView(name), s);
        return false;
    }
    bool ok = false;
    *out = s.toULongLong(&ok);
    if (!ok && error)
        *error = u"%1 is too large"_s.arg(QLatin1StringView(name));
    return ok;
}

} // namespace

std::optional<SemVer> SemVer::parse(const QString &text, QString *error)
{
    static const QRegularExpression ident(u"^[0-9A-Za-z-]+$"_s);
    QString rest = text;
    SemVer v;
    const qsizetype plus = rest.indexOf(u'+');
    if (plus >= 0) {
        v.build = rest.mid(plus + 1).split(u'.');
        rest = rest.left(plus);
        for (const QString &b : std::as_const(v.build)) {
            if (!ident.match(b).hasMatch()) {
                if (error)
                    *error = u"invalid build metadata identifier \"%1\""_s.arg(b);
                return std::nullopt;
            }
        }
    }
    const qsizetype dash = rest.indexOf(u'-');
    if (dash >= 0) {
        v.preRelease = rest.mid(dash + 1).split(u'.');
        rest = rest.left(dash);
        for (const QString &p : std::as_const(v.preRelease)) {
            if (!ident.match(p).hasMatch()) {
                if (error)
                    *error = u"invalid pre-release identifier \"%1\""_s.arg(p);
                return std::nullopt;
            }
            if (numeric(p) && p.size() > 1 && p.startsWith(u'0')) {
                if (error)
                    *error = u"leading zero in numeric pre-release identifier \"%1\""_s.arg(p);
                return std::nullopt;
            }
        }
    }
    const QStringList core = rest.split(u'.');
    if (core.size() != 3) {
        if (error)
            *error = u"a version is MAJOR.MINOR.PATCH, not \"%1\""_s.arg(text);
        return std::nullopt;
    }
    if (!parseCore(core[0], "MAJOR", &v.major, error) || !parseCore(core[1], "MINOR", &v.minor, error)
        || !parseCore(core[2], "PATCH", &v.patch, error))
        return std::nullopt;
    return v;
}

QString SemVer::toString() const
{
    QString s = u"%1.%2.%3"_s.arg(major).arg(minor).arg(patch);
    if (!preRelease.isEmpty())
        s += u'-' + preRelease.join(u'.');
    if (!build.isEmpty())
        s += u'+' + build.join(u'.');
    return s;
}

int SemVer::compare(const SemVer &a, const SemVer &b)
{
    for (auto [x, y] : {std::pair{a.major, b.major}, {a.minor, b.minor}, {a.patch, b.patch}}) {
        if (x != y)
            return x < y ? -1 : 1;
    }
    // A version with a pre-release has lower precedence than the release.
    if (a.preRelease.isEmpty() != b.preRelease.isEmpty())
        return a.preRelease.isEmpty() ? 1 : -1;
    for (qsizetype i = 0; i < qMin(a.preRelease.size(), b.preRelease.size()); ++i) {
        const QString &x = a.preRelease[i];
        const QString &y = b.preRelease[i];
        const bool nx = numeric(x), ny = numeric(y);
        if (nx && ny) {
            const quint64 ix = x.toULongLong(), iy = y.toULongLong();
            if (ix != iy)
                return ix < iy ? -1 : 1;
        } else if (nx != ny) {
            return nx ? -1 : 1; // numeric identifiers sort before alphanumeric ones
        } else if (x != y) {
            return x < y ? -1 : 1; // ASCII order
        }
    }
    if (a.preRelease.size() != b.preRelease.size())
        return a.preRelease.size() < b.preRelease.size() ? -1 : 1;
    return 0;
}

SemVer SemVer::bumped(Bump bump) const
{
    SemVer v;
    v.major = major;
    v.minor = minor;
    v.patch = patch;
    switch (bump) {
    case Bump::Major: v.major++; v.minor = 0; v.patch = 0; break;
    case Bump::Minor: v.minor++; v.patch = 0; break;
    case Bump::Patch: v.patch++; break;
    }
    return v;
}

} // namespace Raize::Records
