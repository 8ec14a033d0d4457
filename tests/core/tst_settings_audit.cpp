// Settings changes audited (issue #17 item 6): SettingsAudit records one
// "settings.change" with before and after of the keys that change, before
// anything is stored (no record, no change); a secret-looking value is
// redacted in the record; changing audit/logPath carries the chain on (the
// new log's first record names the old log's head) and the workspace appends
// to the new log from its next open. The CLI's path is in test_cli_settings,
// the dialog's in test_token_leak.

#include "core/servicemonitor.h"
#include "core/settings.h"
#include "core/tokenstore.h"
#include "records/auditexport.h"
#include "records/auditlog.h"
#include "records/auditverifier.h"
#include "records/settingsaudit.h"
#include "workspace/workspace.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Records;
using json = nlohmann::json;

namespace {

QList<AuditRecord> records(const QString &path)
{
    QString error;
    return AuditExport::readAll(path, &error);
}

} // namespace

class TestSettingsAudit : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_log;
    std::unique_ptr<Settings> m_settings;

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        for (const QString &f : QDir(m_dir.path()).entryList(QDir::Files | QDir::Hidden))
            QFile::remove(m_dir.filePath(f));
        m_settings = std::make_unique<Settings>(u"audited"_s, m_dir.path());
        m_log = m_dir.filePath(u"audit.jsonl"_s);
        // Where the log is, set as a precondition (not through the audited path).
        m_settings->setValue(SettingKey::AuditLogPath, m_log);
        QVERIFY(m_settings->sync().ok());
    }

    void recordsBeforeAndAfter_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QVariant>("preset");   // stored before (invalid: the default)
        QTest::addColumn<QVariant>("value");    // the change (invalid: reset)
        QTest::addColumn<QString>("before");    // the record's before, as JSON (empty: no record)
        QTest::addColumn<QString>("after");
        QTest::newRow("a string") << u"github/owner"_s << QVariant() << QVariant(u"raize"_s) << uR"({"github/owner":""})"_s
                                  << uR"({"github/owner":"raize"})"_s;
        QTest::newRow("a number") << u"net/timeoutMs"_s << QVariant() << QVariant(2500) << uR"({"net/timeoutMs":15000})"_s
                                  << uR"({"net/timeoutMs":2500})"_s;
        QTest::newRow("a number given as text") << u"net/timeoutMs"_s << QVariant() << QVariant(u"2500"_s)
                                                << uR"({"net/timeoutMs":15000})"_s << uR"({"net/timeoutMs":2500})"_s;
        QTest::newRow("a boolean") << u"profile/sandbox"_s << QVariant() << QVariant(true) << uR"({"profile/sandbox":false})"_s
                                   << uR"({"profile/sandbox":true})"_s;
        QTest::newRow("reset to the default") << u"flags/environment"_s << QVariant(u"staging"_s) << QVariant()
                                              << uR"({"flags/environment":"staging"})"_s << uR"({"flags/environment":"production"})"_s;
        QTest::newRow("unchanged: no record") << u"github/owner"_s << QVariant(u"raize"_s) << QVariant(u"raize"_s) << QString() << QString();
        QTest::newRow("reset at the default: no record") << u"github/owner"_s << QVariant() << QVariant() << QString() << QString();
        // A URL with a token in it: the record keeps the change, never the token.
        QTest::newRow("a secret in a value is redacted")
            << u"github/apiUrl"_s << QVariant() << QVariant(u"https://x:ghp_0123456789abcdefghijABCDEFGHIJ@git.example/api"_s)
            << uR"({"github/apiUrl":"https://api.github.com"})"_s << uR"({"github/apiUrl":"https://x:[REDACTED]@git.example/api"})"_s;
    }
    void recordsBeforeAndAfter()
    {
        QFETCH(QString, key);
        QFETCH(QVariant, preset);
        QFETCH(QVariant, value);
        QFETCH(QString, before);
        QFETCH(QString, after);
        const SettingSpec *spec = nullptr;
        for (const SettingSpec &s : Settings::specs())
            spec = QLatin1StringView(s.name) == key ? &s : spec;
        QVERIFY(spec);
        if (preset.isValid()) {
            m_settings->setValue(spec->key, preset);
            QVERIFY(m_settings->sync().ok());
        }
        const auto done = SettingsAudit::apply(*m_settings, {{spec->key, value}}, u"oncall-lead"_s, u"a test"_s);
        QVERIFY2(done, qPrintable(done.error().toString()));
        const QList<AuditRecord> got = records(m_log);
        if (before.isEmpty()) {
            QVERIFY(done->changed.isEmpty());
            QVERIFY(got.isEmpty());
            return;
        }
        QCOMPARE(done->changed, QStringList{key});
        QCOMPARE(got.size(), 1);
        QCOMPARE(got[0].action, u"settings.change"_s);
        QCOMPARE(got[0].actor, u"oncall-lead"_s);
        QCOMPARE(got[0].reason, u"a test"_s);
        QCOMPARE(got[0].target, u"profile audited"_s);
        QVERIFY2(got[0].requestId.startsWith(u"console:"_s), qPrintable(got[0].requestId)); // the console's own, marked
        QCOMPARE(QString::fromStdString(got[0].before.dump()), before);
        QCOMPARE(QString::fromStdString(got[0].after.dump()), after);
        QVERIFY(!got[0].toLine().contains("ghp_0123456789"));
        // Stored after the record.
        Settings reread(u"audited"_s, m_dir.path());
        QCOMPARE(reread.value(spec->key), value.isValid() ? [&] { QVariant v = value; v.convert(spec->defaultValue.metaType()); return v; }()
                                                          : spec->defaultValue);
    }

    // No record, no change: a log that cannot be written refuses the change and says so.
    void unwritableLogChangesNothing()
    {
        QFile blocker(m_dir.filePath(u"not-a-folder"_s));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        m_settings->setValue(SettingKey::AuditLogPath, QString(blocker.fileName() + u"/audit.jsonl"_s));
        QVERIFY(m_settings->sync().ok());
        const auto done = SettingsAudit::apply(*m_settings, {{SettingKey::GitHubOwner, u"raize"_s}}, u"oncall-lead"_s, {});
        QVERIFY(!done);
        QVERIFY2(done.error().message.startsWith(u"the settings were not changed: their audit record could not be written"_s),
                 qPrintable(done.error().message));
        QVERIFY2(!done.error().remedy.isEmpty(), "says what to do");
        QCOMPARE(Settings(u"audited"_s, m_dir.path()).string(SettingKey::GitHubOwner), QString());
    }

    // Changing the log's path carries the chain on: the old log records the change, the new log's first record names
    // the old log's head; the workspace appends to the new log from its next open.
    void newLogCarriesTheChainOn()
    {
        {
            AuditLog old(m_log);
            for (int i = 0; i < 3; ++i) {
                AuditRecord r;
                r.actor = u"oncall-lead"_s;
                r.action = u"flag.toggle.confirmed"_s;
                QVERIFY(old.append(r).ok());
            }
        }
        TokenStore tokens(u"audited"_s, u"raize-console-test-unused"_s);
        ServiceMonitor monitor;
        Workspace ws(*m_settings, tokens, &monitor);
        ws.openWithTokens({});
        QCOMPARE(ws.auditLogPath(), m_log);

        const QString next = m_dir.filePath(u"moved/audit.jsonl"_s);
        const auto done =
            SettingsAudit::apply(*m_settings, {{SettingKey::AuditLogPath, next}}, u"oncall-lead"_s, u"new disk"_s, &ws.audit());
        QVERIFY2(done, qPrintable(done.error().toString()));
        QCOMPARE(done->newLogPath, next);
        QCOMPARE(done->seq, 4);
        const QList<AuditRecord> oldRecords = records(m_log);
        QCOMPARE(oldRecords.size(), 4);
        QCOMPARE(oldRecords[3].action, u"settings.change"_s);
        QCOMPARE(QString::fromStdString(oldRecords[3].after["audit/logPath"]), next);
        QList<AuditRecord> newRecords = records(next);
        QCOMPARE(newRecords.size(), 1);
        const AuditRecord &link = newRecords[0];
        QCOMPARE(link.seq, 1);
        QCOMPARE(link.action, u"audit.continued"_s);
        QVERIFY(link.before == json({{"file", m_log.toStdString()}, {"seq", 4}, {"hash", oldRecords[3].hash.toStdString()}}));
        QVERIFY(AuditVerifier::verify(m_log).intact());
        QVERIFY(AuditVerifier::verify(next).intact());
        QCOMPARE(m_settings->string(SettingKey::AuditLogPath), next);

        // The workspace follows at its next open: the same sink object appends to the new log.
        ws.openWithTokens({});
        QCOMPARE(ws.auditLogPath(), next);
        AuditRecord after;
        after.actor = u"oncall-lead"_s;
        after.action = u"flag.toggle.confirmed"_s;
        QVERIFY(ws.audit().append(after).ok());
        QCOMPARE(after.seq, 2);
        QCOMPARE(records(next).size(), 2);
        QCOMPARE(records(m_log).size(), 4);
    }

    // A new log that cannot be written: nothing is stored, and the old log says the change failed.
    void unwritableNewLogChangesNothing()
    {
        QFile blocker(m_dir.filePath(u"blocker"_s));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        const QString next = blocker.fileName() + u"/audit.jsonl"_s;
        const auto done = SettingsAudit::apply(*m_settings, {{SettingKey::AuditLogPath, next}}, u"oncall-lead"_s, {});
        QVERIFY(!done);
        QVERIFY2(done.error().message.contains(u"the new audit log %1 cannot be written"_s.arg(next)), qPrintable(done.error().message));
        QCOMPARE(Settings(u"audited"_s, m_dir.path()).string(SettingKey::AuditLogPath), m_log);
        const QList<AuditRecord> got = records(m_log);
        QCOMPARE(got.size(), 2);
        QCOMPARE(got[0].action, u"settings.change"_s);
        QCOMPARE(got[1].action, u"settings.change.failed"_s);
    }
};

QTEST_GUILESS_MAIN(TestSettingsAudit)
#include "tst_settings_audit.moc"
