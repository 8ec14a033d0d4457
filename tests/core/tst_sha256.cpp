// The audit chain's SHA-256 (ADR 0010): OpenSSL's and Qt's backends give the
// same digests, for the standard test vectors and for real records.

#include "core/sha256.h"
#include "records/auditrecord.h"
#include "records/auditverifier.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QTest>

using namespace Qt::StringLiterals;
using Raize::Sha256;

class TestSha256 : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void vectors_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("hex");
        // FIPS 180-4 / NIST CAVS examples.
        QTest::newRow("empty") << QByteArray() << "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"_ba;
        QTest::newRow("abc") << "abc"_ba << "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"_ba;
        QTest::newRow("448 bits")
            << "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"_ba
            << "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"_ba;
        QTest::newRow("a million a") << QByteArray(1'000'000, 'a')
                                     << "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"_ba;
    }
    void vectors()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, hex);
        for (Sha256::Backend b : {Sha256::Backend::Qt, Sha256::Backend::OpenSsl}) {
            Sha256 h(b);
            QCOMPARE(h.hex(input), hex);
            QVERIFY(h.matchesHex(input, hex));
            QByteArray wrong = hex;
            wrong[63] = wrong[63] == '0' ? '1' : '0';
            QVERIFY(!h.matchesHex(input, wrong));
            QVERIFY(!h.matchesHex(input, hex.first(63)));
            // The context is reused: a second digest is not polluted by the first.
            QCOMPARE(h.hex(input), hex);
        }
    }

    void backendsAgreeOnRandomInput()
    {
        Sha256 qt(Sha256::Backend::Qt);
        Sha256 ssl(Sha256::Backend::OpenSsl);
        QCOMPARE(ssl.backend(), Sha256::Backend::OpenSsl); // libcrypto is a build dependency: it must load
        QRandomGenerator rng(20261206);
        for (int i = 0; i < 500; ++i) {
            QByteArray data(int(rng.bounded(0, 4096)), Qt::Uninitialized);
            for (char &c : data)
                c = char(rng.bounded(256));
            QCOMPARE(ssl.hex(data), qt.hex(data));
            QCOMPARE(qt.hex(data), QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex());
        }
    }

    void choiceFollowsTheCpu()
    {
        // Without an override the choice follows the CPU: OpenSSL only with SHA instructions.
        if (!qEnvironmentVariableIsEmpty("RAIZE_SHA256_BACKEND"))
            QSKIP("RAIZE_SHA256_BACKEND is set");
        QCOMPARE(Sha256::preferredBackend() == Sha256::Backend::OpenSsl, Sha256::cpuHasShaInstructions());
        QVERIFY(!Sha256::backendName(Sha256::preferredBackend()).isEmpty());
    }

    void verifierAgreesAcrossBackends()
    {
        // A chain of real records, one edited: both backends find the same first bad record.
        using namespace Raize::Records;
        QByteArray log;
        AuditRecord r;
        r.actor = u"oncall@raize"_s;
        r.service = u"unleash"_s;
        r.time = QDateTime::fromSecsSinceEpoch(1'790'000'000, Qt::UTC);
        r.prev = AuditRecord::genesisHash();
        for (int i = 1; i <= 30000; ++i) { // above the verifier's threading threshold
            r.seq = i;
            r.action = u"flag.disable"_s;
            r.target = u"publishing.canary-%1"_s.arg(i % 7);
            r.hash = AuditRecord::sha256Hex(AuditRecord::contentFor(r));
            log += r.toLine() + '\n';
            r.prev = r.hash;
        }
        for (Sha256::Backend b : {Sha256::Backend::Qt, Sha256::Backend::OpenSsl}) {
            const VerifyReport ok = AuditVerifier::verifyBytes(log, std::nullopt, b);
            QVERIFY2(ok.intact(), qPrintable(ok.summary()));
            QCOMPARE(ok.records, 30000);
        }
        const qsizetype at = log.indexOf("publishing.canary-3", log.size() / 2);
        QByteArray edited = log;
        edited[at + 18] = '4';
        for (Sha256::Backend b : {Sha256::Backend::Qt, Sha256::Backend::OpenSsl}) {
            const VerifyReport bad = AuditVerifier::verifyBytes(edited, std::nullopt, b);
            QVERIFY(bad.firstBad);
            QCOMPARE(bad.firstBad->kind, VerifyProblem::Kind::HashMismatch);
            QCOMPARE(bad.firstBad->byteOffset, edited.lastIndexOf('\n', at) + 1);
        }
    }
};

QTEST_GUILESS_MAIN(TestSha256)
#include "tst_sha256.moc"
