#include "core/logging.h"

#include "core/redactor.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMutex>

#include <cstdio>

Q_LOGGING_CATEGORY(lcApp, "raize.app", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSettings, "raize.settings", QtInfoMsg)
Q_LOGGING_CATEGORY(lcKeychain, "raize.keychain", QtInfoMsg)
Q_LOGGING_CATEGORY(lcNet, "raize.net", QtInfoMsg)
Q_LOGGING_CATEGORY(lcVercel, "raize.vercel", QtInfoMsg)
Q_LOGGING_CATEGORY(lcGitHub, "raize.github", QtInfoMsg)
Q_LOGGING_CATEGORY(lcFlags, "raize.flags", QtInfoMsg)
Q_LOGGING_CATEGORY(lcMetrics, "raize.metrics", QtInfoMsg)
Q_LOGGING_CATEGORY(lcGates, "raize.gates", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCanary, "raize.canary", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRollback, "raize.rollback", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRecords, "raize.records", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAudit, "raize.audit", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCli, "raize.cli", QtInfoMsg)
Q_LOGGING_CATEGORY(lcUi, "raize.ui", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSandbox, "raize.sandbox", QtInfoMsg)

namespace Raize::Logging {

namespace {

QMutex g_mutex;
QFile *g_file = nullptr;
QString g_path;

const char *levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg: return "debug";
    case QtInfoMsg: return "info";
    case QtWarningMsg: return "warning";
    case QtCriticalMsg: return "critical";
    case QtFatalMsg: return "fatal";
    }
    return "?";
}

void handler(QtMsgType type, const QMessageLogContext &ctx, const QString &msg)
{
    const QString line = QStringLiteral("%1 %2 %3: %4\n")
                             .arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs),
                                  QString::fromLatin1(levelName(type)),
                                  QString::fromLatin1(ctx.category ? ctx.category : "default"),
                                  Redactor::redact(msg));
    const QByteArray bytes = line.toUtf8();
    QMutexLocker lock(&g_mutex);
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    std::fflush(stderr);
    if (g_file) {
        g_file->write(bytes);
        g_file->flush();
    }
}

} // namespace

void install(const QString &logFile)
{
    QMutexLocker lock(&g_mutex);
    if (!logFile.isEmpty() && !g_file) {
        QDir().mkpath(QFileInfo(logFile).absolutePath());
        auto *f = new QFile(logFile);
        if (f->open(QIODevice::Append | QIODevice::Text)) {
            f->setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
            g_file = f;
            g_path = logFile;
        } else {
            delete f;
        }
    }
    qInstallMessageHandler(handler);
}

QString logFilePath()
{
    QMutexLocker lock(&g_mutex);
    return g_path;
}

} // namespace Raize::Logging
