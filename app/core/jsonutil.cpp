#include "core/jsonutil.h"

#include <QByteArray>

namespace Raize::Json {

nlohmann::json parse(const QByteArray &bytes, QString *error)
{
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
