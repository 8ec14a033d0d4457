#include "core/jsonutil.h"

#include <QByteArray>
#include <QString>

#include <algorithm>

namespace Raize::Json {

namespace {
// Deeper nesting than any API answer needs is refused before parsing: a
// nesting bomb would otherwise cost memory and time in the parser.
constexpr int MaxDepth = 256;

int nestingDepth(const QByteArray &bytes)
{
    int depth = 0, deepest = 0;
    bool inString = false, escaped = false;
    for (const char c : bytes) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
            if (deepest > MaxDepth)
                return deepest;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return deepest;
}
} // namespace

nlohmann::json parse(const QByteArray &bytes, QString *error)
{
    if (nestingDepth(bytes) > MaxDepth) {
        if (error)
            *error = QStringLiteral("nested deeper than %1 levels").arg(MaxDepth);
        return nlohmann::json(nlohmann::json::value_t::discarded);
    }
    try {
        return nlohmann::json::parse(bytes.constData(), bytes.constData() + bytes.size());
    } catch (const nlohmann::json::exception &e) {
        if (error)
            *error = QString::fromUtf8(e.what());
        return nlohmann::json(nlohmann::json::value_t::discarded);
    }
}

QByteArray dump(const nlohmann::json &value)
{
    const std::string s = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return QByteArray(s.data(), qsizetype(s.size()));
}

} // namespace Raize::Json
