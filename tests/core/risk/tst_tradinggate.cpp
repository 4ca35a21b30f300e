// SPDX-License-Identifier: GPL-3.0-or-later
#include <atomic>
#include <latch>
#include <random>
#include <thread>
#include <vector>

#include <QTest>

#include "risk/tradinggate.h"

using namespace Vigil;

class TestTradingGate final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void unknownAccountIsActive();
    void effectiveIsTheStricter_data();
    void effectiveIsTheStricter();
    void refusalNamesScopeStateAndReason();
    void accountsAreIndependent();
    void registeredAccountsAreListed();
    void fullTableFailsSafe();
    void manyAccountsWithCollisions();
    void stressWritersAndReaders();
    void liftGlobalOnlyForTheSameReason();
};

void TestTradingGate::liftGlobalOnlyForTheSameReason()
{
    TradingGate gate;
    gate.setGlobal(GateState::Halted, QStringLiteral("stop in force"));
    QVERIFY(!gate.liftGlobalIf(QStringLiteral("another reason"), QStringLiteral("lifted")));
    QCOMPARE(gate.globalState(), GateState::Halted);
    // The kill switch pressed meanwhile: its halt stays.
    gate.setGlobal(GateState::Halted, QStringLiteral("kill switch"));
    QVERIFY(!gate.liftGlobalIf(QStringLiteral("stop in force"), QStringLiteral("lifted")));
    QCOMPARE(gate.globalReason(), QStringLiteral("kill switch"));
    QVERIFY(gate.liftGlobalIf(QStringLiteral("kill switch"), QStringLiteral("re-armed")));
    QCOMPARE(gate.globalState(), GateState::Active);
    QCOMPARE(gate.globalReason(), QStringLiteral("re-armed"));
    QVERIFY(!gate.liftGlobalIf(QStringLiteral("re-armed"), QStringLiteral("again"))); // already active
}

void TestTradingGate::unknownAccountIsActive()
{
    TradingGate gate;
    QCOMPARE(gate.effective(QStringLiteral("CR1")), GateState::Active);
    QVERIFY(gate.checkBuy(QStringLiteral("CR1")).ok());
    QVERIFY(gate.checkSell(QStringLiteral("CR1"), false).ok());
    QVERIFY(gate.accounts().isEmpty()); // reading does not create entries
    gate.setGlobal(GateState::Halted, QStringLiteral("kill switch"));
    QCOMPARE(gate.effective(QStringLiteral("never-seen")), GateState::Halted);
    QVERIFY(!gate.checkBuy(QStringLiteral("never-seen")).ok());
}

void TestTradingGate::effectiveIsTheStricter_data()
{
    QTest::addColumn<GateState>("account");
    QTest::addColumn<GateState>("global");
    QTest::addColumn<GateState>("effective");
    QTest::addColumn<bool>("buy");
    QTest::addColumn<bool>("sell");
    QTest::addColumn<bool>("killSwitchSell");
    const GateState A = GateState::Active, R = GateState::Reducing, H = GateState::Halted;
    QTest::newRow("active/active") << A << A << A << true << true << true;
    QTest::newRow("reducing/active") << R << A << R << false << true << true;
    QTest::newRow("active/reducing") << A << R << R << false << true << true;
    QTest::newRow("halted/active") << H << A << H << false << false << true;
    QTest::newRow("active/halted") << A << H << H << false << false << true;
    QTest::newRow("reducing/halted") << R << H << H << false << false << true;
    QTest::newRow("halted/reducing") << H << R << H << false << false << true;
    QTest::newRow("reducing/reducing") << R << R << R << false << true << true;
    QTest::newRow("halted/halted") << H << H << H << false << false << true;
}

void TestTradingGate::effectiveIsTheStricter()
{
    QFETCH(GateState, account);
    QFETCH(GateState, global);
    QFETCH(GateState, effective);
    QFETCH(bool, buy);
    QFETCH(bool, sell);
    QFETCH(bool, killSwitchSell);
    TradingGate gate;
    QVERIFY(gate.setAccount(QStringLiteral("CR1"), account, QStringLiteral("acct")).ok());
    gate.setGlobal(global, QStringLiteral("glob"));
    QCOMPARE(gate.accountState(QStringLiteral("CR1")), account);
    QCOMPARE(gate.globalState(), global);
    QCOMPARE(gate.effective(QStringLiteral("CR1")), effective);
    QCOMPARE(gate.checkBuy(QStringLiteral("CR1")).ok(), buy);
    QCOMPARE(gate.checkSell(QStringLiteral("CR1"), false).ok(), sell);
    QCOMPARE(gate.checkSell(QStringLiteral("CR1"), true).ok(), killSwitchSell);
}

void TestTradingGate::refusalNamesScopeStateAndReason()
{
    TradingGate gate;
    QVERIFY(gate.setAccount(QStringLiteral("CR1"), GateState::Reducing, QStringLiteral("token expires soon")).ok());
    Result<void> r = gate.checkBuy(QStringLiteral("CR1"));
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ErrorKind::NotSent);
    QCOMPARE(r.error().code, QStringLiteral("TradingReducing"));
    QCOMPARE(r.error().account, QStringLiteral("CR1"));
    QCOMPARE(r.error().details.value(QLatin1String("scope")).toString(), QStringLiteral("account"));
    QVERIFY2(r.error().message.contains(QLatin1String("token expires soon")), qPrintable(r.error().message));
    QVERIFY2(r.error().message.contains(QLatin1String("reducing")), qPrintable(r.error().message));

    gate.setGlobal(GateState::Halted, QStringLiteral("kill switch: Stop all pressed"));
    r = gate.checkBuy(QStringLiteral("CR1"));
    QCOMPARE(r.error().code, QStringLiteral("TradingHalted"));
    QCOMPARE(r.error().details.value(QLatin1String("scope")).toString(), QStringLiteral("global"));
    QCOMPARE(r.error().details.value(QLatin1String("account_state")).toString(), QStringLiteral("reducing"));
    QVERIFY(r.error().message.contains(QLatin1String("Stop all pressed")));
    const Result<void> sell = gate.checkSell(QStringLiteral("CR1"), false);
    QCOMPARE(sell.error().code, QStringLiteral("TradingHalted"));
    QVERIFY(sell.error().message.contains(QLatin1String("emergency stop")));

    QCOMPARE(gate.accountReason(QStringLiteral("CR1")), QStringLiteral("token expires soon"));
    QCOMPARE(gate.globalReason(), QStringLiteral("kill switch: Stop all pressed"));
    gate.setGlobal(GateState::Active, QStringLiteral("re-armed"));
    QCOMPARE(gate.checkBuy(QStringLiteral("CR1")).error().code, QStringLiteral("TradingReducing"));
}

void TestTradingGate::accountsAreIndependent()
{
    TradingGate gate;
    QVERIFY(gate.setAccount(QStringLiteral("CR1"), GateState::Halted, QStringLiteral("limit")).ok());
    QVERIFY(gate.checkBuy(QStringLiteral("CR2")).ok());
    QVERIFY(!gate.checkBuy(QStringLiteral("CR1")).ok());
    QVERIFY(gate.setAccount(QStringLiteral("CR1"), GateState::Active, QStringLiteral("resumed")).ok());
    QVERIFY(gate.checkBuy(QStringLiteral("CR1")).ok());
}

void TestTradingGate::registeredAccountsAreListed()
{
    TradingGate gate;
    QVERIFY(gate.registerAccount(QStringLiteral("VRTC2")).ok());
    QVERIFY(gate.registerAccount(QStringLiteral("CR1")).ok());
    QVERIFY(gate.registerAccount(QStringLiteral("CR1")).ok()); // idempotent
    QCOMPARE(gate.accounts(), (QStringList{QStringLiteral("CR1"), QStringLiteral("VRTC2")}));
    QCOMPARE(gate.effective(QStringLiteral("CR1")), GateState::Active);
}

void TestTradingGate::fullTableFailsSafe()
{
    TradingGate gate(2);
    QVERIFY(gate.registerAccount(QStringLiteral("a")).ok());
    QVERIFY(gate.registerAccount(QStringLiteral("b")).ok());
    const Result<void> full = gate.registerAccount(QStringLiteral("c"));
    QVERIFY(!full.ok());
    QCOMPARE(full.error().code, QStringLiteral("TradingGateFull"));

    QVERIFY(gate.setAccount(QStringLiteral("c"), GateState::Active, QStringLiteral("fine")).ok());
    QCOMPARE(gate.globalState(), GateState::Active);
    // A restriction that cannot be stored for the account must not be lost: it is applied globally.
    const Result<void> r = gate.setAccount(QStringLiteral("c"), GateState::Reducing, QStringLiteral("token expiring"));
    QVERIFY(!r.ok());
    QVERIFY(r.error().message.contains(QLatin1String("global")));
    QCOMPARE(gate.globalState(), GateState::Reducing);
    QVERIFY(!gate.checkBuy(QStringLiteral("c")).ok());
    QVERIFY(gate.globalReason().contains(QLatin1String("token expiring")));
    // Never relaxes a stricter global state.
    gate.setGlobal(GateState::Halted, QStringLiteral("kill"));
    QVERIFY(!gate.setAccount(QStringLiteral("c"), GateState::Reducing, QStringLiteral("x")).ok());
    QCOMPARE(gate.globalState(), GateState::Halted);
}

void TestTradingGate::manyAccountsWithCollisions()
{
    TradingGate gate(300);
    const GateState states[] = {GateState::Active, GateState::Reducing, GateState::Halted};
    for (int i = 0; i < 300; ++i)
        QVERIFY(gate.setAccount(QStringLiteral("CR%1").arg(i), states[i % 3], QString::number(i)).ok());
    for (int i = 0; i < 300; ++i) {
        QCOMPARE(gate.accountState(QStringLiteral("CR%1").arg(i)), states[i % 3]);
        QCOMPARE(gate.accountReason(QStringLiteral("CR%1").arg(i)), QString::number(i));
    }
    QCOMPARE(gate.accounts().size(), 300);
    QCOMPARE(gate.accountState(QStringLiteral("CR300")), GateState::Active);
}

void TestTradingGate::stressWritersAndReaders()
{
    TradingGate gate(64);
    constexpr int accounts = 8;
    QStringList names;
    for (int i = 0; i < accounts; ++i)
        names.append(QStringLiteral("CR%1").arg(i));

    std::atomic<bool> halted{false};
    std::atomic<bool> stop{false};
    std::atomic<int> invalidStates{0};
    std::atomic<int> buysAfterHalt{0};
    std::atomic<long> checks{0};
    std::latch start(2 + 3 + 1);
    std::vector<std::thread> threads;

    // Writers flip account states (never the global one) and add new accounts while readers read.
    for (int w = 0; w < 2; ++w) {
        threads.emplace_back([&, w] {
            std::mt19937 rng(unsigned(w + 1));
            start.arrive_and_wait();
            int created = 0;
            while (!stop.load()) {
                const QString &name = names[int(rng() % accounts)];
                (void)gate.setAccount(name, GateState(rng() % 3), QStringLiteral("flip"));
                if (created < 20)
                    (void)gate.setAccount(QStringLiteral("new-%1-%2").arg(w).arg(created++), GateState::Active, {});
            }
        });
    }
    // Readers.
    for (int r = 0; r < 3; ++r) {
        threads.emplace_back([&, r] {
            start.arrive_and_wait();
            std::mt19937 rng(unsigned(100 + r));
            while (!stop.load()) {
                const QString &name = names[int(rng() % accounts)];
                const bool sawHalt = halted.load(std::memory_order_acquire);
                const quint8 e = quint8(gate.effective(name));
                const quint8 a = quint8(gate.accountState(name));
                const quint8 g = quint8(gate.globalState());
                if (e > 2 || a > 2 || g > 2)
                    ++invalidStates;
                const bool bought = gate.checkBuy(name).ok();
                if (sawHalt && bought)
                    ++buysAfterHalt;
                if (sawHalt && gate.checkSell(name, false).ok())
                    ++buysAfterHalt;
                if (!gate.checkSell(name, true).ok()) // kill-switch sells always pass
                    ++invalidStates;
                ++checks;
            }
        });
    }
    // The kill switch.
    threads.emplace_back([&] {
        start.arrive_and_wait();
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        gate.setGlobal(GateState::Halted, QStringLiteral("kill switch"));
        halted.store(true, std::memory_order_release);
    });

    // Run long enough for both phases; this is a duration, not an assertion.
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    stop.store(true);
    for (std::thread &t : threads)
        t.join();

    QVERIFY(checks.load() > 1000);
    QCOMPARE(invalidStates.load(), 0);
    QCOMPARE(buysAfterHalt.load(), 0);
    for (const QString &name : names)
        QVERIFY(!gate.checkBuy(name).ok());
    QVERIFY(gate.accounts().size() >= accounts + 40);
}

QTEST_APPLESS_MAIN(TestTradingGate)
#include "tst_tradinggate.moc"
