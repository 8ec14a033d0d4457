#pragma once

// The policy's confirmation table (issue #14, item 5): what an operator must
// type before a dangerous action runs. The effective policy parses it; the
// one confirmation dialog reads it.

#include "core/result.h"
#include "policy/policybundle.h"

#include <QMap>
#include <QString>
#include <QStringList>

namespace Raize {

struct ConfirmationRule
{
    enum class Require { None, EnvironmentName, Word };
    Require require = Require::EnvironmentName;
    QString word; // Require::Word: what to type

    // How much it asks of the operator: none 0, a typed answer 1.
    int strength() const { return require == Require::None ? 0 : 1; }
    // "none", "environment-name", "word \"SHIP\""
    QString describe() const;
    bool operator==(const ConfirmationRule &o) const = default;
};

class ConfirmationTable
{
public:
    // The actions the table covers, in the order the bundle lists them.
    static const QStringList &actions(); // promote, rollback, kill-switch, production-toggle, cohort-save, auto-pacing

    // The bundle's `confirmations` section: every action listed, each
    // {"require": "none" | "environment-name" | "word", "word": "..."}.
    // Bundles written before ADR 0012 name the rollback's as
    // `rollback.guard: "type-environment"`, accepted only when it agrees.
    static Result<ConfirmationTable> fromBundle(const Policy::Bundle &bundle);

    ConfirmationRule rule(const QString &action) const { return m_rules.value(action); }
    const QMap<QString, ConfirmationRule> &rules() const { return m_rules; }
    bool operator==(const ConfirmationTable &o) const = default;

private:
    QMap<QString, ConfirmationRule> m_rules;
};

} // namespace Raize
