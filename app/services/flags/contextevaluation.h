#pragma once

// "What does the flag service serve these contexts?" asked of the service's
// own evaluator (issue #16 item 2): Unleash's playground, LaunchDarkly's
// evaluate-for-context. The blast radius of a rollback is built on these
// answers, and the rollback asks again after execution to check them.

#include <QHash>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <nlohmann/json.hpp>

#include <optional>

namespace Raize::Services {

// A context as the service receives it: field name → value ("clientId",
// "platformAccount", "lane", "cohort"). A field not present is unset.
using ContextFields = QHash<QString, QString>;

// Every combination of the listed values of each field: Unleash's advanced
// playground takes exactly this shape (one call for all of them);
// LaunchDarkly is asked once per combination.
struct ContextGrid
{
    QList<QPair<QString, QStringList>> fields; // in this order; a field with no values is left out

    qsizetype size() const;           // how many contexts: the product of the value counts (0 when empty)
    QList<ContextFields> expand() const; // the contexts, the last field varying fastest
    bool operator==(const ContextGrid &) const = default;
};

struct EvaluationQuery
{
    QString environment; // empty: the service's default environment
    QStringList flags;   // the flags whose answers are kept (the service evaluates every flag)
    QList<ContextGrid> grids;

    qsizetype contexts() const;
    bool operator==(const EvaluationQuery &) const = default;
    nlohmann::json toJson() const;
    static std::optional<EvaluationQuery> fromJson(const nlohmann::json &j);
};

// The service's answer for one context.
struct ContextAnswer
{
    ContextFields context;
    QHash<QString, bool> enabled; // per flag of the query; a flag the service does not list is off

    bool on(const QString &flag) const { return enabled.value(flag, false); }
};

// "cohort=house lane=api platformAccount=acct-x": the fields sorted by name,
// to match an answer with the context it answers.
QString contextKey(const ContextFields &context);

} // namespace Raize::Services
