// SPDX-License-Identifier: GPL-3.0-or-later
#include <limits>

#include <QJsonValue>
#include <QTest>

#include "strategy/multiplier.h"

using Vigil::Money;
using Vigil::Multiplier;

class TestMultiplier final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data();
    void parse();
    void fromJson_data();
    void fromJson();
    void applyRoundsHalfUp_data();
    void applyRoundsHalfUp();
    void applySaturates();
    void toStringIsShortest();
};

void TestMultiplier::parse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<qint64>("scaled");
    QTest::newRow("integer") << "2" << true << qint64(20000);
    QTest::newRow("one and a half") << "1.5" << true << qint64(15000);
    QTest::newRow("four decimals") << "2.0625" << true << qint64(20625);
    QTest::newRow("zero") << "0" << true << qint64(0);
    QTest::newRow("five decimals") << "1.00001" << false << qint64(0);
    QTest::newRow("negative") << "-2" << false << qint64(0);
    QTest::newRow("plus sign") << "+2" << false << qint64(0);
    QTest::newRow("exponent") << "2e0" << false << qint64(0);
    QTest::newRow("empty") << "" << false << qint64(0);
    QTest::newRow("huge") << "99999999999999999" << false << qint64(0);
}

void TestMultiplier::parse()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(qint64, scaled);
    const auto m = Multiplier::parse(text);
    QCOMPARE(m.has_value(), valid);
    if (valid)
        QCOMPARE(m->scaled(), scaled);
}

void TestMultiplier::fromJson_data()
{
    QTest::addColumn<QJsonValue>("json");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<qint64>("scaled");
    QTest::newRow("number 2") << QJsonValue(2) << true << qint64(20000);
    QTest::newRow("number 1.5") << QJsonValue(1.5) << true << qint64(15000);
    QTest::newRow("number 2.1 (binary noise)") << QJsonValue(2.1) << true << qint64(21000);
    QTest::newRow("number too precise") << QJsonValue(1.00001) << false << qint64(0);
    QTest::newRow("negative number") << QJsonValue(-1) << false << qint64(0);
    QTest::newRow("string") << QJsonValue(QStringLiteral("2.5")) << true << qint64(25000);
    QTest::newRow("bool") << QJsonValue(true) << false << qint64(0);
    QTest::newRow("null") << QJsonValue() << false << qint64(0);
}

void TestMultiplier::fromJson()
{
    QFETCH(QJsonValue, json);
    QFETCH(bool, valid);
    QFETCH(qint64, scaled);
    const auto m = Multiplier::fromJson(json);
    QCOMPARE(m.has_value(), valid);
    if (valid)
        QCOMPARE(m->scaled(), scaled);
}

void TestMultiplier::applyRoundsHalfUp_data()
{
    QTest::addColumn<QString>("factor");
    QTest::addColumn<qint64>("minor");
    QTest::addColumn<qint64>("expected");
    QTest::newRow("exact") << "2" << qint64(100) << qint64(200);
    QTest::newRow("half rounds up") << "1.5" << qint64(35) << qint64(53);      // 52.5
    QTest::newRow("half rounds up again") << "1.5" << qint64(53) << qint64(80); // 79.5
    QTest::newRow("0.4 down") << "1.1" << qint64(34) << qint64(37);            // 37.4
    QTest::newRow("0.6 up") << "1.1" << qint64(36) << qint64(40);              // 39.6
    QTest::newRow("negative half away from zero") << "1.5" << qint64(-35) << qint64(-53);
    QTest::newRow("identity") << "1" << qint64(12345) << qint64(12345);
}

void TestMultiplier::applyRoundsHalfUp()
{
    QFETCH(QString, factor);
    QFETCH(qint64, minor);
    QFETCH(qint64, expected);
    QCOMPARE(Multiplier::parse(factor)->apply(Money::fromMinor(minor)).minor(), expected);
}

void TestMultiplier::applySaturates()
{
    const Money huge = Money::fromMinor(std::numeric_limits<qint64>::max() / 2);
    const Money r = Multiplier::integer(10).apply(huge);
    QVERIFY(r.minor() > 0);
    QVERIFY(r.minor() >= std::numeric_limits<qint64>::max() / 8);
    // Still usable in a comparison with a cap without overflow.
    QVERIFY(r > Money::fromMinor(5000));
}

void TestMultiplier::toStringIsShortest()
{
    QCOMPARE(Multiplier::integer(2).toString(), QStringLiteral("2"));
    QCOMPARE(Multiplier::parse(u"1.50")->toString(), QStringLiteral("1.5"));
    QCOMPARE(Multiplier::parse(u"2.0625")->toString(), QStringLiteral("2.0625"));
}

QTEST_APPLESS_MAIN(TestMultiplier)
#include "tst_multiplier.moc"
