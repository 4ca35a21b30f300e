// SPDX-License-Identifier: GPL-3.0-or-later
#include <QJsonObject>
#include <QTest>

#include "deriv/derivfields.h"

using namespace Vigil;

class TestDerivFields : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void integer_data()
    {
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<qint64>("expected");
        QTest::newRow("number") << QJsonValue(42) << true << qint64(42);
        QTest::newRow("integral double") << QJsonValue(42.0) << true << qint64(42);
        QTest::newRow("big contract id") << QJsonValue(qint64(250123456789)) << true << qint64(250123456789);
        QTest::newRow("string") << QJsonValue(QStringLiteral("250123456789")) << true << qint64(250123456789);
        QTest::newRow("negative string") << QJsonValue(QStringLiteral("-5")) << true << qint64(-5);
        QTest::newRow("fraction") << QJsonValue(1.5) << false << qint64(0);
        QTest::newRow("fraction string") << QJsonValue(QStringLiteral("1.5")) << false << qint64(0);
        QTest::newRow("words") << QJsonValue(QStringLiteral("ten")) << false << qint64(0);
        QTest::newRow("bool") << QJsonValue(true) << false << qint64(0);
        QTest::newRow("missing") << QJsonValue(QJsonValue::Undefined) << false << qint64(0);
    }
    void integer()
    {
        QFETCH(QJsonValue, value);
        QFETCH(bool, valid);
        QFETCH(qint64, expected);
        const auto r = DerivFields::integer(value);
        QCOMPARE(r.has_value(), valid);
        if (valid)
            QCOMPARE(*r, expected);
    }

    void moneyFromNumberOrString_data()
    {
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<qint64>("minor");
        QTest::newRow("number") << QJsonValue(19.53) << qint64(1953);
        QTest::newRow("string") << QJsonValue(QStringLiteral("19.53")) << qint64(1953);
        QTest::newRow("integer") << QJsonValue(10) << qint64(1000);
        QTest::newRow("negative string") << QJsonValue(QStringLiteral("-0.35")) << qint64(-35);
    }
    void moneyFromNumberOrString()
    {
        QFETCH(QJsonValue, value);
        QFETCH(qint64, minor);
        const auto m = DerivFields::money(value, 2);
        QVERIFY(m.has_value());
        QCOMPARE(m->minor(), minor);
    }

    void moneyRejectsJunk()
    {
        QVERIFY(!DerivFields::money(QJsonValue(QStringLiteral("abc"))).has_value());
        QVERIFY(!DerivFields::money(QJsonValue(QJsonValue::Null)).has_value());
        QVERIFY(!DerivFields::money(QJsonValue(QStringLiteral("1.234")), 2).has_value());
    }

    void number()
    {
        QCOMPARE(DerivFields::number(QJsonValue(1234.56)).value_or(0), 1234.56);
        QCOMPARE(DerivFields::number(QJsonValue(QStringLiteral("1234.56"))).value_or(0), 1234.56);
        QVERIFY(!DerivFields::number(QJsonValue(QStringLiteral("1,5"))).has_value());
        QVERIFY(!DerivFields::number(QJsonValue(QStringLiteral("inf"))).has_value());
    }

    void flag_data()
    {
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<int>("expected"); // -1 = invalid
        QTest::newRow("1") << QJsonValue(1) << 1;
        QTest::newRow("0") << QJsonValue(0) << 0;
        QTest::newRow("true") << QJsonValue(true) << 1;
        QTest::newRow("\"1\"") << QJsonValue(QStringLiteral("1")) << 1;
        QTest::newRow("\"false\"") << QJsonValue(QStringLiteral("false")) << 0;
        QTest::newRow("2") << QJsonValue(2) << -1;
        QTest::newRow("\"yes\"") << QJsonValue(QStringLiteral("yes")) << -1;
    }
    void flag()
    {
        QFETCH(QJsonValue, value);
        QFETCH(int, expected);
        const auto f = DerivFields::flag(value);
        if (expected < 0) {
            QVERIFY(!f.has_value());
        } else {
            QVERIFY(f.has_value());
            QCOMPARE(int(*f), expected);
        }
    }

    void text()
    {
        QCOMPARE(DerivFields::text(QJsonValue(QStringLiteral("abc"))), QStringLiteral("abc"));
        QCOMPARE(DerivFields::text(QJsonValue(qint64(250123456789))), QStringLiteral("250123456789"));
        QVERIFY(DerivFields::text(QJsonValue(1.5)).isEmpty());
    }

    void symbolInEitherDialect()
    {
        QCOMPARE(DerivFields::symbol({{QStringLiteral("symbol"), QStringLiteral("R_100")}}), QStringLiteral("R_100"));
        QCOMPARE(DerivFields::symbol({{QStringLiteral("underlying_symbol"), QStringLiteral("1HZ100V")}}), QStringLiteral("1HZ100V"));
        QCOMPARE(DerivFields::symbol({{QStringLiteral("underlying"), QStringLiteral("R_50")}}), QStringLiteral("R_50"));
        QVERIFY(DerivFields::symbol({}).isEmpty());
    }

    void epoch()
    {
        QCOMPARE(DerivFields::epoch({{QStringLiteral("epoch"), 1700000001}}).value_or(0), 1700000001);
        QCOMPARE(DerivFields::epoch({{QStringLiteral("epoch"), QStringLiteral("1700000002")}}).value_or(0), 1700000002);
        QVERIFY(!DerivFields::epoch({}).has_value());
    }
};

QTEST_APPLESS_MAIN(TestDerivFields)
#include "tst_derivfields.moc"
