// Seeded mutation test of every response parser (issue #6): 10,000 mutations
// of recorded real-shaped bodies (tests/data/bodies, recorded from the
// sandbox's fakes) go through each parser. Every answer must be a value or a
// typed Parse error that names the service; nothing may throw, crash or leak.
// Run under the asan-ubsan preset as well (docs/HACKING.md).

#include "net/jsonreader.h"
#include "net/serviceerror.h"
#include "services/flags/unleashclient.h"
#include "services/github/githubclient.h"
#include "services/launchdarkly/launchdarklyclient.h"
#include "services/prometheus/prometheusclient.h"
#include "services/vercel/vercelclient.h"

#include "core/jsonutil.h"

#include <QDir>
#include <QFile>
#include <QTest>

#include <random>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Services;
using json = nlohmann::json;

namespace {

struct Outcome
{
    bool ok = false;
    Error error;
};

template<typename T>
Outcome outcome(const Result<T> &r)
{
    return r ? Outcome{true, {}} : Outcome{false, r.error()};
}

struct Parser
{
    QString name;
    QString service;
    std::function<Outcome(const QByteArray &)> parse;
};

QList<Parser> parsers()
{
    return {
        {u"vercel project"_s, u"vercel"_s, [](const QByteArray &b) { return outcome(VercelClient::parseProject(b)); }},
        {u"vercel deployments"_s, u"vercel"_s, [](const QByteArray &b) {
             std::optional<qint64> next;
             return outcome(VercelClient::parseDeployments(b, &next));
         }},
        {u"vercel deployment"_s, u"vercel"_s, [](const QByteArray &b) { return outcome(VercelClient::parseDeployment(b)); }},
        {u"vercel check"_s, u"vercel"_s, [](const QByteArray &b) { return outcome(VercelClient::parseCheck(b)); }},
        {u"github release"_s, u"github"_s, [](const QByteArray &b) { return outcome(GitHubClient::parseRelease(b)); }},
        {u"prometheus"_s, u"prometheus"_s, [](const QByteArray &b) { return outcome(PrometheusClient::parse(b)); }},
        {u"github compare"_s, u"github"_s, [](const QByteArray &b) { return outcome(GitHubClient::parseComparison(b)); }},
        {u"github content"_s, u"github"_s, [](const QByteArray &b) { return outcome(GitHubClient::parseContent(b, u"migrations/x.sql"_s)); }},
        {u"github pulls"_s, u"github"_s, [](const QByteArray &b) { return outcome(GitHubClient::parsePullRequests(b)); }},
        {u"github deployments"_s, u"github"_s, [](const QByteArray &b) { return outcome(GitHubClient::parseDeployments(b)); }},
        {u"unleash features"_s, u"flags"_s, [](const QByteArray &b) { return outcome(UnleashClient::parseFeatures(b, u"default"_s, u"production"_s)); }},
        {u"unleash feature"_s, u"flags"_s, [](const QByteArray &b) { return outcome(UnleashClient::parseFeature(b, u"production"_s)); }},
        {u"unleash environment"_s, u"flags"_s, [](const QByteArray &b) { return outcome(UnleashClient::parseFeatureEnvironment(b)); }},
        {u"unleash strategy"_s, u"flags"_s, [](const QByteArray &b) { return outcome(UnleashClient::parseStrategy(b)); }},
        {u"unleash client features"_s, u"flags"_s, [](const QByteArray &b) {
             const auto set = UnleashClient::parseClientFeatures(b);
             if (set) {
                 // Whatever parsed must also evaluate (cycles, odd weights, unknown operators).
                 FlagContext ctx;
                 ctx.userId = u"u1"_s;
                 ctx.clientId = u"client-bloom"_s;
                 for (const FlagState &f : set->features) {
                     const FlagEvaluation e = UnleashClient::evaluate(f.key, set.value(), ctx);
                     if (FlagEvaluation::verdictName(e.verdict).isEmpty())
                         return Outcome{false, Error::make(Error::Kind::Parse, u"flags"_s, u"no verdict"_s, u"-"_s)};
                 }
             }
             return outcome(set);
         }},
        {u"launchdarkly flag"_s, u"launchdarkly"_s, [](const QByteArray &b) { return outcome(LaunchDarklyClient::parseFlag(b, u"raize"_s, u"production"_s)); }},
        {u"launchdarkly flags"_s, u"launchdarkly"_s, [](const QByteArray &b) { return outcome(LaunchDarklyClient::parseFlags(b, u"raize"_s, u"production"_s)); }},
    };
}

// One seeded mutation of a body: bytes or structure.
QByteArray mutate(const QByteArray &body, std::mt19937 &rng)
{
    auto pick = [&](int n) { return int(std::uniform_int_distribution<int>(0, qMax(0, n - 1))(rng)); };
    QByteArray b = body;
    switch (pick(10)) {
    case 0: // flip bits in a few bytes
        for (int i = 0, n = 1 + pick(4); i < n && !b.isEmpty(); ++i)
            b[pick(int(b.size()))] = char(b[pick(int(b.size()))] ^ char(1 << pick(8)));
        return b;
    case 1: // truncate
        return b.left(pick(int(b.size())));
    case 2: { // delete a range
        const int at = pick(int(b.size()));
        return b.remove(at, pick(64));
    }
    case 3: { // insert structural characters
        static const char chars[] = "{}[]\",:\\0-.eE\x00\xff";
        for (int i = 0, n = 1 + pick(6); i < n; ++i)
            b.insert(pick(int(b.size()) + 1), chars[pick(int(sizeof chars) - 1)]);
        return b;
    }
    case 4: { // duplicate a range
        const int at = pick(int(b.size()));
        return b.insert(at, b.mid(at, pick(200)));
    }
    case 5: // very deep nesting
        return QByteArray(10000 + pick(90000), '[') + b;
    default: { // structural: replace or drop a random node of the parsed body
        json j = Json::parse(b);
        if (j.is_discarded())
            return b;
        std::vector<json *> nodes;
        std::vector<json *> todo{&j};
        while (!todo.empty()) {
            json *n = todo.back();
            todo.pop_back();
            nodes.push_back(n);
            if (n->is_structured()) {
                for (auto &child : *n)
                    todo.push_back(&child);
            }
        }
        json *target = nodes[size_t(pick(int(nodes.size())))];
        static const json replacements[] = {nullptr, true, 0, -1, 1e308, -0.0, "", "x", json::array(), json::object(),
                                            json::array({1, "a", nullptr}), std::string(5000, 'z'), 9007199254740993.0,
                                            json::object({{"unexpected", json::array()}})};
        if (pick(3) == 0 && target->is_object() && !target->empty()) {
            target->erase(target->begin()); // drop a key
        } else {
            *target = replacements[pick(int(std::size(replacements)))];
        }
        return Json::dump(j);
    }
    }
}

} // namespace

class TestParserMutation : public QObject
{
    Q_OBJECT

    QList<QByteArray> m_bodies;

private Q_SLOTS:
    void initTestCase()
    {
        QDir dir(QStringLiteral(RAIZE_TEST_DATA_DIR) + u"/bodies"_s);
        for (const QString &f : dir.entryList({u"*.json"_s}, QDir::Files, QDir::Name)) {
            QFile file(dir.filePath(f));
            QVERIFY(file.open(QIODevice::ReadOnly));
            m_bodies << file.readAll();
        }
        QFile ld(QStringLiteral(RAIZE_TEST_DATA_DIR) + u"/launchdarkly/flag-scheduler.json"_s);
        QVERIFY(ld.open(QIODevice::ReadOnly));
        m_bodies << ld.readAll();
        QVERIFY2(m_bodies.size() >= 12, "the recorded bodies are missing");
    }

    // The recorded bodies themselves parse (control: the mutations start from valid answers).
    void recordedBodiesParse()
    {
        int parsed = 0;
        for (const Parser &p : parsers()) {
            for (const QByteArray &b : std::as_const(m_bodies))
                parsed += p.parse(b).ok ? 1 : 0;
        }
        QVERIFY2(parsed >= 6, qPrintable(QString::number(parsed)));
    }

    void tenThousandMutations()
    {
        std::mt19937 rng(20261125);
        const QList<Parser> all = parsers();
        int values = 0, errors = 0;
        for (int i = 0; i < 10000; ++i) {
            const QByteArray &seed = m_bodies[int(rng() % quint32(m_bodies.size()))];
            const QByteArray body = mutate(seed, rng);
            for (const Parser &p : all) {
                Outcome o;
                try {
                    o = p.parse(body);
                } catch (const std::exception &e) {
                    QFAIL(qPrintable(u"mutation %1: %2 threw %3"_s.arg(i).arg(p.name, QString::fromUtf8(e.what()))));
                }
                if (o.ok) {
                    ++values;
                    continue;
                }
                ++errors;
                // Parse, or the typed "not there" a parser gives for a well-formed body without the asked-for part.
                QVERIFY2(o.error.kind == Error::Kind::Parse || o.error.kind == Error::Kind::Config, qPrintable(u"mutation %1, %2: %3"_s.arg(i).arg(p.name, o.error.toString())));
                QVERIFY2(o.error.service == p.service, qPrintable(p.name + u": "_s + o.error.service));
                QVERIFY2(!o.error.message.isEmpty() && !o.error.remedy.isEmpty(), qPrintable(p.name));
            }
            // Error bodies of every service, mutated the same way.
            for (Service s : allServices()) {
                const Error e = Net::errorFromResponse(s, 400 + int(rng() % 200), body, {}, {});
                QVERIFY(e.isError());
                QVERIFY(!e.message.isEmpty());
            }
        }
        qInfo("10,000 mutations × %lld parsers: %d values, %d typed errors", qint64(all.size()), values, errors);
        QVERIFY(errors > values); // most mutations break a body; the parsers noticed
    }
};

QTEST_GUILESS_MAIN(TestParserMutation)
#include "tst_parser_mutation.moc"
