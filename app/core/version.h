#pragma once

#include <QString>

namespace Raize {

inline QString versionString()
{
    return QStringLiteral(RAIZE_VERSION);
}

} // namespace Raize
