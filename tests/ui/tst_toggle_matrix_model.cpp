// The Canary view's toggle matrix with dependent flags (issue #18, item 1):
// a child flag's cell follows its parent's, and is "unknown" (never "ON")
// where the parent is not among the listed flags.

#include "release/togglematrix.h"
#include "ui/canary/canarymatrix.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize;
using Services::FlagDependency;
using Services::FlagState;

namespace {

FlagState flag(const QString &key, bool enabled, QList<FlagDependency> dependencies = {})
{
    FlagState f;
    f.key = key;
    f.project = u"default"_s;
    f.environment = u"production"_s;
    f.enabled = enabled; // no strategies: on for everyone when enabled
    f.dependencies = std::move(dependencies);
    return f;
}

} // namespace

class TestToggleMatrixModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void dependentFlagCells_data()
    {
        QTest::addColumn<bool>("parentListed");
        QTest::addColumn<bool>("parentOn");
        QTest::addColumn<bool>("parentExpectedOn");
        QTest::addColumn<QString>("cell");
        QTest::newRow("parent on") << true << true << true << u"ON"_s;
        QTest::newRow("parent off") << true << false << true << u"off"_s;
        QTest::newRow("parent not listed") << false << true << true << u"unknown"_s;
        QTest::newRow("expects the parent off, it is on") << true << true << false << u"off"_s;
        QTest::newRow("expects the parent off, it is off") << true << false << false << u"ON"_s;
    }

    void dependentFlagCells()
    {
        QFETCH(bool, parentListed);
        QFETCH(bool, parentOn);
        QFETCH(bool, parentExpectedOn);
        QFETCH(QString, cell);
        Ui::ToggleMatrixModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setColumns({{Release::MatrixColumn::Kind::Global, {}}, {Release::MatrixColumn::Kind::Lane, u"api"_s}}, {});
        FlagDependency d;
        d.feature = u"side-effects.kill"_s;
        d.enabled = parentExpectedOn;
        QList<FlagState> flags{flag(u"engagement.auto-reply"_s, true, {d})};
        if (parentListed)
            flags << flag(u"side-effects.kill"_s, parentOn);
        model.setFlags(flags);
        const int row = model.rowOf(u"engagement.auto-reply"_s);
        QVERIFY(row >= 0);
        for (int c = 0; c < model.columnCount(); ++c) {
            QCOMPARE(model.data(model.index(row, c)).toString(), cell);
            const QString tip = model.data(model.index(row, c), Qt::ToolTipRole).toString();
            QVERIFY2(tip.contains(parentExpectedOn ? u"only where side-effects.kill is on"_s : u"only where side-effects.kill is off"_s),
                     qPrintable(tip));
        }
    }
};

QTEST_MAIN(TestToggleMatrixModel)
#include "tst_toggle_matrix_model.moc"
