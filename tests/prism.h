#pragma once

// Prism (the contract tests' OpenAPI validator and mock) for Qt tests: one
// process on a free loopback port, its log, and the body validator for the
// schemas Prism skips (tests/contract/README.md). Installed by
// tools/sandbox/install-deps.sh into .cache/node/prism.

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryFile>
#include <QTest>
#include <QUrl>

namespace RaizeTest {

inline QString prismModules() { return QStringLiteral(RAIZE_SOURCE_DIR "/.cache/node/prism/node_modules"); }
inline QString contractSpec(const QString &name) { return QStringLiteral(RAIZE_SOURCE_DIR "/tests/contract/specs/") + name; }

inline quint16 freeLoopbackPort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

class Prism
{
public:
    static bool installed() { return QFile::exists(prismModules() + QStringLiteral("/.bin/prism")); }

    // `prism proxy [--errors] SPEC UPSTREAM`: validates both directions.
    bool startProxy(const QString &spec, const QString &upstream, bool errors, QString *error)
    {
        QStringList args{QStringLiteral("proxy")};
        if (errors)
            args << QStringLiteral("--errors");
        return start(args << spec << upstream, error);
    }
    // `prism mock SPEC`: answers from the description's examples.
    bool startMock(const QString &spec, QString *error) { return start({QStringLiteral("mock"), spec}, error); }

    // What Prism printed since the last call (it names each violation), after
    // letting it settle for `settleMs`: it logs its verdict just after answering.
    QString drainLog(int settleMs = 0)
    {
        if (settleMs > 0)
            QTest::qWait(settleMs);
        m_log += QString::fromUtf8(m_proc.readAll());
        return std::exchange(m_log, QString());
    }
    // The violation lines of drainLog().
    QStringList drainViolations(int settleMs)
    {
        QStringList out;
        for (const QString &line : drainLog(settleMs).split(QLatin1Char('\n'))) {
            const qsizetype at = line.indexOf(QStringLiteral("Violation:"));
            if (at >= 0)
                out << line.mid(at);
        }
        return out;
    }

    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port)); }
    quint16 port() const { return m_port; }
    qint64 pid() const { return m_proc.processId(); }

    void stop()
    {
        if (m_proc.state() == QProcess::NotRunning)
            return;
        m_proc.terminate();
        if (!m_proc.waitForFinished(5000)) {
            m_proc.kill();
            m_proc.waitForFinished(5000);
        }
    }
    ~Prism() { stop(); }

private:
    bool start(const QStringList &modeArgs, QString *error)
    {
        m_port = freeLoopbackPort();
        QStringList args{modeArgs.first(), QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(m_port)};
        args << modeArgs.mid(1);
        m_proc.setProgram(prismModules() + QStringLiteral("/.bin/prism"));
        m_proc.setArguments(args);
        m_proc.setProcessChannelMode(QProcess::MergedChannels);
        m_proc.start();
        if (!m_proc.waitForStarted(10000)) {
            *error = QStringLiteral("prism did not start: ") + m_proc.errorString();
            return false;
        }
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < 60000) {
            m_proc.waitForReadyRead(500);
            m_log += QString::fromUtf8(m_proc.readAll());
            if (m_log.contains(QStringLiteral("Prism is listening")))
                return true;
            if (m_proc.state() == QProcess::NotRunning)
                break;
        }
        *error = QStringLiteral("prism %1 did not become ready:\n").arg(modeArgs.first()) + m_log.right(2000);
        return false;
    }

    QProcess m_proc;
    QString m_log;
    quint16 m_port = 0;
};

// Runs tests/contract/validate_bodies.cjs on `casesJson` (a JSON array of
// cases); returns its exit code and output.
inline QPair<int, QString> validateBodies(const QString &spec, const QByteArray &casesJson)
{
    QTemporaryFile cases;
    if (!cases.open())
        return {-1, QStringLiteral("cannot write the cases file")};
    cases.write(casesJson);
    cases.flush();
    QProcess node;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("NODE_PATH"), prismModules());
    node.setProcessEnvironment(env);
    node.setProcessChannelMode(QProcess::MergedChannels);
    node.start(QStringLiteral("node"), {QStringLiteral(RAIZE_SOURCE_DIR "/tests/contract/validate_bodies.cjs"), spec, cases.fileName()});
    node.waitForFinished(60000);
    return {node.exitCode(), QString::fromUtf8(node.readAll())};
}

} // namespace RaizeTest
