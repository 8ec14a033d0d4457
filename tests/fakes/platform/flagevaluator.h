#pragma once

#include <QHash>
#include <QString>

#include <nlohmann/json.hpp>

namespace Raize::Sandbox {

// What an Unleash SDK evaluates a flag against.
struct FlagContext
{
    QString clientId;
    QString platformAccount;
    QString lane;   // api | browser
    QString cohort; // house | lowrisk | broad

    QString value(const QString &field) const;
};

// Evaluates the features served by Unleash's client API
// (/api/client/features) the way the SDKs do for the strategies the platform
// uses: "default" and "flexibleRollout" with constraints (IN, NOT_IN,
// STR_CONTAINS) and a rollout percentage, and flag dependencies as the client
// specification says: a child is on only when each parent is as it needs it
// (on, or off for enabled=false). Pure: no network.
class FlagEvaluator
{
public:
    // Replaces the feature set with a client API response; false (and the
    // old set kept) when the body is not the expected shape.
    bool load(const nlohmann::json &clientFeatures);
    bool isEnabled(const QString &feature, const FlagContext &context) const;
    // Any feature whose name starts with prefix is on for the context.
    bool anyEnabled(const QString &prefix, const FlagContext &context) const;
    int featureCount() const { return int(m_features.size()); }

private:
    struct Constraint
    {
        QString contextName, op;
        QStringList values;
        bool inverted = false;
    };
    struct Strategy
    {
        QString name;
        int rollout = 100;
        QString groupId;
        QList<Constraint> constraints;
    };
    struct Dependency
    {
        QString feature;
        bool enabled = true;
    };
    struct Feature
    {
        bool enabled = false;
        QList<Strategy> strategies;
        QList<Dependency> dependencies;
    };
    bool isEnabled(const QString &feature, const FlagContext &context, int depth) const;
    static bool matches(const Strategy &s, const FlagContext &c, const QString &feature);
    QHash<QString, Feature> m_features;
};

} // namespace Raize::Sandbox
