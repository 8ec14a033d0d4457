#pragma once

#include <QString>

namespace Raize {

// Who acts: the login the profile's GitHub token belongs to (GET /user, ADR
// 0018), or unknown with the reason. Every mutating action records it as its
// actor and is refused while it is unknown, never done under a guessed name
// such as $USER. Stopping something (auto-pacing) is allowed while unknown:
// it only lowers exposure, and the record says "unknown".
struct Identity
{
    QString login;      // empty: unknown
    QString whyUnknown; // what went wrong, when unknown (may be empty: not asked yet)

    bool known() const { return !login.isEmpty(); }
    // The audit record's actor: the login, else "unknown".
    QString actor() const { return known() ? login : QStringLiteral("unknown"); }
    // Why `action` is refused while the identity is unknown; empty when it is known.
    QString refusal(const QString &action) const
    {
        if (known())
            return {};
        return QStringLiteral("%1 is refused: who you are is unknown (%2). Every change is recorded with the GitHub login of "
                              "this profile's token: store your own GitHub token and check it with Settings → Test connection.")
            .arg(action, whyUnknown.isEmpty() ? QStringLiteral("GitHub has not named this profile's token yet") : whyUnknown);
    }
};

} // namespace Raize
