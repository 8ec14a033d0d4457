#pragma once

#include <QLoggingCategory>
#include <QString>

// One logging category per subsystem (STYLE.md §2). Enable with e.g.
// QT_LOGGING_RULES="raize.net.debug=true".
Q_DECLARE_LOGGING_CATEGORY(lcApp)
Q_DECLARE_LOGGING_CATEGORY(lcSettings)
Q_DECLARE_LOGGING_CATEGORY(lcKeychain)
Q_DECLARE_LOGGING_CATEGORY(lcNet)
Q_DECLARE_LOGGING_CATEGORY(lcVercel)
Q_DECLARE_LOGGING_CATEGORY(lcGitHub)
Q_DECLARE_LOGGING_CATEGORY(lcFlags)
Q_DECLARE_LOGGING_CATEGORY(lcMetrics)
Q_DECLARE_LOGGING_CATEGORY(lcGates)
Q_DECLARE_LOGGING_CATEGORY(lcCanary)
Q_DECLARE_LOGGING_CATEGORY(lcRollback)
Q_DECLARE_LOGGING_CATEGORY(lcRecords)
Q_DECLARE_LOGGING_CATEGORY(lcAudit)
Q_DECLARE_LOGGING_CATEGORY(lcCli)
Q_DECLARE_LOGGING_CATEGORY(lcUi)
Q_DECLARE_LOGGING_CATEGORY(lcSandbox)

namespace Raize::Logging {

// Installs the process-wide message handler: every message goes through
// Redactor before it reaches stderr or the log file. Call once, first thing
// in main(). logFile may be empty (stderr only).
void install(const QString &logFile = {});

// The file the handler appends to, or empty.
QString logFilePath();

} // namespace Raize::Logging
