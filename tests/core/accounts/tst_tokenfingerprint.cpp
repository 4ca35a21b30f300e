// SPDX-License-Identifier: GPL-3.0-or-later
#include <QTest>

#include "accounts/tokenfingerprint.h"

using namespace Vigil;

class TestTokenFingerprint final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void stableDistinctAndOpaque();
    void recognisesOnlyFingerprints_data();
    void recognisesOnlyFingerprints();
};

void TestTokenFingerprint::stableDistinctAndOpaque()
{
    const QString a = QStringLiteral("a1B2c3D4e5F6g7H");
    const QString b = QStringLiteral("a1B2c3D4e5F6g7I");
    QCOMPARE(TokenFingerprint::of(a), TokenFingerprint::of(a));
    QVERIFY(TokenFingerprint::of(a) != TokenFingerprint::of(b));
    QVERIFY(TokenFingerprint::isFingerprint(TokenFingerprint::of(a)));
    QVERIFY(!TokenFingerprint::of(a).contains(a));
    QCOMPARE(TokenFingerprint::of(a).size(), 20);
}

void TestTokenFingerprint::recognisesOnlyFingerprints_data()
{
    QTest::addColumn<QString>("ref");
    QTest::addColumn<bool>("is");
    QTest::newRow("fingerprint") << TokenFingerprint::of(QStringLiteral("whatever-token")) << true;
    QTest::newRow("raw-token") << "a1B2c3D4e5F6g7H" << false;
    QTest::newRow("upper-hex") << "tok_0123456789ABCDEF" << false;
    QTest::newRow("short") << "tok_0123" << false;
    QTest::newRow("empty") << "" << false;
    QTest::newRow("trailing-newline") << TokenFingerprint::of(QStringLiteral("whatever-token")) + u'\n' << false;
}

void TestTokenFingerprint::recognisesOnlyFingerprints()
{
    QFETCH(QString, ref);
    QFETCH(bool, is);
    QCOMPARE(TokenFingerprint::isFingerprint(ref), is);
}

QTEST_APPLESS_MAIN(TestTokenFingerprint)
#include "tst_tokenfingerprint.moc"
