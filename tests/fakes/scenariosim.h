#pragma once

// A scenario's platform in-process, on a fake clock: the sandbox's
// PlatformSim, VercelFake and GitHubFake built from a scenario file, the
// flags as Unleash would serve them (from the scenario's `flags`, without
// Unleash), and /metrics read as Prometheus would read it. Header only; for
// tests that check a story without starting the whole sandbox
// (test_slo_labels, test_story_scenarios).

#include "github/githubfake.h"
#include "http/faultinjector.h"
#include "http/httpserver.h"
#include "http/requestlog.h"
#include "platform/platformfault.h"
#include "platform/platformsim.h"
#include "vercel/vercelfake.h"

#include "core/jsonutil.h"

#include <QFile>
#include <QHash>
#include <QRegularExpression>
#include <QString>

#include <memory>

namespace RaizeTest {

using json = nlohmann::json;

inline json readScenario(const QString &name, QString *error = nullptr)
{
    QFile f(QStringLiteral(RAIZE_SOURCE_DIR "/tests/fakes/scenarios/") + name + QStringLiteral(".json"));
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = f.fileName() + QStringLiteral(": ") + f.errorString();
        return json();
    }
    QString err;
    json j = Raize::Json::parse(f.readAll(), &err);
    if (error && !err.isEmpty())
        *error = f.fileName() + QStringLiteral(": ") + err;
    return j;
}

// The scenario's `flags` in the shape of Unleash's client API (/api/client/features),
// with the scopes the seeder gives them (tests/fakes/platform/unleashseeder.cpp).
inline json clientFeatures(const json &flags, const QHash<QString, bool> &overrides = {})
{
    json features = json::array();
    for (const json &f : flags) {
        const std::string name = f.value("name", "");
        const json scope = f.value("scope", json{{"kind", "global"}});
        const std::string kind = scope.value("kind", "global");
        const std::string field = kind == "client" ? "clientId" : kind == "account" ? "platformAccount" : kind == "lane" ? "lane" : kind == "cohort" ? "cohort" : "";
        json constraints = json::array();
        if (!field.empty())
            constraints.push_back({{"contextName", field}, {"operator", "IN"}, {"values", scope.value("values", json::array())}});
        const QString qname = QString::fromStdString(name);
        const bool enabled = overrides.contains(qname) ? overrides.value(qname) : f.value("enabled", false);
        features.push_back({{"name", name}, {"enabled", enabled},
                            {"strategies", json::array({{{"name", "flexibleRollout"},
                                                         {"parameters", {{"rollout", "100"}, {"stickiness", "default"}, {"groupId", name}}},
                                                         {"constraints", constraints}}})}});
    }
    return {{"version", 2}, {"features", features}};
}

// One scraped sample: metric name, labels, value.
struct Sample
{
    QString name;
    QHash<QString, QString> labels;
    double value = 0;
};

inline QList<Sample> parseMetrics(const QByteArray &text)
{
    static const QRegularExpression line(QStringLiteral(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? ([-+0-9.eE]+|NaN|\+Inf)$)"));
    static const QRegularExpression label(QStringLiteral(R"re(([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)")re"));
    QList<Sample> out;
    for (const QByteArray &raw : text.split('\n')) {
        if (raw.isEmpty() || raw.startsWith('#'))
            continue;
        const QRegularExpressionMatch m = line.match(QString::fromUtf8(raw));
        if (!m.hasMatch())
            continue;
        Sample s;
        s.name = m.captured(1);
        s.value = m.captured(3).toDouble();
        auto it = label.globalMatch(m.captured(2));
        while (it.hasNext()) {
            const QRegularExpressionMatch l = it.next();
            s.labels.insert(l.captured(1), l.captured(2));
        }
        out.append(s);
    }
    return out;
}

// The sum of the samples a PromQL selector picks (`name{a="x",b=~"y|z"}`; = and =~ only).
inline double selectSum(const QList<Sample> &samples, const QString &selector, const QHash<QString, QString> &also = {})
{
    static const QRegularExpression sel(QStringLiteral(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?$)"));
    static const QRegularExpression matcher(QStringLiteral(R"re(([a-zA-Z_][a-zA-Z0-9_]*)(=~|=)"((?:[^"\\]|\\.)*)")re"));
    const QRegularExpressionMatch m = sel.match(selector.trimmed());
    if (!m.hasMatch())
        return qQNaN();
    QList<std::tuple<QString, bool, QString>> matchers;
    auto it = matcher.globalMatch(m.captured(2));
    while (it.hasNext()) {
        const QRegularExpressionMatch l = it.next();
        matchers.append({l.captured(1), l.captured(2) == QStringLiteral("=~"), l.captured(3)});
    }
    for (auto a = also.cbegin(); a != also.cend(); ++a)
        matchers.append({a.key(), false, a.value()});
    double sum = 0;
    for (const Sample &s : samples) {
        if (s.name != m.captured(1))
            continue;
        bool ok = true;
        for (const auto &[name, regex, value] : matchers) {
            const QString v = s.labels.value(name);
            ok = ok && (regex ? QRegularExpression(QRegularExpression::anchoredPattern(value)).match(v).hasMatch() : v == value);
        }
        if (ok)
            sum += s.value;
    }
    return sum;
}

// The platform of a scenario on a fake clock.
class ScenarioSim
{
public:
    explicit ScenarioSim(const json &scenario, double startSeconds)
        : m_scenario(scenario)
        , m_vercelServer(QStringLiteral("vercel"), &m_faults, &m_log)
        , m_githubServer(QStringLiteral("github"), &m_faults, &m_log)
        , m_platformServer(QStringLiteral("platform"), &m_faults, &m_log)
        , m_vercel(&m_vercelServer, QStringLiteral("vt"))
        , m_github(&m_githubServer, QStringLiteral("gt"))
    {
        m_vercel.load(scenario.value("vercel", json::object()));
        m_github.load(scenario.value("github", json::object()));
        m_sim = std::make_unique<Raize::Sandbox::PlatformSim>(&m_platformServer, &m_vercel, scenario.value("platform", json::object()));
        setFlags({});
        m_sim->start(startSeconds, false);
        m_now = startSeconds;
    }

    // Flags as the scenario seeds them, with some turned on or off (the admin API's on/off).
    bool setFlags(const QHash<QString, bool> &overrides)
    {
        return m_sim->setFlags(clientFeatures(m_scenario.value("flags", json::array()), overrides));
    }
    // Moves the fake clock on, ticking as the sandbox's timer does.
    void advance(double seconds)
    {
        const double end = m_now + seconds;
        while (m_now < end) {
            m_now = std::min(end, m_now + 1.0);
            m_sim->tick(m_now);
        }
    }
    QList<Sample> scrape() const { return parseMetrics(m_sim->metricsText(m_now)); }
    double now() const { return m_now; }
    Raize::Sandbox::PlatformSim &platform() { return *m_sim; }
    Raize::Sandbox::VercelFake &vercel() { return m_vercel; }
    Raize::Sandbox::HttpServer &githubServer() { return m_githubServer; }
    Raize::Sandbox::GitHubFake &github() { return m_github; }
    const json &scenario() const { return m_scenario; }
    Raize::Sandbox::HttpServer &vercelServer() { return m_vercelServer; }
    Raize::Sandbox::FaultInjector &faults() { return m_faults; }

private:
    json m_scenario;
    Raize::Sandbox::FaultInjector m_faults{1};
    Raize::Sandbox::RequestLog m_log;
    Raize::Sandbox::HttpServer m_vercelServer, m_githubServer, m_platformServer;
    Raize::Sandbox::VercelFake m_vercel;
    Raize::Sandbox::GitHubFake m_github;
    std::unique_ptr<Raize::Sandbox::PlatformSim> m_sim;
    double m_now = 0;
};

} // namespace RaizeTest
