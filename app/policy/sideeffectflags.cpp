#include "policy/sideeffectflags.h"

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Policy {

namespace {

// A list of non-empty strings at `path`, or an error naming it.
Result<QStringList> stringList(const Bundle &bundle, const json &v, const QString &path)
{
    if (!v.is_array())
        return fieldError(bundle, path, u"must be a list of strings"_s);
    QStringList out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_string() || v[i].get<std::string>().empty())
            return fieldError(bundle, u"%1[%2]"_s.arg(path).arg(i), u"must be a non-empty string"_s);
        const QString s = QString::fromStdString(v[i].get<std::string>());
        if (out.contains(s))
            return fieldError(bundle, u"%1[%2]"_s.arg(path).arg(i), u"\"%1\" is listed twice"_s.arg(s));
        out << s;
    }
    return out;
}

// What `a` has and `b` lacks, and the other way round: "tokens. only in levels.sideEffectFlagPrefixes".
QString difference(const QStringList &a, const QString &aName, const QStringList &b, const QString &bName)
{
    QStringList parts;
    for (const QString &s : a) {
        if (!b.contains(s))
            parts << u"%1 only in %2"_s.arg(s, aName);
    }
    for (const QString &s : b) {
        if (!a.contains(s))
            parts << u"%1 only in %2"_s.arg(s, bName);
    }
    return parts.join(u"; "_s);
}

} // namespace

bool SideEffectFlags::matches(const QString &flagKey) const
{
    if (keys.contains(flagKey))
        return true;
    for (const QString &p : prefixes) {
        if (flagKey.startsWith(p))
            return true;
    }
    return false;
}

QString SideEffectFlags::describe() const
{
    QString text = u"prefixes "_s + prefixes.join(u", "_s);
    if (!keys.isEmpty())
        text += u"; flags "_s + keys.join(u", "_s);
    return text;
}

Result<SideEffectFlags> sideEffectFlagsFromBundle(const Bundle &bundle)
{
    SideEffectFlags out;
    bool haveNew = false;
    const json &section = bundle.section("sideEffectFlags");
    if (!section.is_null()) {
        if (!section.is_object())
            return fieldError(bundle, u"sideEffectFlags"_s, u"must be an object {\"prefixes\": [...], \"flags\": [...]}"_s);
        for (auto it = section.begin(); it != section.end(); ++it) {
            if (it.key() != "prefixes" && it.key() != "flags")
                return fieldError(bundle, u"sideEffectFlags."_s + QString::fromStdString(it.key()),
                                  u"unknown key (use \"prefixes\" and \"flags\")"_s);
        }
        if (!section.contains("prefixes"))
            return fieldError(bundle, u"sideEffectFlags.prefixes"_s, u"missing (a list of flag key prefixes such as \"publishing.\")"_s);
        const Result<QStringList> prefixes = stringList(bundle, section["prefixes"], u"sideEffectFlags.prefixes"_s);
        if (!prefixes)
            return prefixes.error();
        out.prefixes = *prefixes;
        if (section.contains("flags")) {
            const Result<QStringList> keys = stringList(bundle, section["flags"], u"sideEffectFlags.flags"_s);
            if (!keys)
                return keys.error();
            out.keys = *keys;
        }
        haveNew = true;
    }

    // The two lists of bundles written before ADR 0017.
    QString agreedName;
    QStringList agreed;
    for (const char *name : {"levels", "rollback"}) {
        const json &s = bundle.section(name);
        if (!s.is_object() || !s.contains("sideEffectFlagPrefixes"))
            continue;
        const QString path = QString::fromLatin1(name) + u".sideEffectFlagPrefixes"_s;
        const Result<QStringList> old = stringList(bundle, s["sideEffectFlagPrefixes"], path);
        if (!old)
            return old.error();
        const auto same = [](QStringList a, QStringList b) {
            a.sort();
            b.sort();
            return a == b;
        };
        if (haveNew && !same(*old, out.prefixes))
            return fieldError(bundle, path,
                              u"disagrees with sideEffectFlags.prefixes (%1): keep one list, in sideEffectFlags (ADR 0017)"_s.arg(
                                  difference(*old, path, out.prefixes, u"sideEffectFlags.prefixes"_s)));
        if (!agreedName.isEmpty() && !same(*old, agreed))
            return fieldError(bundle, path,
                              u"disagrees with %1 (%2): keep one list, in sideEffectFlags.prefixes (ADR 0017; playbook §1 puts token refresh in L3)"_s
                                  .arg(agreedName, difference(agreed, agreedName, *old, path)));
        if (agreedName.isEmpty()) {
            agreedName = path;
            agreed = *old;
        }
    }
    if (!haveNew) {
        if (agreedName.isEmpty())
            return fieldError(bundle, u"sideEffectFlags"_s, u"missing (an object {\"prefixes\": [...], \"flags\": [...]})"_s);
        out.prefixes = agreed;
    }
    if (out.prefixes.isEmpty() && out.keys.isEmpty())
        return fieldError(bundle, u"sideEffectFlags.prefixes"_s, u"must not be empty: side effects are opt-in (playbook §0.2)"_s);
    return out;
}

} // namespace Raize::Policy
