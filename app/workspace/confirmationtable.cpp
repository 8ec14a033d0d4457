#include "workspace/confirmationtable.h"

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize {

QString ConfirmationRule::describe() const
{
    switch (require) {
    case Require::None:
        return u"none"_s;
    case Require::EnvironmentName:
        return u"environment-name"_s;
    case Require::Word:
        return u"word \"%1\""_s.arg(word);
    }
    return {};
}

const QStringList &ConfirmationTable::actions()
{
    static const QStringList names = {u"promote"_s,           u"rollback"_s,    u"kill-switch"_s,
                                      u"production-toggle"_s, u"cohort-save"_s, u"auto-pacing"_s};
    return names;
}

Result<ConfirmationTable> ConfirmationTable::fromBundle(const Policy::Bundle &bundle)
{
    const json &section = bundle.section("confirmations");
    if (!section.is_object())
        return Policy::fieldError(bundle, u"confirmations"_s,
                                  section.is_null() ? u"missing (an object: action → {\"require\": ...})"_s : u"must be an object"_s);
    ConfirmationTable table;
    for (auto it = section.begin(); it != section.end(); ++it) {
        const QString action = QString::fromStdString(it.key());
        const QString at = u"confirmations."_s + action;
        if (!actions().contains(action))
            return Policy::fieldError(bundle, at, u"no such action (actions: %1)"_s.arg(actions().join(u", "_s)));
        if (!it->is_object())
            return Policy::fieldError(bundle, at, u"must be an object {\"require\": \"none\" | \"environment-name\" | \"word\"}"_s);
        const QString require = Policy::stringField(*it, "require");
        ConfirmationRule rule;
        if (require == u"none"_s) {
            rule.require = ConfirmationRule::Require::None;
        } else if (require == u"environment-name"_s) {
            rule.require = ConfirmationRule::Require::EnvironmentName;
        } else if (require == u"word"_s) {
            rule.require = ConfirmationRule::Require::Word;
            rule.word = Policy::stringField(*it, "word").trimmed();
            if (rule.word.isEmpty())
                return Policy::fieldError(bundle, at + u".word"_s, u"missing: \"require\": \"word\" needs the word to type"_s);
        } else {
            return Policy::fieldError(bundle, at + u".require"_s, u"must be \"none\", \"environment-name\" or \"word\""_s);
        }
        table.m_rules.insert(action, rule);
    }
    for (const QString &action : actions()) {
        if (!table.m_rules.contains(action))
            return Policy::fieldError(bundle, u"confirmations."_s + action, u"missing (every action is listed)"_s);
    }
    const json &rollback = bundle.section("rollback");
    if (rollback.is_object() && rollback.contains("guard")) {
        const bool agrees = rollback["guard"] == "type-environment"
                            && table.rule(u"rollback"_s).require == ConfirmationRule::Require::EnvironmentName;
        if (!agrees)
            return Policy::fieldError(bundle, u"rollback.guard"_s,
                                      u"disagrees with confirmations.rollback (%1): keep one, in confirmations (ADR 0012)"_s.arg(
                                          table.rule(u"rollback"_s).describe()));
    }
    return table;
}

} // namespace Raize
