#include "sandboxfixture.h"

#include <QCoreApplication>
#include <QDir>
#include <QLockFile>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QThread>
#include <QTimer>

#include <csignal>

namespace RaizeTest {

using namespace Qt::StringLiterals;

SandboxFixture::~SandboxFixture()
{
    stop();
}

QString SandboxFixture::start(const QString &scenario, int timeoutMs)
{
    // Sandboxes start one at a time on this machine (ctest runs tests side by
    // side): two starts at once on two cores (PostgreSQL's initdb, Unleash's
    // migrations, the metrics backfill) made a start miss its deadlines.
    // Once started, sandboxes run side by side. The lock is the build
    // folder's: a test's wait counts toward its own time limit, so another
    // checkout's suite (a second worktree) must not make it wait.
    QElapsedTimer waited;
    waited.start();
    QLockFile startLock(QStringLiteral(RAIZE_BINARY_DIR) + u"/sandbox-start.lock"_s);
    startLock.setStaleLockTime(300000); // a dead holder's lock is stale at once (QLockFile checks the pid)
    if (!startLock.tryLock(timeoutMs))
        return u"another sandbox start held %1 for %2 s"_s.arg(startLock.fileName()).arg(waited.elapsed() / 1000);
    if (waited.elapsed() > 1000)
        qInfo("waited %.1f s for another sandbox to start first", waited.elapsed() / 1000.0);
    // A fixture started again reads only the new start's output (the old READY line would answer at once).
    m_output.clear();
    m_ready = {};
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::MergedChannels);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"RAIZE_SANDBOX_BUILD_DIR"_s, QStringLiteral(RAIZE_BINARY_DIR));
    m_process->setProcessEnvironment(env);
    m_process->start(QStringLiteral(RAIZE_SOURCE_DIR) + u"/tools/sandbox/sandbox.sh"_s,
                     {u"run"_s, u"--scenario"_s, scenario, u"--parent-pid"_s, QString::number(QCoreApplication::applicationPid())});
    if (!m_process->waitForStarted(10000))
        return u"cannot start tools/sandbox/sandbox.sh: "_s + m_process->errorString();
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        if (!m_process->waitForReadyRead(500) && m_process->state() == QProcess::NotRunning)
            break;
        m_output += m_process->readAll();
        const qsizetype at = m_output.indexOf("READY {");
        if (at >= 0) {
            const qsizetype end = m_output.indexOf('\n', at);
            if (end > at) {
                m_ready = QJsonDocument::fromJson(m_output.mid(at + 6, end - at - 6)).object();
                return m_ready.isEmpty() ? u"unreadable READY line"_s : QString();
            }
        }
    }
    stop();
    // The script's own verdict ("[sandbox] ERROR: ...") first: the log tails it prints can push it out of the tail.
    QString verdict;
    for (const QByteArray &line : m_output.split('\n')) {
        if ((line.startsWith("[sandbox]") && line.contains(" ERROR: ")) || line.contains("did not answer") || line.contains("exited before")
            || line.startsWith("[sandbox]   | "))
            verdict += QString::fromUtf8(line) + u'\n';
    }
    return u"the sandbox did not become ready after %1 s:\n"_s.arg(t.elapsed() / 1000.0, 0, 'f', 1) + verdict + u"--- last output:\n"_s
           + QString::fromUtf8(m_output.right(3000));
}

void SandboxFixture::stop()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate(); // SIGTERM: the script stops everything it started
        // Instrumented services exit slowly (LeakSanitizer scans the heap at exit): killing the script
        // mid-cleanup would leave what it had not stopped yet running (RAIZE_TEST_TIME_SCALE, ×4 under ASan).
        const int scale = qMax(1, qEnvironmentVariableIntValue("RAIZE_TEST_TIME_SCALE"));
        if (!m_process->waitForFinished(30000 * scale)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }
    m_output += m_process->readAll();
    m_process.reset();
}

bool SandboxFixture::running() const
{
    return m_process && m_process->state() == QProcess::Running;
}

QString SandboxFixture::url(const QString &service) const
{
    return m_ready.value(u"urls"_s).toObject().value(service).toString();
}

QString SandboxFixture::token(const QString &name) const
{
    return m_ready.value(u"tokens"_s).toObject().value(name).toString();
}

QList<qint64> SandboxFixture::pids() const
{
    QList<qint64> out;
    for (const QJsonValue &v : m_ready.value(u"pids"_s).toArray())
        out << qint64(v.toDouble());
    return out;
}

QString SandboxFixture::stateDir() const
{
    return m_ready.value(u"stateDir"_s).toString();
}

double SandboxFixture::healthySeconds() const
{
    return m_ready.value(u"healthySeconds"_s).toDouble();
}

HttpAnswer httpCall(const QByteArray &method, const QUrl &url, const QByteArray &authorization, const QByteArray &body, int timeoutMs)
{
    QNetworkAccessManager nam;
    QNetworkRequest req(url);
    req.setTransferTimeout(timeoutMs);
    if (!authorization.isEmpty())
        req.setRawHeader("Authorization", authorization);
    if (!body.isEmpty())
        req.setRawHeader("Content-Type", "application/json");
    QNetworkReply *reply = nam.sendCustomRequest(req, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    HttpAnswer a;
    a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    a.body = reply->readAll();
    if (reply->error() != QNetworkReply::NoError && a.status == 0)
        a.error = reply->errorString();
    reply->deleteLater();
    return a;
}

} // namespace RaizeTest
