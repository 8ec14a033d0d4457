// The policy bundle comparison (issue #7, part 5): built-in against a
// tenant's bundle; a malformed bundle is not compared and says where.

#include "testutil.h"

#include "promotion/policydiffdialog.h"

#include "policy/policybundle.h"

#include <QApplication>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace Qt::StringLiterals;
using namespace Raize;

class TestPolicyDiffDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void comparesAndRefusesMalformed()
    {
        QTemporaryDir dir;
        nlohmann::json doc = Policy::builtinBundle().doc;
        doc["id"] = "tenant-fjord";
        doc["promotion"]["approvals"]["default"] = 2;
        const QString tenant = dir.filePath(u"fjord.json"_s);
        QFile f(tenant);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray::fromStdString(doc.dump(2)));
        f.close();

        Ui::PolicyDiffDialog dialog;
        dialog.show();
        dialog.setPaths(u"builtin"_s, tenant);
        QTest::mouseClick(dialog.findChild<QPushButton *>(u"policyDiffCompare"_s), Qt::LeftButton);
        auto *changes = dialog.findChild<QTreeWidget *>(u"policyDiffChanges"_s);
        QCOMPARE(changes->topLevelItemCount(), 2);
        QCOMPARE(changes->topLevelItem(0)->text(1), u"id"_s);
        QCOMPARE(changes->topLevelItem(1)->text(1), u"promotion.approvals.default"_s);
        QCOMPARE(changes->topLevelItem(1)->text(2), u"1"_s);
        QCOMPARE(changes->topLevelItem(1)->text(3), u"2"_s);
        QVERIFY(dialog.findChild<QLabel *>(u"policyDiffStatus"_s)->text().contains(u"2 difference(s) from playbook-v1 to tenant-fjord"_s));

        const QString broken = dir.filePath(u"broken.json"_s);
        QFile b(broken);
        QVERIFY(b.open(QIODevice::WriteOnly));
        b.write("{\n  \"schema\": \"raize.policy\",\n  \"version\": 1,\n  \"id\": \"x\"\n  \"gates\": {}\n}\n");
        b.close();
        dialog.setPaths(u"builtin"_s, broken);
        QVERIFY(!dialog.compare());
        QCOMPARE(changes->topLevelItemCount(), 0);
        QVERIFY2(dialog.findChild<QLabel *>(u"policyDiffStatus"_s)->text().contains(u"broken.json:5:"_s),
                 qPrintable(dialog.findChild<QLabel *>(u"policyDiffStatus"_s)->text()));
    }
};

RAIZE_GUI_TEST_MAIN(TestPolicyDiffDialog)
#include "tst_policy_diff_dialog.moc"
