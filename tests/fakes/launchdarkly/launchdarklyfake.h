#pragma once

#include <QMap>
#include <QObject>
#include <QString>

#include <nlohmann/json.hpp>

namespace Raize::Sandbox {

class HttpServer;

// A stateful simulation of the LaunchDarkly REST API v2 endpoints the
// console's LaunchDarklyClient uses (shared/api-specs/ENDPOINTS.md): list
// flags, get a flag, and PATCH it — as a JSON Patch (`replace
// /environments/{env}/on`) or as a semantic patch (`Content-Type:
// application/json; domain-model=launchdarkly.semanticpatch`, the
// instructions in semantic-patch.schema.json). Prism's mock of the official
// description has no state and rejects semantic patches, so the sandbox runs
// this fake behind Prism's validating proxy instead (docs/contracts.md).
//
// Model: boolean flags with variations [true ("var-on"), false ("var-off")],
// one rule per scoped flag (`attribute in [values]` serving true) and a
// fallthrough; answers in the description's shapes ({code, message} errors).
class LaunchDarklyFake : public QObject
{
    Q_OBJECT

public:
    LaunchDarklyFake(HttpServer *server, QString token, QString project = QStringLiteral("default"), QObject *parent = nullptr);

    // The scenario's "flags" part (the one seeded into Unleash): [{"name","type","enabled",
    // "scope":{"kind":"global|client|account|lane|cohort","values":[...]},"description"}], in "production".
    void load(const nlohmann::json &flags);

    // {"project", "flags": {key: {"on": bool, "version": n, "rules": n}}}
    nlohmann::json state() const;
    // The instruction kinds a semantic patch may carry here (the schema's enum).
    static QStringList instructionKinds();
    // Empty when `body` is a semantic patch this fake applies; else what is wrong (a 400's message).
    static QString checkSemanticPatch(const nlohmann::json &body);

private:
    void routes();
    nlohmann::json flagFor(const nlohmann::json &flag, const QString &env) const;
    QString applySemanticPatch(nlohmann::json &flag, const nlohmann::json &body);
    QString applyJsonPatch(nlohmann::json &flag, const nlohmann::json &body);

    HttpServer *m_server;
    QString m_token;
    QString m_project;
    QMap<QString, nlohmann::json> m_flags; // key → the flag as LaunchDarkly stores it (every environment)
};

} // namespace Raize::Sandbox
