// The scope a rollback plan opens with (issue #16 item 1): a P0 is global;
// otherwise the paging scope only when the failure is isolated to it (the
// other scopes healthy, with enough data), else global with the reason.

#include "rollback/defaultscope.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Raize::Rollback;

namespace {

Scope tenant(const QStringList &clients, const QStringList &accounts)
{
    Scope s;
    s.kind = Scope::Kind::Tenant;
    s.clientIds = clients;
    s.platformAccountIds = accounts;
    return s;
}

ScopeHealth house(double burn, qint64 events, bool paging)
{
    return {u"house"_s, tenant({u"house"_s}, {u"acct-house-ig"_s, u"acct-house-x"_s}), burn, events, paging};
}
ScopeHealth lowrisk(double burn, qint64 events, bool paging = false)
{
    return {u"lowrisk"_s, tenant({u"client-bloom"_s}, {}), burn, events, paging};
}
ScopeHealth broad(double burn, qint64 events, bool paging = false)
{
    return {u"broad"_s, Scope{}, burn, events, paging};
}

} // namespace

class TestDefaultScope : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decide_data();
    void decide();
};

void TestDefaultScope::decide_data()
{
    QTest::addColumn<int>("trigger");
    QTest::addColumn<QList<ScopeHealth>>("scopes");
    QTest::addColumn<QString>("why");
    QTest::addColumn<QString>("scope");
    QTest::addColumn<QString>("reasonHas");

    const int p1 = int(Trigger::PublishFailureBreach);
    QTest::newRow("isolated") << p1 << QList<ScopeHealth>{house(14.4, 900, true), lowrisk(0.2, 400), broad(0.4, 5000)}
                              << u"isolated"_s << u"clients house"_s << u"house only: house burns (14.4×)"_s;
    QTest::newRow("isolated, P2") << int(Trigger::ElevatedErrors)
                                  << QList<ScopeHealth>{house(3.0, 900, true), lowrisk(0.9, 400), broad(0.0, 5000)} << u"isolated"_s
                                  << u"clients house"_s << u"every other scope is under 1.0×"_s;
    QTest::newRow("not enough data: a quiet healthy scope")
        << p1 << QList<ScopeHealth>{house(14.4, 900, true), lowrisk(0.0, 12), broad(0.4, 5000)} << u"not-enough-data"_s << u"global"_s
        << u"lowrisk (12 events, 50 needed)"_s;
    QTest::newRow("not enough data: the paging scope itself")
        << p1 << QList<ScopeHealth>{house(20.0, 30, true), lowrisk(0.1, 400), broad(0.4, 5000)} << u"not-enough-data"_s << u"global"_s
        << u"house (30 events, 50 needed)"_s;
    QTest::newRow("not enough data: nothing to compare with")
        << p1 << QList<ScopeHealth>{house(14.4, 900, true)} << u"not-enough-data"_s << u"global"_s << u"no other scope to compare house with"_s;
    QTest::newRow("P0") << int(Trigger::WrongAccountSideEffect)
                        << QList<ScopeHealth>{house(14.4, 900, true), lowrisk(0.2, 400), broad(0.4, 5000)} << u"p0"_s << u"global"_s
                        << u"a P0 (wrong-account side effects) stops harm everywhere"_s;
    QTest::newRow("P0 security, no signals") << int(Trigger::SecuritySuspicion) << QList<ScopeHealth>{} << u"p0"_s << u"global"_s
                                             << u"§7.2"_s;
    QTest::newRow("two scopes burning") << p1 << QList<ScopeHealth>{house(14.4, 900, true), lowrisk(2.5, 400), broad(0.4, 5000)}
                                        << u"others-burning"_s << u"global"_s << u"house (14.4×), lowrisk (2.5×)"_s;
    QTest::newRow("two scopes paging") << p1 << QList<ScopeHealth>{house(14.4, 900, true), lowrisk(6.0, 400, true), broad(0.4, 5000)}
                                       << u"others-burning"_s << u"global"_s << u"more than one scope burns"_s;
    QTest::newRow("exactly at the threshold burns") << p1 << QList<ScopeHealth>{house(14.4, 900, true), lowrisk(1.0, 400), broad(0.4, 5000)}
                                                    << u"others-burning"_s << u"global"_s << u"lowrisk (1.0×)"_s;
    QTest::newRow("nothing paged") << p1 << QList<ScopeHealth>{house(0.5, 900, false), lowrisk(0.2, 400), broad(0.4, 5000)}
                                   << u"no-paging-scope"_s << u"global"_s << u"no single scope paged"_s;
    QTest::newRow("the broad cohort paged") << p1 << QList<ScopeHealth>{house(0.2, 900, false), lowrisk(0.2, 400), broad(6.0, 5000, true)}
                                            << u"no-paging-scope"_s << u"global"_s << u"the scope that paged (broad) is everyone"_s;
}

void TestDefaultScope::decide()
{
    QFETCH(int, trigger);
    QFETCH(QList<ScopeHealth>, scopes);
    QFETCH(QString, why);
    QFETCH(QString, scope);
    QFETCH(QString, reasonHas);

    ScopeSignals in;
    in.scopes = scopes;
    const ScopeDecision d = defaultScope(Trigger(trigger), in);
    QCOMPARE(ScopeDecision::whyId(d.why), why);
    QVERIFY2(d.scope.describe().startsWith(scope), qPrintable(d.scope.describe()));
    QVERIFY2(d.reason.contains(reasonHas), qPrintable(d.reason));
    QCOMPARE(d.scope.kind == Scope::Kind::Global, scope == u"global"_s);
    QVERIFY(d.reason.startsWith(scope == u"global"_s ? u"global: "_s : u"house only"_s));
}

QTEST_GUILESS_MAIN(TestDefaultScope)
#include "tst_default_scope.moc"
