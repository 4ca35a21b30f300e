// SPDX-License-Identifier: GPL-3.0-or-later
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "risk/limitconfig.h"

using namespace Vigil;

class TestLimitConfig final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void defaults();
    void invalid_data();
    void invalid();
    void fromJson();
    void fromJsonRefuses_data();
    void fromJsonRefuses();
    void jsonRoundTrip();
    void dailyLossLimit();
};

void TestLimitConfig::defaults()
{
    const LimitConfig c;
    QCOMPARE(c.maxTradesPerDay, 100);
    QCOMPARE(c.dailyLossBasisPoints, 2000);
    QVERIFY(!c.dailyLossAbsolute);
    QCOMPARE(c.maxConcurrentOpen, 5);
    QVERIFY(!c.maxStake);
    QVERIFY(c.validate().ok());
    QCOMPARE(c.describeDailyLoss(), QStringLiteral("20 % of start-of-day balance"));
}

void TestLimitConfig::invalid_data()
{
    QTest::addColumn<int>("trades");
    QTest::addColumn<qint64>("bp");
    QTest::addColumn<qint64>("absolute"); // -1: unset
    QTest::addColumn<int>("concurrent");
    QTest::addColumn<qint64>("maxStake"); // -1: unset
    QTest::addColumn<QString>("field");
    QTest::newRow("zero trades") << 0 << qint64(2000) << qint64(-1) << 5 << qint64(-1) << "max_trades_per_day";
    QTest::newRow("too many trades") << 100001 << qint64(2000) << qint64(-1) << 5 << qint64(-1) << "max_trades_per_day";
    QTest::newRow("zero bp") << 100 << qint64(0) << qint64(-1) << 5 << qint64(-1) << "daily_loss_bp";
    QTest::newRow("over 100 %") << 100 << qint64(10001) << qint64(-1) << 5 << qint64(-1) << "daily_loss_bp";
    QTest::newRow("zero absolute") << 100 << qint64(2000) << qint64(0) << 5 << qint64(-1) << "daily_loss";
    QTest::newRow("zero concurrent") << 100 << qint64(2000) << qint64(-1) << 0 << qint64(-1) << "max_concurrent_open";
    QTest::newRow("zero max stake") << 100 << qint64(2000) << qint64(-1) << 5 << qint64(0) << "max_stake";
}

void TestLimitConfig::invalid()
{
    QFETCH(int, trades);
    QFETCH(qint64, bp);
    QFETCH(qint64, absolute);
    QFETCH(int, concurrent);
    QFETCH(qint64, maxStake);
    QFETCH(QString, field);
    LimitConfig c;
    c.maxTradesPerDay = trades;
    c.dailyLossBasisPoints = bp;
    if (absolute >= 0)
        c.dailyLossAbsolute = Money::fromMinor(absolute);
    c.maxConcurrentOpen = concurrent;
    if (maxStake >= 0)
        c.maxStake = Money::fromMinor(maxStake);
    const Result<void> r = c.validate();
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("InvalidLimitConfig"));
    QCOMPARE(r.error().kind, ErrorKind::InvalidInput);
    QCOMPARE(r.error().details.value(QLatin1String("field")).toString(), field);
    QVERIFY(r.error().message.startsWith(field));
}

void TestLimitConfig::fromJson()
{
    const QJsonObject j = QJsonDocument::fromJson(
                              R"({"max_trades_per_day":20,"daily_loss":"50.00","max_concurrent_open":2,"max_stake":10})")
                              .object();
    const Result<LimitConfig> c = LimitConfig::fromJson(j);
    QVERIFY2(c.ok(), c.ok() ? "" : qPrintable(c.error().message));
    QCOMPARE(c->maxTradesPerDay, 20);
    QCOMPARE(c->dailyLossAbsolute, Money::fromMinor(5000));
    QCOMPARE(c->maxConcurrentOpen, 2);
    QCOMPARE(c->maxStake, Money::fromMinor(1000));
    QCOMPARE(c->describeDailyLoss(), QStringLiteral("50.00"));

    const Result<LimitConfig> empty = LimitConfig::fromJson({});
    QVERIFY(empty.ok());
    QCOMPARE(empty.value(), LimitConfig());
    const Result<LimitConfig> pct = LimitConfig::fromJson(QJsonObject{{QStringLiteral("daily_loss_bp"), 1250}});
    QCOMPARE(pct->describeDailyLoss(), QStringLiteral("12.50 % of start-of-day balance"));
}

void TestLimitConfig::fromJsonRefuses_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field");
    QTest::newRow("unknown key") << QByteArray(R"({"max_trade_per_day":5})") << "max_trade_per_day";
    QTest::newRow("both loss kinds") << QByteArray(R"({"daily_loss":"5","daily_loss_bp":100})") << "daily_loss";
    QTest::newRow("fractional trades") << QByteArray(R"({"max_trades_per_day":2.5})") << "max_trades_per_day";
    QTest::newRow("trades as text") << QByteArray(R"({"max_trades_per_day":"many"})") << "max_trades_per_day";
    QTest::newRow("loss as double") << QByteArray(R"({"daily_loss":12.5})") << "daily_loss";
    QTest::newRow("loss decimals") << QByteArray(R"({"daily_loss":"1.001"})") << "daily_loss";
    QTest::newRow("negative loss") << QByteArray(R"({"daily_loss":"-5"})") << "daily_loss";
    QTest::newRow("bp range") << QByteArray(R"({"daily_loss_bp":20000})") << "daily_loss_bp";
    QTest::newRow("zero concurrent") << QByteArray(R"({"max_concurrent_open":0})") << "max_concurrent_open";
}

void TestLimitConfig::fromJsonRefuses()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, field);
    const Result<LimitConfig> c = LimitConfig::fromJson(QJsonDocument::fromJson(json).object());
    QVERIFY(!c.ok());
    QCOMPARE(c.error().details.value(QLatin1String("field")).toString(), field);
}

void TestLimitConfig::jsonRoundTrip()
{
    LimitConfig c;
    c.maxTradesPerDay = 7;
    c.dailyLossAbsolute = Money::fromMinor(1234);
    c.maxConcurrentOpen = 3;
    c.maxStake = Money::fromMinor(500);
    QCOMPARE(LimitConfig::fromJson(c.toJson()).value(), c);
    const LimitConfig d;
    QCOMPARE(LimitConfig::fromJson(d.toJson()).value(), d);
}

void TestLimitConfig::dailyLossLimit()
{
    LimitConfig c; // 20 %
    QCOMPARE(c.dailyLossLimit(Money::fromMinor(25000)), Money::fromMinor(5000));
    QCOMPARE(c.dailyLossLimit(Money::fromMinor(12345)), Money::fromMinor(2469)); // 24.69, truncated
    c.dailyLossAbsolute = Money::fromMinor(700);
    QCOMPARE(c.dailyLossLimit(Money::fromMinor(25000)), Money::fromMinor(700));
}

QTEST_APPLESS_MAIN(TestLimitConfig)
#include "tst_limitconfig.moc"
