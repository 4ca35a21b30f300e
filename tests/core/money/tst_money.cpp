// SPDX-License-Identifier: GPL-3.0-or-later
#include <QJsonValue>
#include <QTest>

#include "money/money.h"

using Vigil::Money;

class TestMoney final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data();
    void parse();
    void fromJsonRoundsAtBoundary();
    void arithmeticIsExact();
    void percent();
};

void TestMoney::parse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<qint64>("minor");
    QTest::newRow("integer") << "10" << true << qint64(1000);
    QTest::newRow("one decimal") << "10.5" << true << qint64(1050);
    QTest::newRow("two decimals") << "0.35" << true << qint64(35);
    QTest::newRow("negative") << "-3.10" << true << qint64(-310);
    QTest::newRow("plus") << "+1.01" << true << qint64(101);
    QTest::newRow("leading dot") << ".5" << true << qint64(50);
    QTest::newRow("too precise") << "1.005" << false << qint64(0);
    QTest::newRow("trailing dot") << "1." << false << qint64(0);
    QTest::newRow("letters") << "1a" << false << qint64(0);
    QTest::newRow("empty") << "" << false << qint64(0);
    QTest::newRow("sign only") << "-" << false << qint64(0);
    QTest::newRow("overflow") << "99999999999999999999" << false << qint64(0);
}

void TestMoney::parse()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(qint64, minor);
    const auto m = Money::parse(text);
    QCOMPARE(m.has_value(), valid);
    if (valid)
        QCOMPARE(m->minor(), minor);
}

void TestMoney::fromJsonRoundsAtBoundary()
{
    // 0.1 + 0.2 is not 0.3 in binary; the boundary must still land on 30 cents.
    QCOMPARE(Money::fromJson(QJsonValue(0.1 + 0.2))->minor(), 30);
    QCOMPARE(Money::fromJson(QJsonValue(19.53))->minor(), 1953);
    QCOMPARE(Money::fromJson(QJsonValue(QStringLiteral("19.53")))->minor(), 1953);
    QVERIFY(!Money::fromJson(QJsonValue(true)).has_value());
    QCOMPARE(Money::fromMinor(1953).toJson().toDouble(), 19.53);
    QCOMPARE(Money::fromMinor(-5).toString(), QStringLiteral("-0.05"));
    QCOMPARE(Money::fromMinor(1000000).toString(), QStringLiteral("10000.00"));
}

void TestMoney::arithmeticIsExact()
{
    Money sum;
    for (int i = 0; i < 1000; ++i)
        sum += *Money::parse(u"0.10");
    QCOMPARE(sum, Money::fromMinor(10000));
    QVERIFY(Money::fromMinor(5) < Money::fromMinor(6));
    QCOMPARE(Money::fromMinor(35) * 3, Money::fromMinor(105));
    QCOMPARE(-(Money::fromMinor(35)), Money::fromMinor(-35));
}

void TestMoney::percent()
{
    // 20% of 10,000.00 = 2,000.00
    QCOMPARE(Money::fromMinor(1000000).percentBp(2000), Money::fromMinor(200000));
    QCOMPARE(Money::fromMinor(999).percentBp(5000), Money::fromMinor(499));
}

QTEST_APPLESS_MAIN(TestMoney)
#include "tst_money.moc"
