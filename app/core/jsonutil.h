#pragma once

#include <QString>
#include <nlohmann/json.hpp>

#include <string>

namespace Raize::Json {

inline std::string toStd(const QString &s) { return s.toStdString(); }
inline QString toQ(const std::string &s) { return QString::fromStdString(s); }

// Parses without throwing. On failure returns a discarded value and fills
// *error with the parser's message (byte offset included).
nlohmann::json parse(const QByteArray &bytes, QString *error = nullptr);

// Serialises compactly as UTF-8.
QByteArray dump(const nlohmann::json &value);

} // namespace Raize::Json
