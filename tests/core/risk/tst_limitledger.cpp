// SPDX-License-Identifier: GPL-3.0-or-later
#include <atomic>
#include <latch>
#include <thread>
#include <vector>

#include <QDateTime>
#include <QSignalSpy>
#include <QTest>

#include "risk/limitledger.h"
#include "support/fakeclock.h"

using namespace Vigil;

namespace {

const QString s_acct = QStringLiteral("CR1");

qint64 utcMs(int y, int m, int d, int h, int min = 0)
{
    return QDateTime(QDate(y, m, d), QTime(h, min), Qt::UTC).toMSecsSinceEpoch();
}

Money usd(qint64 cents)
{
    return Money::fromMinor(cents);
}

// 3 trades a day, 10.00 absolute daily loss, 2 concurrent, max stake 5.00.
LimitConfig smallConfig()
{
    LimitConfig c;
    c.maxTradesPerDay = 3;
    c.dailyLossAbsolute = usd(1000);
    c.maxConcurrentOpen = 2;
    c.maxStake = usd(500);
    return c;
}

LedgerUsage freshDay(qint64 balanceCents = 10000)
{
    LedgerUsage u;
    u.startOfDayBalance = usd(balanceCents);
    return u;
}

QString code(const Result<Reservation> &r)
{
    return r.ok() ? QStringLiteral("ok") : r.error().code;
}

// Buys and settles at once: one trade used, profit realized.
void trade(LimitLedger &ledger, Money stake, Money profit)
{
    const Result<Reservation> r = ledger.reserve(s_acct, stake);
    QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
    QVERIFY(ledger.confirm(r.value()).ok());
    QVERIFY(ledger.settle(r.value(), profit).ok());
}

} // namespace

class TestLimitLedger final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void unseededAccountRefuses();
    void maxStake();
    void tradesPerDay();
    void concurrentOpen();
    void dailyLossAbsolute();
    void dailyLossCountsStakesAtRisk();
    void dailyLossPercentOfStartBalance();
    void profitWidensTheRoom();
    void releaseConfirmSettleArithmetic();
    void misuseIsRefused();
    void restartViaSeed();
    void seedOfAnEarlierDayRollsOver();
    void seedRefusedWhileReserved();
    void seedValidates();
    void dayRollover();
    void dayOffset();
    void configChangeAppliesToNextReserve();
    void snapshotReportsUsedAndMax();
    void verifyAgainstTheSharedJournal();
    void journalViewInSnapshot();
    void journalPnlIsTheAccounts();
    void raceForTheLastSlot_data();
    void raceForTheLastSlot();
};

void TestLimitLedger::unseededAccountRefuses()
{
    Test::FakeClock clock(utcMs(2024, 5, 1, 10));
    LimitLedger ledger(clock);
    QSignalSpy reached(&ledger, &LimitLedger::limitReached);
    const Result<Reservation> r = ledger.reserve(s_acct, usd(100));
    QCOMPARE(code(r), QStringLiteral("LimitNotSeeded"));
    QCOMPARE(r.error().kind, ErrorKind::NotSent);
    QCOMPARE(r.error().account, s_acct);
    QVERIFY(ledger.snapshot(s_acct).exhausted.contains(QStringLiteral("LimitNotSeeded")));
    QVERIFY(!ledger.snapshot(s_acct).seeded);
    QCOMPARE(reached.count(), 0); // missing data is not a limit
}

void TestLimitLedger::maxStake()
{
    Test::FakeClock clock(utcMs(2024, 5, 1, 10));
    LimitLedger ledger(clock);
    QVERIFY(ledger.seed(s_acct, smallConfig(), freshDay()).ok());
    QSignalSpy reached(&ledger, &LimitLedger::limitReached);
    const Result<Reservation> r = ledger.reserve(s_acct, usd(501));
    QCOMPARE(code(r), QStringLiteral("LimitMaxStake"));
    QVERIFY(r.error().message.contains(QLatin1String("5.01")));
    QVERIFY(r.error().message.contains(QLatin1String("sells are never blocked")));
    QCOMPARE(reached.count(), 1);
    QCOMPARE(reached.at(0).at(0).toString(), s_acct);
    QCOMPARE(reached.at(0).at(1).value<Error>().code, QStringLiteral("LimitMaxStake"));
    QCOMPARE(ledger.snapshot(s_acct).tradesToday, 0); // a refusal uses nothing
    QVERIFY(ledger.reserve(s_acct, usd(500)).ok());
}

void TestLimitLedger::tradesPerDay()
{
    Test::FakeClock clock(utcMs(2024, 5, 1, 10));
    LimitLedger ledger(clock);
    QVERIFY(ledger.seed(s_acct, smallConfig(), freshDay()).ok());
    trade(ledger, usd(100), usd(95));
    trade(ledger, usd(100), usd(-100));
    const Result<Reservation> third = ledger.reserve(s_acct, usd(100));
    QVERIFY(third.ok());
    const Result<Reservation> fourth = ledger.reserve(s_acct, usd(100));
    QCOMPARE(code(fourth), QStringLiteral("LimitTradesPerDay"));
    QVERIFY2(fourth.error().message.contains(QLatin1String("3 of 3")), qPrintable(fourth.error().message));
    QCOMPARE(fourth.error().details.value(QLatin1String("used")).toInt(), 3);
    QCOMPARE(fourth.error().details.value(QLatin1String("max")).toInt(), 3);
    QCOMPARE(fourth.error().details.value(QLatin1String("transient")).toBool(), false);
    // The third buy was not sent after all: its trade is given back.
    QVERIFY(ledger.release(third.value()).ok());
    QCOMPARE(ledger.snapshot(s_acct).tradesToday, 2);
    QVERIFY(ledger.reserve(s_acct, usd(100)).ok());
}

void TestLimitLedger::concurrentOpen()
{
    Test::FakeClock clock(utcMs(2024, 5, 1, 10));
    LimitLedger ledger(clock);
    LimitConfig c = smallConfig();
    c.maxTradesPerDay = 100;
    QVERIFY(ledger.seed(s_acct, c, freshDay()).ok());
    const Result<Reservation> a = ledger.reserve(s_acct, usd(100));
    const Result<Reservation> b = ledger.reserve(s_acct, usd(100));
    QVERIFY(a.ok() && b.ok());
    QVERIFY(ledger.confirm(a.value()).ok()); // one open, one still pending: both count
    const Result<Reservation> third = ledger.reserve(s_acct, usd(100));
    QCOMPARE(code(third), QStringLiteral("LimitConcurrentOpen"));
    QCOMPARE(third.error().details.value(QLatin1String("open")).toInt(), 1);
    QCOMPARE(third.error().details.value(QLatin1String("pending")).toInt(), 1);
    QCOMPARE(third.error().details.value(QLatin1String("transient")).toBool(), true);
    QVERIFY(ledger.settle(a.value(), usd(95)).ok());
    QVERIFY(ledger.reserve(s_acct, usd(100)).ok());
}

void TestLimitLedger::dailyLossAbsolute()
{
    Test::FakeClock clock(utcMs(2024, 5, 1, 10));
    LimitLedger ledger(clock);
    LimitConfig c = smallConfig();
    c.maxTradesPerDay = 100;
    QVERIFY(ledger.seed(s_acct, c, freshDay()).ok());
    trade(ledger, usd(300), usd(-300));
    trade(ledger, usd(300), usd(-300)); // realized -6.00 of 10.00
    const Result<Reservation> tooMuch = ledger.reserve(s_acct, usd(500));
    QCOMPARE(code(tooMuch), QStringLiteral("LimitDailyLoss"));
    QCOMPARE(tooMuch.error().details.value(QLatin1String("transient")).toBool(), false);
    QCOMPARE(tooMuch.error().details.value(QLatin1String("max")).toString(), QStringLiteral("10.00"));
    QVERIFY2(tooMuch.error().message.contains(QLatin1String("11.00")), qPrintable(tooMuch.error().message));
    // Exactly reaching the limit is allowed.
    const Result<Reservation> last = ledger.reserve(s_acct, usd(400));
    QVERIFY(last.ok());
    QVERIFY(ledger.settle(last.value(), usd(-400)).ok());
    QCOMPARE(code(ledger.reserve(s_acct, usd(1))), QStringLiteral("LimitDailyLoss"));
    QVERIFY(ledger.snapshot(s_acct).exhausted.contains(QStringLiteral("LimitDailyLoss")));
}

void TestLimitLedger::dailyLossCountsStakesAtRisk()
{
    Test::FakeClock clock(utcMs(2024, 5, 1, 10));
    LimitLedger ledger(clock);
    LimitConfig c = smallConfig();
    c.maxTradesPerDay = 100;
    c.maxConcurrentOpen = 10;
    QVERIFY(ledger.seed(s_acct, c, freshDay()).ok());
    const Result<Reservation> a = ledger.reserve(s_acct, usd(500));
    const Result<Reservation> b = ledger.reserve(s_acct, usd(500)); // worst case exactly 10.00
    QVERIFY(a.ok() && b.ok());
    const Result<Reservation> c3 = ledger.reserve(s_acct, usd(1));
    QCOMPARE(code(c3), QStringLiteral("LimitDailyLoss"));
    QCOMPARE(c3.error().details.value(QLatin1String("transient")).toBool(), true); // only open stakes hold it
    QCOMPARE(c3.error().details.value(QLatin1String("at_risk")).toString(), QStringLiteral("10.00"));
    // One wins: its stake is no longer at risk and the profit widens the room.
    QVERIFY(ledger.settle(a.value(), usd(475)).ok());
    QVERIFY(ledger.reserve(s_acct, usd(500)).ok());
}

void TestLimitLedger::dailyLossPercentOfStartBalance()
{
    Test::FakeClock clock(utcMs(2024, 5, 1, 10));
    LimitLedger ledger(clock);
    LimitConfig c; // 20 %, 100 trades, 5 concurrent, no max stake
    QVERIFY(ledger.seed(s_acct, c, freshDay(5000)).ok()); // 50.00 -> limit 10.00
    QCOMPARE(ledger.snapshot(s_acct).dailyLossLimit, usd(1000));
    QCOMPARE(code(ledger.reserve(s_acct, usd(1001))), QStringLiteral("LimitDailyLoss"));
    QVERIFY(ledger.reserve(s_acct, usd(1000)).ok());
}

void TestLimitLedger::profitWidensTheRoom()
{
    Test::FakeClock clock(utcMs(2024, 5, 1, 10));
    LimitLedger ledger(clock);
    LimitConfig c = smallConfig();
    c.maxTradesPerDay = 100;
    c.maxStake.reset();
    QVERIFY(ledger.seed(s_acct, c, freshDay()).ok());
    trade(ledger, usd(500), usd(450)); // +4.50 today
    QVERIFY(ledger.reserve(s_acct, usd(1450)).ok()); // worst case: 14.50 - 4.50 = 10.00
}

void TestLimitLedger::releaseConfirmSettleArithmetic()
{
    Test::FakeClock clock(utcMs(2024, 5, 1, 10));
    LimitLedger ledger(clock);
    LimitConfig c = smallConfig();
    c.maxTradesPerDay = 100;
    c.maxConcurrentOpen = 5;
    QVERIFY(ledger.seed(s_acct, c, freshDay()).ok());

    const Reservation a = ledger.reserve(s_acct, usd(200)).value();
    const Reservation b = ledger.reserve(s_acct, usd(300)).value();
    QVERIFY(a.isValid() && b.isValid() && a.id != b.id);
    QCOMPARE(a.account, s_acct);
    QCOMPARE(a.stake, usd(200));
    QCOMPARE(a.day, QDate(2024, 5, 1));
    LimitStatus s = ledger.snapshot(s_acct);
    QCOMPARE(s.tradesToday, 2);
    QCOMPARE(s.pendingContracts, 2);
    QCOMPARE(s.openContracts, 0);
    QCOMPARE(s.stakeAtRisk, usd(500));

    QVERIFY(ledger.confirm(a).ok());
    QVERIFY(ledger.confirm(a).ok()); // idempotent
    s = ledger.snapshot(s_acct);
    QCOMPARE(s.pendingContracts, 1);
    QCOMPARE(s.openContracts, 1);
    QCOMPARE(s.stakeAtRisk, usd(500));

    QVERIFY(ledger.release(b).ok());
    s = ledger.snapshot(s_acct);
    QCOMPARE(s.tradesToday, 1);
    QCOMPARE(s.pendingContracts, 0);
    QCOMPARE(s.stakeAtRisk, usd(200));

    QVERIFY(ledger.settle(a, usd(-200)).ok());
    s = ledger.snapshot(s_acct);
    QCOMPARE(s.tradesToday, 1); // a settled trade still counts
    QCOMPARE(s.openContracts, 0);
    QCOMPARE(s.stakeAtRisk, usd(0));
    QCOMPARE(s.realizedPnl, usd(-200));
    QCOMPARE(s.lossUsed, usd(200));

    // A reservation can be settled without a confirm (reconciliation found it bought and closed).
    const Reservation d = ledger.reserve(s_acct, usd(100)).value();
    QVERIFY(ledger.settle(d, usd(95)).ok());
    s = ledger.snapshot(s_acct);
    QCOMPARE(s.realizedPnl, usd(-105));
    QCOMPARE(s.tradesToday, 2);
    QCOMPARE(s.pendingContracts, 0);
    QCOMPARE(s.openContracts, 0);
}

void TestLimitLedger::misuseIsRefused()
{
    Test::FakeClock clock(utcMs(2024, 5, 1, 10));
    LimitLedger ledger(clock);
    QVERIFY(ledger.seed(s_acct, smallConfig(), freshDay()).ok());
    const Reservation a = ledger.reserve(s_acct, usd(100)).value();
    QVERIFY(ledger.release(a).ok());
    // Releasing twice must not give back a second trade.
    const Result<void> twice = ledger.release(a);
    QCOMPARE(twice.error().code, QStringLiteral("LimitUnknownReservation"));
    QCOMPARE(ledger.snapshot(s_acct).tradesToday, 0);
    QCOMPARE(ledger.settle(a, usd(0)).error().code, QStringLiteral("LimitUnknownReservation"));
    QCOMPARE(ledger.confirm(a).error().code, QStringLiteral("LimitUnknownReservation"));

    const Reservation b = ledger.reserve(s_acct, usd(100)).value();
    QVERIFY(ledger.confirm(b).ok());
    QCOMPARE(ledger.release(b).error().code, QStringLiteral("LimitReservationConfirmed"));
    QCOMPARE(ledger.snapshot(s_acct).openContracts, 1);
    QVERIFY(ledger.settle(b, usd(-100)).ok());
    QCOMPARE(ledger.settle(b, usd(-100)).error().code, QStringLiteral("LimitUnknownReservation"));
    QCOMPARE(ledger.snapshot(s_acct).realizedPnl, usd(-100)); // not counted twice

    QCOMPARE(code(ledger.reserve(s_acct, usd(0))), QStringLiteral("InvalidStake"));
    QCOMPARE(code(ledger.reserve(s_acct, usd(-5))), QStringLiteral("InvalidStake"));
    QCOMPARE(code(ledger.reserve(s_acct, Money::fromMinor(100, 8))), QStringLiteral("InvalidStake"));
    Reservation forged = b;
    forged.id = 999999;
    QCOMPARE(ledger.settle(forged, usd(1)).error().code, QStringLiteral("LimitUnknownReservation"));
}

void TestLimitLedger::restartViaSeed()
{
    Test::FakeClock clock(utcMs(2024, 5, 1, 18));
    LimitLedger ledger(clock);
    LimitConfig c; // 100 trades/day
    c.dailyLossAbsolute = usd(2000);
    LedgerUsage u;
    u.day = QDate(2024, 5, 1);
    u.tradesToday = 99;
    u.realizedPnl = usd(-1500);
    u.openContracts = 1;
    u.openStake = usd(200);
    u.startOfDayBalance = usd(10000);
    QVERIFY(ledger.seed(s_acct, c, u).ok());

    LimitStatus s = ledger.snapshot(s_acct);
    QCOMPARE(s.tradesToday, 99);
    QCOMPARE(s.openContracts, 1);
    QCOMPARE(s.stakeAtRisk, usd(200));
    QCOMPARE(s.lossUsed, usd(1700));
    // 15.00 lost + 2.00 at risk: 3.00 of room left.
    QCOMPARE(code(ledger.reserve(s_acct, usd(301))), QStringLiteral("LimitDailyLoss"));
    const Result<Reservation> last = ledger.reserve(s_acct, usd(300));
    QVERIFY(last.ok());
    QVERIFY(ledger.release(last.value()).ok());
    QVERIFY(ledger.reserve(s_acct, usd(100)).ok()); // trade 100 of 100
    QCOMPARE(code(ledger.reserve(s_acct, usd(100))), QStringLiteral("LimitTradesPerDay"));

    // The contract that was open before the restart settles (no reservation for it).
    QVERIFY(ledger.settle(s_acct, usd(200), usd(190)).ok());
    s = ledger.snapshot(s_acct);
    QCOMPARE(s.openContracts, 0);
    QCOMPARE(s.realizedPnl, usd(-1310));
    QCOMPARE(s.stakeAtRisk, usd(100));
    QCOMPARE(ledger.settle(s_acct, usd(200), usd(0)).error().code, QStringLiteral("LimitUnknownContract"));
}

void TestLimitLedger::seedOfAnEarlierDayRollsOver()
{
    Test::FakeClock clock(utcMs(2024, 5, 2, 9));
    LimitLedger ledger(clock);
    QSignalSpy rolled(&ledger, &LimitLedger::dayRolledOver);
    LedgerUsage u;
    u.day = QDate(2024, 5, 1);
    u.tradesToday = 50;
    u.realizedPnl = usd(-900);
    u.openContracts = 1;
    u.openStake = usd(300);
    u.startOfDayBalance = usd(10000);
    QVERIFY(ledger.seed(s_acct, LimitConfig(), u).ok());
    const LimitStatus s = ledger.snapshot(s_acct);
    QCOMPARE(s.day, QDate(2024, 5, 2));
    QCOMPARE(s.tradesToday, 0);
    QCOMPARE(s.realizedPnl, usd(0));
    QCOMPARE(s.openContracts, 1);      // still open
    QCOMPARE(s.stakeAtRisk, usd(300)); // still at risk
    QVERIFY(!s.startBalanceKnown);     // yesterday's balance is not today's
    QCOMPARE(rolled.count(), 1);
    QCOMPARE(rolled.at(0).at(1).toDate(), QDate(2024, 5, 2));
    QCOMPARE(code(ledger.reserve(s_acct, usd(100))), QStringLiteral("LimitDayNotSeeded"));
}

void TestLimitLedger::seedRefusedWhileReserved()
{
    Test::FakeClock clock(utcMs(2024, 5, 1, 10));
    LimitLedger ledger(clock);
    QVERIFY(ledger.seed(s_acct, smallConfig(), freshDay()).ok());
    const Reservation r = ledger.reserve(s_acct, usd(100)).value();
    QCOMPARE(ledger.seed(s_acct, smallConfig(), freshDay()).error().code, QStringLiteral("LimitLedgerBusy"));
    QCOMPARE(ledger.snapshot(s_acct).tradesToday, 1); // not wiped
    QVERIFY(ledger.release(r).ok());
    QVERIFY(ledger.seed(s_acct, smallConfig(), freshDay()).ok());
}

void TestLimitLedger::seedValidates()
{
    Test::FakeClock clock(utcMs(2024, 5, 1, 10));
    LimitLedger ledger(clock);
    LimitConfig bad;
    bad.maxConcurrentOpen = 0;
    const Result<void> r = ledger.seed(s_acct, bad, freshDay());
    QCOMPARE(r.error().code, QStringLiteral("InvalidLimitConfig"));
    QCOMPARE(r.error().account, s_acct);
    LedgerUsage u = freshDay();
    u.tradesToday = -1;
    QCOMPARE(ledger.seed(s_acct, LimitConfig(), u).error().code, QStringLiteral("InvalidDailyUsage"));
    u = freshDay();
    u.openStake = usd(100); // with no open contracts
    QCOMPARE(ledger.seed(s_acct, LimitConfig(), u).error().code, QStringLiteral("InvalidDailyUsage"));
    QCOMPARE(code(ledger.reserve(s_acct, usd(100))), QStringLiteral("LimitNotSeeded"));
    QCOMPARE(ledger.setConfig(s_acct, LimitConfig()).error().code, QStringLiteral("LimitNotSeeded"));
}

void TestLimitLedger::dayRollover()
{
    Test::FakeClock clock(utcMs(2024, 5, 1, 23, 50));
    LimitLedger ledger(clock);
    LimitConfig c = smallConfig();
    QVERIFY(ledger.seed(s_acct, c, freshDay()).ok());
    QCOMPARE(ledger.currentDay(), QDate(2024, 5, 1));
    QCOMPARE(ledger.msUntilRollover(), 10 * 60'000);
    trade(ledger, usd(300), usd(-300));
    trade(ledger, usd(300), usd(-300));
    const Reservation late = ledger.reserve(s_acct, usd(100)).value(); // trade 3 of 3, still pending
    QCOMPARE(code(ledger.reserve(s_acct, usd(100))), QStringLiteral("LimitTradesPerDay"));

    QSignalSpy rolled(&ledger, &LimitLedger::dayRolledOver);
    clock.advance(10 * 60'000); // 00:00 UTC
    QCOMPARE(ledger.currentDay(), QDate(2024, 5, 2));
    const Result<Reservation> refused = ledger.reserve(s_acct, usd(100));
    QCOMPARE(code(refused), QStringLiteral("LimitDayNotSeeded"));
    QVERIFY2(refused.error().message.contains(QLatin1String("2024-05-02")), qPrintable(refused.error().message));
    QCOMPARE(rolled.count(), 1);
    QCOMPARE(rolled.at(0).at(0).toString(), s_acct);

    QCOMPARE(ledger.setStartOfDayBalance(s_acct, QDate(2024, 5, 1), usd(9000)).error().code,
             QStringLiteral("LimitStaleDay"));
    QVERIFY(ledger.setStartOfDayBalance(s_acct, QDate(2024, 5, 2), usd(9400)).ok());
    LimitStatus s = ledger.snapshot(s_acct);
    QCOMPARE(s.tradesToday, 0);
    QCOMPARE(s.realizedPnl, usd(0));
    QCOMPARE(s.pendingContracts, 1); // yesterday's pending buy is still there
    QCOMPARE(s.stakeAtRisk, usd(100));

    const Reservation today = ledger.reserve(s_acct, usd(100)).value();
    QCOMPARE(today.day, QDate(2024, 5, 2));
    QCOMPARE(code(ledger.reserve(s_acct, usd(100))), QStringLiteral("LimitConcurrentOpen")); // 2 of 2
    // Releasing yesterday's reservation frees the slot but not one of today's trades.
    QVERIFY(ledger.release(late).ok());
    s = ledger.snapshot(s_acct);
    QCOMPARE(s.tradesToday, 1);
    QCOMPARE(s.pendingContracts, 1);
    // A contract bought yesterday and settled today counts toward today's P&L.
    QVERIFY(ledger.settle(today, usd(-100)).ok());
    QCOMPARE(ledger.snapshot(s_acct).realizedPnl, usd(-100));
    QCOMPARE(rolled.count(), 1);
}

void TestLimitLedger::dayOffset()
{
    // The ledger day starts at 21:00 UTC (offset −3 h).
    Test::FakeClock clock(utcMs(2024, 5, 1, 20, 59));
    LimitLedger ledger(clock, -3 * 3'600'000);
    QCOMPARE(ledger.currentDay(), QDate(2024, 5, 1));
    QCOMPARE(ledger.msUntilRollover(), 60'000);
    QVERIFY(ledger.seed(s_acct, smallConfig(), freshDay()).ok());
    trade(ledger, usd(100), usd(-100));
    clock.advance(60'000);
    QCOMPARE(ledger.currentDay(), QDate(2024, 5, 2));
    QCOMPARE(ledger.snapshot(s_acct).tradesToday, 0);
    QCOMPARE(code(ledger.reserve(s_acct, usd(100))), QStringLiteral("LimitDayNotSeeded"));
    QVERIFY2(ledger.reserve(s_acct, usd(100)).error().message.contains(QLatin1String("2024-05-02")), "");

    LimitLedger plus(clock, 2 * 3'600'000); // starts at 02:00 UTC; now 21:00 UTC on May 1
    QCOMPARE(plus.currentDay(), QDate(2024, 5, 1));
    QCOMPARE(plus.msUntilRollover(), 5 * 3'600'000);
}

void TestLimitLedger::configChangeAppliesToNextReserve()
{
    Test::FakeClock clock(utcMs(2024, 5, 1, 10));
    LimitLedger ledger(clock);
    QVERIFY(ledger.seed(s_acct, smallConfig(), freshDay()).ok());
    trade(ledger, usd(100), usd(-100));
    LimitConfig tighter = smallConfig();
    tighter.maxTradesPerDay = 1;
    QVERIFY(ledger.setConfig(s_acct, tighter).ok());
    QCOMPARE(code(ledger.reserve(s_acct, usd(100))), QStringLiteral("LimitTradesPerDay"));
    QCOMPARE(ledger.snapshot(s_acct).tradesToday, 1); // usage kept
    LimitConfig invalid = tighter;
    invalid.maxTradesPerDay = 0;
    QCOMPARE(ledger.setConfig(s_acct, invalid).error().code, QStringLiteral("InvalidLimitConfig"));
    QCOMPARE(ledger.snapshot(s_acct).maxTradesPerDay, 1);
}

void TestLimitLedger::snapshotReportsUsedAndMax()
{
    Test::FakeClock clock(utcMs(2024, 5, 1, 10));
    LimitLedger ledger(clock);
    LimitConfig c = smallConfig();
    c.dailyLossAbsolute.reset(); // 20 % of 100.00
    QVERIFY(ledger.seed(s_acct, c, freshDay()).ok());
    trade(ledger, usd(400), usd(-400));
    (void)ledger.reserve(s_acct, usd(300));
    const LimitStatus s = ledger.snapshot(s_acct);
    QCOMPARE(s.account, s_acct);
    QCOMPARE(s.day, QDate(2024, 5, 1));
    QVERIFY(s.seeded);
    QVERIFY(s.startBalanceKnown);
    QCOMPARE(s.tradesToday, 2);
    QCOMPARE(s.maxTradesPerDay, 3);
    QCOMPARE(s.pendingContracts, 1);
    QCOMPARE(s.maxConcurrentOpen, 2);
    QCOMPARE(s.realizedPnl, usd(-400));
    QCOMPARE(s.stakeAtRisk, usd(300));
    QCOMPARE(s.lossUsed, usd(700));
    QCOMPARE(s.dailyLossLimit, usd(2000));
    QCOMPARE(s.dailyLossRule, QStringLiteral("20 % of start-of-day balance"));
    QCOMPARE(s.maxStake, usd(500));
    QCOMPARE(s.startOfDayBalance, usd(10000));
    QCOMPARE(s.blocks, QStringLiteral("new buys; sells are never blocked"));
    QVERIFY(s.exhausted.isEmpty());
    const QJsonObject j = s.toJson();
    QCOMPARE(j.value(QLatin1String("loss_used")).toString(), QStringLiteral("7.00"));
    QCOMPARE(j.value(QLatin1String("daily_loss_limit")).toString(), QStringLiteral("20.00"));
    QCOMPARE(j.value(QLatin1String("trades_today")).toInt(), 2);
    QCOMPARE(j.value(QLatin1String("day")).toString(), QStringLiteral("2024-05-01"));

    (void)ledger.reserve(s_acct, usd(300));
    const LimitStatus full = ledger.snapshot(s_acct);
    QCOMPARE(full.exhausted, (QStringList{QStringLiteral("LimitTradesPerDay"), QStringLiteral("LimitConcurrentOpen")}));
}

void TestLimitLedger::verifyAgainstTheSharedJournal()
{
    // This instance has used nothing; the journal (every instance sharing it) says otherwise.
    Test::FakeClock clock(utcMs(2024, 5, 1, 10));
    LimitLedger ledger(clock);
    QVERIFY(ledger.seed(s_acct, smallConfig(), freshDay()).ok());
    const Result<Reservation> r = ledger.reserve(s_acct, usd(100));
    QVERIFY(r.ok());

    LedgerUsage journal;
    journal.day = QDate(2024, 5, 1);
    journal.tradesToday = 2;
    journal.openContracts = 1;
    journal.openStake = usd(100);
    journal.realizedPnl = usd(0);
    QVERIFY(ledger.verify(r.value(), journal).ok()); // 2 + this one = 3 of 3; 1 open + this = 2 of 2

    journal.tradesToday = 3; // another instance took the last trade of the day
    QSignalSpy reached(&ledger, &LimitLedger::limitReached);
    Result<void> v = ledger.verify(r.value(), journal);
    QVERIFY(!v.ok());
    QCOMPARE(v.error().code, QStringLiteral("LimitTradesPerDay"));
    QCOMPARE(v.error().details.value(QLatin1String("shared")).toBool(), true);
    QCOMPARE(v.error().details.value(QLatin1String("transient")).toBool(), false);
    QVERIFY2(v.error().message.contains(QLatin1String("3 of 3")), qPrintable(v.error().message));
    QCOMPARE(reached.size(), 1);

    journal.tradesToday = 0;
    journal.openContracts = 2; // two contracts of other instances open
    journal.openStake = usd(200);
    v = ledger.verify(r.value(), journal);
    QVERIFY(!v.ok());
    QCOMPARE(v.error().code, QStringLiteral("LimitConcurrentOpen"));
    QCOMPARE(v.error().details.value(QLatin1String("transient")).toBool(), true);

    journal.openContracts = 1;
    journal.openStake = usd(500);
    journal.realizedPnl = usd(-450); // 5.00 at risk + 4.50 lost + this 1.00 > 10.00
    v = ledger.verify(r.value(), journal);
    QVERIFY(!v.ok());
    QCOMPARE(v.error().code, QStringLiteral("LimitDailyLoss"));

    // A view of another day (the day rolled over while reading) is not checked against today: refused, transiently.
    journal.day = QDate(2024, 4, 30);
    v = ledger.verify(r.value(), journal);
    QVERIFY(!v.ok());
    QCOMPARE(v.error().code, QStringLiteral("LimitDayChanged"));
    QCOMPARE(v.error().details.value(QLatin1String("transient")).toBool(), true);
    QCOMPARE(ledger.dayStartMs(QDate(2024, 5, 1)), utcMs(2024, 5, 1, 0));
    // A reservation that is not outstanding cannot be verified.
    QVERIFY(ledger.release(r.value()).ok());
    journal.day = QDate(2024, 5, 1);
    QCOMPARE(ledger.verify(r.value(), journal).error().code, QStringLiteral("LimitUnknownReservation"));
}

void TestLimitLedger::journalViewInSnapshot()
{
    Test::FakeClock clock(utcMs(2024, 5, 1, 10));
    LimitLedger ledger(clock);
    QVERIFY(ledger.seed(s_acct, smallConfig(), freshDay()).ok());
    LedgerUsage journal;
    journal.day = QDate(2024, 5, 1);
    journal.tradesToday = 3;
    journal.openContracts = 2;
    journal.openStake = usd(300);
    journal.realizedPnl = usd(-200);
    journal.otherJournalsTrades = 2; // of which instances on other journals, through Redis
    journal.otherJournalsOpen = 1;
    journal.otherJournalsPnl = usd(-150);
    QVERIFY(ledger.noteJournalUsage(s_acct, journal).ok());
    LimitStatus s = ledger.snapshot(s_acct);
    QCOMPARE(s.tradesToday, 3);
    QCOMPARE(s.openContracts, 2);
    QCOMPARE(s.stakeAtRisk, usd(300));
    QCOMPARE(s.realizedPnl, usd(-200));
    QCOMPARE(s.otherJournalsTrades, 2);
    QCOMPARE(s.otherJournalsOpen, 1);
    QCOMPARE(s.otherJournalsPnl, usd(-150));
    QCOMPARE(s.toJson().value(QLatin1String("other_journals")).toObject().value(QLatin1String("trades_today")).toInt(), 2);
    QVERIFY(s.exhausted.contains(QStringLiteral("LimitTradesPerDay")));
    // Not a reason for reserve() to refuse (a counted buy may have failed since): verify() reads again under the lock.
    const Result<Reservation> r = ledger.reserve(s_acct, usd(100));
    QVERIFY(r.ok());
    QVERIFY(ledger.release(r.value()).ok());
    // Open contracts and P&L of other instances are shown while recent; trades stay counted all day.
    clock.advance(60'000);
    s = ledger.snapshot(s_acct);
    QCOMPARE(s.tradesToday, 3);
    QCOMPARE(s.openContracts, 0);
    QCOMPARE(s.stakeAtRisk, usd(0));
    QCOMPARE(s.otherJournalsTrades, 2);
    QCOMPARE(s.otherJournalsOpen, 0);
    QVERIFY(s.otherJournalsPnl.isZero());
    // The next day forgets it.
    clock.advance(24 * 3600 * 1000);
    QCOMPARE(ledger.snapshot(s_acct).tradesToday, 0);
}

// Instances on one account show one P&L: the journal's figure (every instance's settlements), plus this instance's
// settlements after it was read; not the lower of that and this instance's own.
void TestLimitLedger::journalPnlIsTheAccounts()
{
    Test::FakeClock clock(utcMs(2024, 5, 1, 10));
    LimitLedger ledger(clock);
    QVERIFY(ledger.seed(s_acct, smallConfig(), freshDay()).ok());
    const Result<Reservation> first = ledger.reserve(s_acct, usd(100));
    QVERIFY(first.ok() && ledger.confirm(first.value()).ok());
    QVERIFY(ledger.settle(first.value(), usd(-60)).ok()); // this instance lost 0.60
    LedgerUsage journal;
    journal.day = QDate(2024, 5, 1);
    journal.tradesToday = 4;
    journal.realizedPnl = usd(38); // the account: that loss and 0.98 other instances won
    journal.otherJournalsTrades = 2;
    journal.otherJournalsPnl = usd(50);
    QVERIFY(ledger.noteJournalUsage(s_acct, journal).ok());
    QCOMPARE(ledger.snapshot(s_acct).realizedPnl, usd(38));
    // A settlement here after the read counts at once.
    const Result<Reservation> second = ledger.reserve(s_acct, usd(100));
    QVERIFY(second.ok() && ledger.confirm(second.value()).ok());
    QVERIFY(ledger.settle(second.value(), usd(-50)).ok());
    QCOMPARE(ledger.snapshot(s_acct).realizedPnl, usd(-12));
    // The next read counts it itself.
    journal.realizedPnl = usd(-12);
    QVERIFY(ledger.noteJournalUsage(s_acct, journal).ok());
    QCOMPARE(ledger.snapshot(s_acct).realizedPnl, usd(-12));
    // An old read is not shown: this instance's own figure is.
    clock.advance(60'000);
    QCOMPARE(ledger.snapshot(s_acct).realizedPnl, usd(-110));
}

void TestLimitLedger::raceForTheLastSlot_data()
{
    QTest::addColumn<QString>("limit");
    QTest::newRow("trades per day") << "LimitTradesPerDay";
    QTest::newRow("concurrent open") << "LimitConcurrentOpen";
    QTest::newRow("daily loss") << "LimitDailyLoss";
}

void TestLimitLedger::raceForTheLastSlot()
{
    QFETCH(QString, limit);
    constexpr int threads = 10;
    constexpr int rounds = 300;
    for (int round = 0; round < rounds; ++round) {
        Test::FakeClock clock(utcMs(2024, 5, 1, 10));
        LimitLedger ledger(clock);
        LimitConfig c;
        c.maxTradesPerDay = 1000;
        c.maxConcurrentOpen = 1000;
        c.dailyLossAbsolute = usd(1'000'000);
        LedgerUsage u = freshDay();
        if (limit == QLatin1String("LimitTradesPerDay")) {
            c.maxTradesPerDay = 50;
            u.tradesToday = 49;
        } else if (limit == QLatin1String("LimitConcurrentOpen")) {
            c.maxConcurrentOpen = 5;
            u.openContracts = 4;
            u.openStake = usd(400);
        } else {
            c.dailyLossAbsolute = usd(1000);
            u.realizedPnl = usd(-900); // room for exactly one 1.00 stake
        }
        QVERIFY(ledger.seed(s_acct, c, u).ok());

        std::atomic<int> granted{0};
        std::atomic<int> refusedRight{0};
        std::latch start(threads);
        std::vector<std::thread> pool;
        pool.reserve(threads);
        for (int t = 0; t < threads; ++t) {
            pool.emplace_back([&] {
                start.arrive_and_wait();
                const Result<Reservation> r = ledger.reserve(s_acct, usd(100));
                if (r.ok())
                    ++granted;
                else if (r.error().code == limit)
                    ++refusedRight;
            });
        }
        for (std::thread &t : pool)
            t.join();
        QCOMPARE(granted.load(), 1);
        QCOMPARE(refusedRight.load(), threads - 1);
    }
}

QTEST_APPLESS_MAIN(TestLimitLedger)
#include "tst_limitledger.moc"
