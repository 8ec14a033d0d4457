#include "policy/policybundle.h"

#include <QFile>
#include <QFileInfo>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Policy {

namespace {

Error policyError(const QString &source, const QString &message, const QString &field = {})
{
    Error e = Error::make(Error::Kind::Config, u"policy"_s, u"%1: %2"_s.arg(source, message),
                          u"Fix the policy bundle and load it again; the console keeps the bundle it had."_s);
    e.fieldPath = field;
    return e;
}

QString str(const json &v)
{
    return QString::fromStdString(v.get<std::string>());
}

} // namespace

Error fieldError(const Bundle &bundle, const QString &field, const QString &message)
{
    const QString name = bundle.source.startsWith(u':') ? bundle.source : bundle.source.section(u'/', -1);
    return policyError(name, u"%1: %2"_s.arg(field, message), field);
}

QString stringField(const json &o, const char *key)
{
    const auto it = o.find(key);
    return it != o.end() && it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString();
}

const json &Bundle::section(const char *name) const
{
    static const json null;
    if (!doc.is_object())
        return null;
    const auto it = doc.find(name);
    return it == doc.end() ? null : *it;
}

std::pair<int, int> lineColumn(const QByteArray &text, std::size_t byteOffset)
{
    int line = 1, column = 1;
    const std::size_t end = std::min<std::size_t>(byteOffset, std::size_t(text.size()));
    for (std::size_t i = 0; i < end; ++i) {
        if (text.at(qsizetype(i)) == '\n') {
            ++line;
            column = 1;
        } else if ((uchar(text.at(qsizetype(i))) & 0xC0) != 0x80) {
            ++column; // count characters, not UTF-8 continuation bytes
        }
    }
    return {line, column};
}

Result<Bundle> parseBundle(const QByteArray &text, const QString &source)
{
    const QString name = source.startsWith(u':') ? source : QFileInfo(source).fileName();
    json doc;
    try {
        doc = json::parse(text.cbegin(), text.cend());
    } catch (const json::parse_error &e) {
        // nlohmann reports the last byte it read: the end of the offending token.
        const std::size_t at = e.byte > 0 ? e.byte - 1 : 0;
        const auto [line, column] = lineColumn(text, at);
        QString what = QString::fromUtf8(e.what());
        const qsizetype colon = what.lastIndexOf(u": "_s);
        if (colon >= 0)
            what = what.mid(colon + 2);
        return policyError(u"%1:%2:%3"_s.arg(name).arg(line).arg(column), what);
    }
    if (!doc.is_object())
        return policyError(name, u"a policy bundle is a JSON object"_s);
    if (!doc.contains("schema") || doc["schema"] != "raize.policy")
        return policyError(name, u"\"schema\" must be \"raize.policy\""_s, u"schema"_s);
    if (!doc.contains("version") || !doc["version"].is_number_integer())
        return policyError(name, u"\"version\" must be an integer"_s, u"version"_s);
    const int version = doc["version"].get<int>();
    if (version < 1 || version > SupportedVersion)
        return policyError(name,
                           u"bundle version %1 is not supported (this console reads version %2); update the console or convert the bundle"_s
                               .arg(version)
                               .arg(SupportedVersion),
                           u"version"_s);
    if (!doc.contains("id") || !doc["id"].is_string() || doc["id"].get<std::string>().empty())
        return policyError(name, u"\"id\" must be a non-empty string"_s, u"id"_s);
    if (doc.contains("tenant") && !doc["tenant"].is_null() && !doc["tenant"].is_string())
        return policyError(name, u"\"tenant\" must be a string or null"_s, u"tenant"_s);

    Bundle b;
    b.id = str(doc["id"]);
    b.version = version;
    b.title = doc.contains("title") && doc["title"].is_string() ? str(doc["title"]) : b.id;
    b.tenant = doc.contains("tenant") && doc["tenant"].is_string() ? str(doc["tenant"]) : QString();
    b.source = source;
    b.doc = std::move(doc);
    return b;
}

Result<Bundle> loadBundleFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Error::make(Error::Kind::Io, u"policy"_s, u"cannot read %1: %2"_s.arg(path, f.errorString()),
                           u"Check the path and its permissions."_s);
    return parseBundle(f.readAll(), path);
}

const Bundle &builtinBundle()
{
    static const Bundle bundle = [] {
        Result<Bundle> r = loadBundleFile(QString::fromLatin1(BuiltinPath));
        // The built-in bundle is compiled in and checked by test_policy_bundle;
        // failing here means the build itself is broken.
        Q_ASSERT_X(r.ok(), "builtinBundle", qPrintable(r.error().toString()));
        return r.ok() ? std::move(r).value() : Bundle{};
    }();
    return bundle;
}

} // namespace Raize::Policy
