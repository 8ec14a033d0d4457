// The audit viewer: real records from a real log, filter, search, verify, export.
// With RAIZE_SCREENSHOT_DIR set it also saves docs screenshots.

#include "testutil.h"

#include "audit/auditmodel.h"
#include "audit/auditview.h"

#include "records/auditlines.h"
#include "records/auditlog.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using namespace Raize::Records;
using namespace Raize::Ui;

class TestAuditViewer : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString makeLog(int n)
    {
        const QString path = m_dir.filePath(u"audit-%1.jsonl"_s.arg(n));
        QFile::remove(path); // a fresh log each time
        QFile::remove(path + u".head"_s);
        AuditLog log(path);
        const QList<std::array<const char *, 4>> actions = {
            {"oncall@raize", "flag.disable", "publishing.canary", "unleash"},
            {"oncall@raize", "flag.disable", "engagement.auto-like", "unleash"},
            {"oncall@raize", "vercel.rollback", "dpl_prev", "vercel"},
            {"reviewer@raize", "promotion.approve", "dpl_cand", "github"},
            {"release@raize", "gate.override", "deployment-checks/ui-smoke", "console"},
            {"console", "incident.create", "raize/platform#412", "github"},
        };
        for (int i = 0; i < n; ++i) {
            const auto &a = actions[i % actions.size()];
            AuditRecord r;
            r.actor = QString::fromLatin1(a[0]);
            r.action = QString::fromLatin1(a[1]);
            r.target = QString::fromLatin1(a[2]);
            r.service = QString::fromLatin1(a[3]);
            r.time = QDateTime(QDate(2026, 11, 24), QTime(21, 0), Qt::UTC).addSecs(37 * i);
            r.before = {{"enabled", true}};
            r.after = {{"enabled", false}};
            r.reason = i % 6 == 4 ? u"ui-smoke flaky on staging since 14:00; verified by hand"_s : u"P1: publish failure burn 16x on house accounts"_s;
            r.requestId = u"req-%1"_s.arg(4000 + i);
            if (!log.append(r).ok())
                return {};
        }
        return path;
    }

private Q_SLOTS:
    void modelPassesTester()
    {
        AuditModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        AuditFilterModel filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester filterTester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loaded(&model, &AuditModel::loaded);
        QSignalSpy choices(&model, &AuditModel::choicesReady);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        model.setBatchSizes(10, 7);
        QVERIFY(model.openFile(makeLog(25)));
        // The newest 10 are there at once; the other 15 come from the worker.
        QCOMPARE(model.rowCount(), 10);
        QVERIFY(model.isLoading());
        QCOMPARE(model.data(model.index(0, AuditModel::Seq)).toLongLong(), 25);
        QTRY_COMPARE(loaded.count(), 1);
        QCOMPARE(model.rowCount(), 25);
        QCOMPARE(inserted.count(), 3); // batches of 7, 7, 1
        QTRY_COMPARE(choices.count(), 1);
        QCOMPARE(model.actors(), (QStringList{u"console"_s, u"oncall@raize"_s, u"release@raize"_s, u"reviewer@raize"_s}));
        QCOMPARE(model.actionPrefixes(), (QStringList{u"flag."_s, u"gate."_s, u"incident."_s, u"promotion."_s, u"vercel."_s}));
        // Newest first: record 3 (a vercel.rollback) is the third from the bottom.
        QCOMPARE(model.data(model.index(22, AuditModel::Seq)).toLongLong(), 3);
        QCOMPARE(model.data(model.index(22, AuditModel::Action)).toString(), u"vercel.rollback"_s);
        QVERIFY(model.data(model.index(22, AuditModel::Seq), Qt::ToolTipRole).toString().contains(u"Hash: "_s));
        model.setNewestFirst(false);
        QCOMPARE(model.data(model.index(2, AuditModel::Action)).toString(), u"vercel.rollback"_s);
        QCOMPARE(model.data(model.index(0, AuditModel::Seq)).toLongLong(), 1);
        AuditFilter f;
        f.actionPrefix = u"flag."_s;
        filter.setAuditFilter(f);
        QCOMPARE(filter.rowCount(), 9);
        model.openBytes({});
        QCOMPARE(loaded.count(), 2);
        QCOMPARE(model.rowCount(), 0);
    }

    void tornTailAndUnreadableLines()
    {
        // A crash mid-append leaves a torn last line: not a row. A line that
        // is not a record is a row that says so, and no filter matches it.
        QFile f(makeLog(6));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QByteArray bytes = f.readAll();
        const qsizetype third = bytes.indexOf('\n', bytes.indexOf('\n') + 1) + 1;
        bytes.insert(third, "this is not a record\n");
        bytes.append("{\"prev\":\"abc\",\"seq\":7,\"ti");
        AuditModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.openBytes(bytes);
        QCOMPARE(model.rowCount(), 7);
        QCOMPARE(model.unreadableLines(), 1);
        const int bad = 4; // newest first: records 6, 5, 4, 3, then the bad line
        QCOMPARE(model.data(model.index(bad, AuditModel::Action)).toString(), u"(unreadable record)"_s);
        QCOMPARE(model.data(model.index(bad, AuditModel::Seq)).toString(), u"?"_s);
        QVERIFY(model.data(model.index(bad, AuditModel::Reason)).toString().contains(u"audit verify"_s));
        AuditFilterModel filter;
        filter.setSourceModel(&model);
        AuditFilter any;
        any.text = u"record"_s;
        filter.setAuditFilter(any);
        QCOMPARE(filter.rowCount(), 0);
    }

    void filterAgreesWithTheFullMatch_data()
    {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("value");
        QTest::newRow("text, other case") << u"text"_s << u"FLAKY"_s;
        QTest::newRow("text in before/after") << u"text"_s << u"enabled"_s;
        QTest::newRow("text, a key name") << u"text"_s << u"actor"_s;
        QTest::newRow("text with a quote") << u"text"_s << u"\"enabled"_s;
        QTest::newRow("text, non-ASCII") << u"text"_s << u"Zürich"_s;
        QTest::newRow("text, no match") << u"text"_s << u"nothing-like-this"_s;
        QTest::newRow("actor") << u"actor"_s << u"reviewer@raize"_s;
        QTest::newRow("actor, prefix only") << u"actor"_s << u"reviewer"_s;
        QTest::newRow("service") << u"service"_s << u"github"_s;
        QTest::newRow("action prefix") << u"action"_s << u"flag."_s;
        QTest::newRow("action prefix, no match") << u"action"_s << u"flags."_s;
    }
    void filterAgreesWithTheFullMatch()
    {
        // The raw-bytes pre-test never rejects a record matches() accepts.
        QFETCH(QString, field);
        QFETCH(QString, value);
        QFile f(makeLog(60));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QByteArray bytes = f.readAll();
        bytes.replace("verified by hand", "verified by hand in Z\xc3\xbcrich");
        AuditFilter filter;
        if (field == u"text"_s)
            filter.text = value;
        else if (field == u"actor"_s)
            filter.actor = value;
        else if (field == u"service"_s)
            filter.service = value;
        else
            filter.actionPrefix = value;
        int expected = 0;
        for (const QByteArray &line : bytes.split('\n')) {
            AuditRecord r;
            if (!line.isEmpty() && AuditRecord::fromLine(line, &r) && filter.matches(r)) {
                ++expected;
                QVERIFY2(AuditLines::mayMatch(line, filter), line.constData());
            }
        }
        AuditModel model;
        model.openBytes(bytes);
        AuditFilterModel proxy;
        proxy.setSourceModel(&model);
        proxy.setAuditFilter(filter);
        QCOMPARE(proxy.rowCount(), expected);
    }

    void viewShowsRealRecordsFiltersAndSearches()
    {
        const QString path = makeLog(30);
        AuditView view(path);
        view.resize(1100, 600);
        view.show();
        QTRY_COMPARE(view.model()->rowCount(), 30);
        auto *status = view.findChild<QLabel *>(u"auditStatus"_s);
        QTRY_COMPARE(status->text(), u"30 record(s)"_s);
        QVERIFY(!view.findChild<QLabel *>(u"auditEmpty"_s)->isVisible());

        auto *action = view.findChild<QComboBox *>(u"auditAction"_s);
        QTRY_VERIFY(action->findData(u"vercel."_s) > 0);
        action->setCurrentIndex(action->findData(u"vercel."_s));
        QCOMPARE(view.filterModel()->rowCount(), 5);
        QCOMPARE(status->text(), u"5 of 30 record(s) match the filter"_s);
        action->setCurrentIndex(0);

        auto *search = view.findChild<QLineEdit *>(u"auditSearch"_s);
        QTest::keyClicks(search, u"flaky"_s);
        QCOMPARE(view.filterModel()->rowCount(), 5);
        search->clear();
        QTest::keyClicks(search, u"req-4007"_s);
        QCOMPARE(view.filterModel()->rowCount(), 1);
        search->clear();

        auto *actor = view.findChild<QComboBox *>(u"auditActor"_s);
        actor->setCurrentIndex(actor->findData(u"reviewer@raize"_s));
        QCOMPARE(view.filterModel()->rowCount(), 5);
        actor->setCurrentIndex(0);

        if (const QString shots = qEnvironmentVariable("RAIZE_SCREENSHOT_DIR"); !shots.isEmpty()) {
            view.findChild<QPushButton *>(u"auditVerify"_s)->click();
            QVERIFY(view.grab().save(shots + u"/audit.png"_s));
        }
    }

    void verifyButtonReportsTampering()
    {
        const QString path = makeLog(8);
        AuditView view(path);
        view.show();
        QSignalSpy verified(&view, &AuditView::verified);
        view.findChild<QPushButton *>(u"auditVerify"_s)->click();
        QCOMPARE(verified.count(), 1);
        auto *verdict = view.findChild<QLabel *>(u"auditVerdict"_s);
        QVERIFY(verdict->isVisible());
        QVERIFY2(verdict->text().startsWith(u"OK: 8 record(s)"_s), qPrintable(verdict->text()));

        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadWrite));
        QByteArray bytes = f.readAll();
        bytes.replace("dpl_prev", "dpl_pwn!");
        f.seek(0);
        f.write(bytes);
        f.close();
        view.findChild<QPushButton *>(u"auditVerify"_s)->click();
        QVERIFY2(verdict->text().startsWith(u"TAMPERED: first bad record at line 3"_s), qPrintable(verdict->text()));
    }

    void exportWritesTheFilteredRows()
    {
        const QString path = makeLog(12);
        AuditView view(path);
        QTRY_COMPARE(view.model()->rowCount(), 12);
        auto *service = view.findChild<QComboBox *>(u"auditService"_s);
        QTRY_VERIFY(service->findData(u"github"_s) > 0);
        service->setCurrentIndex(service->findData(u"github"_s));
        const QString json = m_dir.filePath(u"export.json"_s);
        QVERIFY(view.exportTo(json));
        QFile jf(json);
        QVERIFY(jf.open(QIODevice::ReadOnly));
        const QJsonArray arr = QJsonDocument::fromJson(jf.readAll()).array();
        QCOMPARE(arr.size(), 4);
        QCOMPARE(arr[0].toObject().value(u"service"_s).toString(), u"github"_s);
        QVERIFY(arr[0].toObject().value(u"seq"_s).toInt() < arr[1].toObject().value(u"seq"_s).toInt());
        const QString csv = m_dir.filePath(u"export.csv"_s);
        QVERIFY(view.exportTo(csv));
        QFile cf(csv);
        QVERIFY(cf.open(QIODevice::ReadOnly));
        QCOMPARE(cf.readAll().count('\n'), 5);
        QVERIFY(!view.exportTo(m_dir.filePath(u"no/such/dir/x.json"_s)));
        QVERIFY(view.findChild<QLabel *>(u"auditStatus"_s)->text().startsWith(u"Export failed"_s));
    }

    void emptyAndMissingLogsSaySo()
    {
        AuditView missing(m_dir.filePath(u"none.jsonl"_s));
        auto *empty = missing.findChild<QLabel *>(u"auditEmpty"_s);
        QVERIFY(!empty->isHidden());
        QVERIFY(empty->text().startsWith(u"No audit log yet"_s));
        QFile f(m_dir.filePath(u"empty.jsonl"_s));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        AuditView emptyView(f.fileName());
        QVERIFY(emptyView.findChild<QLabel *>(u"auditEmpty"_s)->text().startsWith(u"The audit log is empty"_s));
    }
};

RAIZE_GUI_TEST_MAIN(TestAuditViewer)
#include "tst_auditviewer.moc"
