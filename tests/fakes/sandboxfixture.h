#pragma once

// Starts the whole release sandbox (tools/sandbox/sandbox.sh) for a test and
// stops it again, also when the test fails. 127.0.0.1 only.

#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QUrl>

#include <memory>

namespace RaizeTest {

class SandboxFixture
{
public:
    SandboxFixture() = default;
    ~SandboxFixture();
    SandboxFixture(const SandboxFixture &) = delete;
    SandboxFixture &operator=(const SandboxFixture &) = delete;

    // Empty on success, else what went wrong with the tail of the sandbox's output.
    QString start(const QString &scenario, int timeoutMs = 120000);
    // Stops it and waits until every process it started is gone.
    void stop();

    bool running() const;
    QJsonObject ready() const { return m_ready; }
    QString url(const QString &service) const;
    QString token(const QString &name) const;
    QList<qint64> pids() const;
    QString stateDir() const;
    double healthySeconds() const;

private:
    std::unique_ptr<QProcess> m_process;
    QJsonObject m_ready;
    QByteArray m_output;
};

// A blocking HTTP call for tests (loopback only).
struct HttpAnswer
{
    int status = 0;
    QByteArray body;
    QString error;
};
HttpAnswer httpCall(const QByteArray &method, const QUrl &url, const QByteArray &authorization = {}, const QByteArray &body = {},
                    int timeoutMs = 15000);

} // namespace RaizeTest
