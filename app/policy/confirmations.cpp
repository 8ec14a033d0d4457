#include "policy/confirmations.h"

#include "policy/policybundle.h"

#include <QRegularExpression>

using namespace Qt::StringLiterals;
using json = nlohmann::json;

namespace Raize::Policy {

namespace {

const char *const kSection = "confirmations";

Error tableError(const QString &field, const QString &message)
{
    Error e = Error::make(Error::Kind::Config, u"policy"_s, u"%1: %2"_s.arg(field, message),
                          u"Fix the policy bundle's \"confirmations\" table and load it again; the console keeps the table it had."_s);
    e.fieldPath = field;
    return e;
}

QString knownActions()
{
    QStringList keys;
    for (ConfirmAction a : allConfirmActions())
        keys << confirmActionKey(a);
    return keys.join(u", "_s);
}

std::optional<ConfirmRequirement> requirementFromKey(const QString &key)
{
    for (ConfirmRequirement r : {ConfirmRequirement::None, ConfirmRequirement::EnvironmentName, ConfirmRequirement::Word}) {
        if (confirmRequirementKey(r) == key)
            return r;
    }
    return std::nullopt;
}

Result<ConfirmRule> parseRule(const json &entry, const QString &path)
{
    if (!entry.is_object())
        return tableError(path, u"must be an object such as {\"require\": \"environment\"}"_s);
    for (auto it = entry.begin(); it != entry.end(); ++it) {
        if (it.key() != "require" && it.key() != "word")
            return tableError(path + u'.' + QString::fromStdString(it.key()), u"unknown member (known: require, word)"_s);
    }
    const auto require = entry.find("require");
    if (require == entry.end() || !require->is_string())
        return tableError(path + u".require"_s, u"missing: one of \"none\", \"environment\", \"word\""_s);
    const QString key = QString::fromStdString(require->get<std::string>());
    const std::optional<ConfirmRequirement> requirement = requirementFromKey(key);
    if (!requirement)
        return tableError(path + u".require"_s, u"unknown requirement \"%1\" (known: none, environment, word)"_s.arg(key));
    ConfirmRule rule;
    rule.requirement = *requirement;
    const auto word = entry.find("word");
    if (*requirement == ConfirmRequirement::Word) {
        if (word == entry.end() || !word->is_string())
            return tableError(path + u".word"_s, u"missing: \"require\": \"word\" needs the word the operator types"_s);
        rule.word = QString::fromStdString(word->get<std::string>());
        static const QRegularExpression space(u"\\s"_s);
        if (rule.word.isEmpty() || rule.word.contains(space))
            return tableError(path + u".word"_s, u"must be one word without spaces, e.g. \"auto-pace\""_s);
    } else if (word != entry.end()) {
        return tableError(path + u".word"_s, u"only goes with \"require\": \"word\" (this rule requires \"%1\")"_s.arg(key));
    }
    return rule;
}

} // namespace

QString ConfirmRule::expected(const QString &environment) const
{
    switch (requirement) {
    case ConfirmRequirement::None: return {};
    case ConfirmRequirement::EnvironmentName: return environment;
    case ConfirmRequirement::Word: return word;
    }
    return {};
}

bool ConfirmRule::accepts(const QString &environment, const QString &answer) const
{
    if (!typed())
        return true;
    const QString want = expected(environment);
    return !want.isEmpty() && answer == want;
}

QString ConfirmRule::prompt(const QString &environment) const
{
    switch (requirement) {
    case ConfirmRequirement::None: return {};
    case ConfirmRequirement::EnvironmentName:
        return environment.isEmpty() ? u"The environment is not known, so this cannot be confirmed."_s
                                     : u"Type the environment's name, %1, to confirm."_s.arg(environment);
    case ConfirmRequirement::Word: return u"Type %1 to confirm."_s.arg(word);
    }
    return {};
}

ConfirmRule Confirmations::rule(ConfirmAction action) const
{
    const auto it = rules.find(action);
    // A table always has every action (parseConfirmations); the strictest rule otherwise.
    return it != rules.end() ? it->second : ConfirmRule{};
}

json Confirmations::toJson() const
{
    json out = json::object();
    for (const auto &[action, rule] : rules) {
        json entry = {{"require", confirmRequirementKey(rule.requirement).toStdString()}};
        if (rule.requirement == ConfirmRequirement::Word)
            entry["word"] = rule.word.toStdString();
        out[confirmActionKey(action).toStdString()] = entry;
    }
    return out;
}

QList<ConfirmAction> allConfirmActions()
{
    return {ConfirmAction::Promote,          ConfirmAction::Rollback,   ConfirmAction::KillSwitch,
            ConfirmAction::ProductionToggle, ConfirmAction::CohortSave, ConfirmAction::AutoPacing,
            ConfirmAction::Arm,              ConfirmAction::StagingPromote};
}

QString confirmActionKey(ConfirmAction action)
{
    switch (action) {
    case ConfirmAction::Promote: return u"promote"_s;
    case ConfirmAction::Rollback: return u"rollback"_s;
    case ConfirmAction::KillSwitch: return u"killSwitch"_s;
    case ConfirmAction::ProductionToggle: return u"productionToggle"_s;
    case ConfirmAction::CohortSave: return u"cohortSave"_s;
    case ConfirmAction::AutoPacing: return u"autoPacing"_s;
    case ConfirmAction::Arm: return u"arm"_s;
    case ConfirmAction::StagingPromote: return u"stagingPromote"_s;
    }
    return {};
}

std::optional<ConfirmAction> confirmActionFromKey(const QString &key)
{
    for (ConfirmAction a : allConfirmActions()) {
        if (confirmActionKey(a) == key)
            return a;
    }
    return std::nullopt;
}

QString confirmRequirementKey(ConfirmRequirement requirement)
{
    switch (requirement) {
    case ConfirmRequirement::None: return u"none"_s;
    case ConfirmRequirement::EnvironmentName: return u"environment"_s;
    case ConfirmRequirement::Word: return u"word"_s;
    }
    return {};
}

QList<ConfirmAction> typedConfirmationFloor()
{
    return {ConfirmAction::Rollback, ConfirmAction::KillSwitch, ConfirmAction::Arm};
}

Result<Confirmations> parseConfirmations(const json &section, const Confirmations &base)
{
    Confirmations table = base;
    const QString root = QString::fromLatin1(kSection);
    if (!section.is_null()) {
        if (!section.is_object())
            return tableError(root, u"must be an object: action → {\"require\": ...}"_s);
        for (auto it = section.begin(); it != section.end(); ++it) {
            const QString key = QString::fromStdString(it.key());
            const QString path = root + u'.' + key;
            const std::optional<ConfirmAction> action = confirmActionFromKey(key);
            if (!action)
                return tableError(path, u"unknown action (known: %1)"_s.arg(knownActions()));
            Result<ConfirmRule> rule = parseRule(it.value(), path);
            if (!rule)
                return rule.error();
            table.rules[*action] = rule.value();
        }
    }
    for (ConfirmAction a : allConfirmActions()) {
        if (table.rules.find(a) == table.rules.end())
            return tableError(root + u'.' + confirmActionKey(a), u"missing: every dangerous action needs a rule"_s);
    }
    for (ConfirmAction a : typedConfirmationFloor()) {
        if (!table.rule(a).typed())
            return tableError(root + u'.' + confirmActionKey(a) + u".require"_s,
                              a == ConfirmAction::Arm
                                  ? u"\"none\" loosens the playbook's floor: arming opens a read-only profile to every change and "
                                    u"needs a typed confirmation (ADR 0028); use \"environment\" or \"word\""_s
                                  : u"\"none\" loosens the playbook's floor: %1 stops harm in production and needs a typed confirmation "
                                    u"(§7.2, §0); use \"environment\" or \"word\""_s.arg(confirmActionKey(a)));
    }
    return table;
}

Result<Confirmations> confirmationsFromBundle(const Bundle &bundle)
{
    const bool builtin = bundle.source == QString::fromLatin1(BuiltinPath);
    Result<Confirmations> table = parseConfirmations(bundle.section(kSection), builtin ? Confirmations{} : builtinConfirmations());
    if (!table) {
        const Error &e = table.error();
        const QString field = e.fieldPath;
        QString what = e.message;
        if (what.startsWith(field + u": "_s))
            what = what.mid(field.size() + 2);
        return fieldError(bundle, field, what);
    }
    return table;
}

const Confirmations &builtinConfirmations()
{
    static const Confirmations table = [] {
        const Result<Confirmations> parsed = parseConfirmations(builtinBundle().section(kSection));
        // The built-in bundle is compiled in and checked by test_confirmation_policy; a broken one is a build defect.
        Q_ASSERT_X(parsed.ok(), "builtinConfirmations", qPrintable(parsed.error().message));
        return parsed ? parsed.value() : Confirmations{};
    }();
    return table;
}

Result<Confirmations> loadConfirmations(const QString &bundlePath)
{
    if (bundlePath.isEmpty())
        return builtinConfirmations();
    const Result<Bundle> bundle = loadBundleFile(bundlePath);
    if (!bundle)
        return bundle.error();
    return confirmationsFromBundle(bundle.value());
}

Status checkTypedConfirmation(ConfirmAction action, const ConfirmRule &rule, const QString &environment, const QString &answer)
{
    if (rule.accepts(environment, answer))
        return okStatus();
    const QString want = rule.expected(environment);
    const QString what = rule.requirement == ConfirmRequirement::EnvironmentName ? u"the environment's name"_s : u"the policy's word"_s;
    if (want.isEmpty())
        return Error::make(Error::Kind::Refused, u"policy"_s,
                           u"%1 needs %2 typed, but the environment is not known"_s.arg(confirmActionKey(action), what),
                           u"Set the profile's flag environment (Settings → Flags), then run it again."_s);
    const QString message = answer.isEmpty() ? u"%1 needs a typed confirmation: %2"_s.arg(confirmActionKey(action), what)
                                             : u"%1 was not confirmed: \"%2\" is not %3 (exact text, case and spaces count)"_s.arg(
                                                   confirmActionKey(action), answer, what);
    return Error::make(Error::Kind::Refused, u"policy"_s, message,
                       u"Review the plan, then add --confirm %1 (the policy's confirmations table asks for %2)."_s.arg(want, what));
}

} // namespace Raize::Policy
