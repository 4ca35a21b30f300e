// SPDX-License-Identifier: GPL-3.0-or-later
#include <QTest>

#include "sim/ratelimiter.h"

using namespace Vigil::Sim;

class TestSimRateLimiter final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void callsFallInDerivCategories();
    void minuteWindowOpensAtFirstRequest();
    void refusedRequestsDoNotCount();
    void hourlyBudgetHoldsAcrossMinutes();
    void keysAreIndependent();
};

void TestSimRateLimiter::callsFallInDerivCategories()
{
    using C = RateLimiter::Category;
    QCOMPARE(RateLimiter::categoryOf(QStringLiteral("ping")), C::PingTime);
    QCOMPARE(RateLimiter::categoryOf(QStringLiteral("time")), C::PingTime);
    QCOMPARE(RateLimiter::categoryOf(QStringLiteral("portfolio")), C::Outcome);
    QCOMPARE(RateLimiter::categoryOf(QStringLiteral("statement")), C::Outcome);
    QCOMPARE(RateLimiter::categoryOf(QStringLiteral("profit_table")), C::Outcome);
    QCOMPARE(RateLimiter::categoryOf(QStringLiteral("proposal")), C::Pricing);
    QCOMPARE(RateLimiter::categoryOf(QStringLiteral("proposal_open_contract")), C::Pricing);
    QCOMPARE(RateLimiter::categoryOf(QStringLiteral("buy")), C::General);
    QCOMPARE(RateLimiter::categoryOf(QStringLiteral("forget")), C::Unlimited);
}

void TestSimRateLimiter::minuteWindowOpensAtFirstRequest()
{
    RateLimits limits;
    limits.outcomePerMinute = 3;
    RateLimiter r(limits);
    const QString key = QStringLiteral("acct:VRTC1");
    QVERIFY(r.allow(key, RateLimiter::Category::Outcome, 10'000));
    QVERIFY(r.allow(key, RateLimiter::Category::Outcome, 40'000));
    QVERIFY(r.allow(key, RateLimiter::Category::Outcome, 69'000));
    QVERIFY(!r.allow(key, RateLimiter::Category::Outcome, 69'999)); // the window opened at 10 s
    QVERIFY(r.allow(key, RateLimiter::Category::Outcome, 70'000));
}

void TestSimRateLimiter::refusedRequestsDoNotCount()
{
    RateLimits limits;
    limits.pingPerSecond = 2;
    RateLimiter r(limits);
    const QString key = QStringLiteral("conn:1");
    QVERIFY(r.allow(key, RateLimiter::Category::PingTime, 0));
    QVERIFY(r.allow(key, RateLimiter::Category::PingTime, 1));
    for (int i = 0; i < 5; ++i)
        QVERIFY(!r.allow(key, RateLimiter::Category::PingTime, 2 + i));
    QVERIFY(r.allow(key, RateLimiter::Category::PingTime, 1'000));
    QVERIFY(r.allow(key, RateLimiter::Category::PingTime, 1'001));
    QVERIFY(!r.allow(key, RateLimiter::Category::PingTime, 1'002));
}

void TestSimRateLimiter::hourlyBudgetHoldsAcrossMinutes()
{
    RateLimits limits;
    limits.generalPerMinute = 10;
    limits.generalPerHour = 15;
    RateLimiter r(limits);
    const QString key = QStringLiteral("acct:VRTC1");
    for (int i = 0; i < 10; ++i)
        QVERIFY(r.allow(key, RateLimiter::Category::General, i));
    QVERIFY(!r.allow(key, RateLimiter::Category::General, 100));
    for (int i = 0; i < 5; ++i)
        QVERIFY(r.allow(key, RateLimiter::Category::General, 60'000 + i));
    QVERIFY(!r.allow(key, RateLimiter::Category::General, 120'000)); // minute fresh, hour spent
    QVERIFY(r.allow(key, RateLimiter::Category::General, 3'600'000));
}

void TestSimRateLimiter::keysAreIndependent()
{
    RateLimits limits;
    limits.pricingPerMinute = 1;
    RateLimiter r(limits);
    QVERIFY(r.allow(QStringLiteral("acct:A"), RateLimiter::Category::Pricing, 0));
    QVERIFY(!r.allow(QStringLiteral("acct:A"), RateLimiter::Category::Pricing, 1));
    QVERIFY(r.allow(QStringLiteral("acct:B"), RateLimiter::Category::Pricing, 1));
    QVERIFY(r.allow(QStringLiteral("acct:A"), RateLimiter::Category::Outcome, 1));
    QVERIFY(r.allow(QStringLiteral("acct:A"), RateLimiter::Category::Unlimited, 1));
    r.forget(QStringLiteral("acct:A"));
    QVERIFY(r.allow(QStringLiteral("acct:A"), RateLimiter::Category::Pricing, 2));
    QVERIFY(!r.allow(QStringLiteral("acct:B"), RateLimiter::Category::Pricing, 2)); // untouched
    r.reset();
    QVERIFY(r.allow(QStringLiteral("acct:B"), RateLimiter::Category::Pricing, 3));
}

QTEST_APPLESS_MAIN(TestSimRateLimiter)
#include "tst_simratelimiter.moc"
