#pragma once

#include "core/result.h"

#include <QString>

namespace Raize {

// Asked by every use case before it changes something (issue #21 item 3,
// ADR 0028): a flag write, a cohort save, a promotion, an approval, an
// override, arming auto-pacing. The profile's Arming answers it: a profile
// not marked sandbox is read-only until an operator arms it. A use case
// given no guard (nullptr) is not gated: tests of the use case itself, and
// the rollback and the kill switch, which the playbook keeps usable unarmed.
class WriteGuard
{
public:
    virtual ~WriteGuard() = default;
    // Ok when `action` ("promote dpl_x to production") may run now; else a
    // Refused error that names the action and says how to arm.
    virtual Status mayChange(const QString &action) = 0;
};

} // namespace Raize
