// SPDX-License-Identifier: GPL-3.0-or-later
#include <QSignalSpy>
#include <QTest>

#include "engine/botstatemachine.h"
#include "support/fakeclock.h"

using namespace Vigil;

namespace {

const QList<BotState> s_all{BotState::Stopped, BotState::Starting, BotState::Running, BotState::Paused,
                            BotState::Stopping, BotState::Halted, BotState::Failed};

// The allowed transitions, restated here independently of the implementation's table.
bool expectedAllowed(BotState from, BotState to)
{
    using S = BotState;
    switch (from) {
    case S::Stopped: return to == S::Starting || to == S::Failed;
    case S::Starting: return to == S::Running || to == S::Stopping || to == S::Halted || to == S::Failed;
    case S::Running: return to == S::Paused || to == S::Stopping || to == S::Halted || to == S::Failed;
    case S::Paused: return to == S::Running || to == S::Stopping || to == S::Halted || to == S::Failed;
    case S::Stopping: return to == S::Stopped || to == S::Failed;
    case S::Halted: return to == S::Starting || to == S::Stopped || to == S::Failed;
    case S::Failed: return to == S::Stopped;
    }
    return false;
}

StateReason reasonFor(BotState to)
{
    if (to == BotState::Halted)
        return StateReason::halted(HaltReason::Limit, QStringLiteral("trades per day 100 of 100"),
                                   QStringLiteral("LimitTradesPerDay"));
    return StateReason::because(QStringLiteral("test"));
}

// Drives a fresh machine from Stopped into `target` through allowed transitions.
void driveTo(BotStateMachine &m, BotState target)
{
    QList<BotState> path;
    switch (target) {
    case BotState::Stopped: break;
    case BotState::Starting: path = {BotState::Starting}; break;
    case BotState::Running: path = {BotState::Starting, BotState::Running}; break;
    case BotState::Paused: path = {BotState::Starting, BotState::Running, BotState::Paused}; break;
    case BotState::Stopping: path = {BotState::Starting, BotState::Running, BotState::Stopping}; break;
    case BotState::Halted: path = {BotState::Starting, BotState::Halted}; break;
    case BotState::Failed: path = {BotState::Failed}; break;
    }
    for (BotState s : path) {
        const Result<void> r = m.transition(s, reasonFor(s));
        if (!r.ok())
            qFatal("setup transition refused: %s", qPrintable(r.error().message));
    }
    Q_ASSERT(m.state() == target);
}

QString title(BotState s)
{
    QString n = botStateName(s);
    n[0] = n[0].toUpper();
    return n;
}

} // namespace

class TestBotStateMachine final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void everyPair_data();
    void everyPair();
    void allowedFromMatchesTable();
    void haltNeedsAReason();
    void haltReasonOnlyForHalts();
    void signalCarriesReasonAndTime();
    void failRecordsTheError();
    void transitionsFromListenersStayInOrder();
    void namesRoundTrip();
    void reasonText();
};

void TestBotStateMachine::everyPair_data()
{
    QTest::addColumn<BotState>("from");
    QTest::addColumn<BotState>("to");
    QTest::addColumn<bool>("allowed");
    int allowedCount = 0;
    for (BotState from : s_all) {
        for (BotState to : s_all) {
            const bool allowed = expectedAllowed(from, to);
            allowedCount += allowed ? 1 : 0;
            QTest::addRow("%s -> %s", qPrintable(botStateName(from)), qPrintable(botStateName(to)))
                << from << to << allowed;
        }
    }
    QCOMPARE(allowedCount, 20); // guards the restated table itself
}

void TestBotStateMachine::everyPair()
{
    QFETCH(BotState, from);
    QFETCH(BotState, to);
    QFETCH(bool, allowed);

    Test::FakeClock clock;
    BotStateMachine m(QStringLiteral("bot-7"), clock);
    driveTo(m, from);
    const StateReason before = m.reason();
    QSignalSpy spy(&m, &BotStateMachine::stateChanged);

    const Result<void> r = m.transition(to, reasonFor(to));
    QCOMPARE(r.ok(), allowed);
    QCOMPARE(BotStateMachine::isAllowed(from, to), allowed);
    if (allowed) {
        QCOMPARE(m.state(), to);
        QCOMPARE(m.reason(), reasonFor(to));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).value<BotState>(), from);
        QCOMPARE(spy.at(0).at(1).value<BotState>(), to);
    } else {
        QCOMPARE(m.state(), from); // not applied
        QCOMPARE(m.reason(), before);
        QCOMPARE(spy.count(), 0);
        QCOMPARE(r.error().code, QStringLiteral("InvalidBotTransition"));
        QCOMPARE(r.error().kind, ErrorKind::InvalidInput);
        QCOMPARE(r.error().bot, QStringLiteral("bot-7"));
        QVERIFY2(r.error().message.contains(title(from)) && r.error().message.contains(title(to)),
                 qPrintable(r.error().message));
        QCOMPARE(r.error().details.value(QLatin1String("from")).toString(), botStateName(from));
        QCOMPARE(r.error().details.value(QLatin1String("to")).toString(), botStateName(to));
    }
}

void TestBotStateMachine::allowedFromMatchesTable()
{
    for (BotState from : s_all) {
        QList<BotState> expected;
        for (BotState to : s_all) {
            if (expectedAllowed(from, to))
                expected.append(to);
        }
        QCOMPARE(BotStateMachine::allowedFrom(from), expected);
    }
}

void TestBotStateMachine::haltNeedsAReason()
{
    Test::FakeClock clock;
    BotStateMachine m(QStringLiteral("b"), clock);
    driveTo(m, BotState::Running);
    QSignalSpy spy(&m, &BotStateMachine::stateChanged);
    const Result<void> r = m.transition(BotState::Halted, StateReason::because(QStringLiteral("no kind")));
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("MissingHaltReason"));
    QCOMPARE(m.state(), BotState::Running);
    QCOMPARE(spy.count(), 0);
    QVERIFY(m.halt(HaltReason::KillSwitch, QStringLiteral("user pressed stop")).ok());
    QCOMPARE(m.state(), BotState::Halted);
    QCOMPARE(m.reason().halt, HaltReason::KillSwitch);
    // A second halt is refused and the first reason stays on record.
    QVERIFY(!m.halt(HaltReason::Limit, QStringLiteral("later")).ok());
    QCOMPARE(m.reason().halt, HaltReason::KillSwitch);
}

void TestBotStateMachine::haltReasonOnlyForHalts()
{
    Test::FakeClock clock;
    BotStateMachine m(QStringLiteral("b"), clock);
    driveTo(m, BotState::Running);
    const Result<void> r = m.transition(BotState::Paused, StateReason::halted(HaltReason::Limit, QStringLiteral("x")));
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("MissingHaltReason"));
    QCOMPARE(m.state(), BotState::Running);
}

void TestBotStateMachine::signalCarriesReasonAndTime()
{
    Test::FakeClock clock(1'700'000'000'000);
    BotStateMachine m(QStringLiteral("b"), clock);
    QCOMPARE(m.changedAtMs(), 1'700'000'000'000);
    driveTo(m, BotState::Running);
    clock.advance(1234);
    QSignalSpy spy(&m, &BotStateMachine::stateChanged);
    QVERIFY(m.halt(HaltReason::Limit, QStringLiteral("daily loss 20.00 of 20.00"), QStringLiteral("LimitDailyLoss")).ok());
    QCOMPARE(spy.count(), 1);
    const StateReason reason = spy.at(0).at(2).value<StateReason>();
    QCOMPARE(reason.halt, HaltReason::Limit);
    QCOMPARE(reason.code, QStringLiteral("LimitDailyLoss"));
    QCOMPARE(reason.text, QStringLiteral("daily loss 20.00 of 20.00"));
    QCOMPARE(spy.at(0).at(3).toLongLong(), 1'700'000'001'234);
    QCOMPARE(m.changedAtMs(), 1'700'000'001'234);

    // Resume (re-arm) goes back through Starting.
    QVERIFY(m.transition(BotState::Starting, StateReason::because(QStringLiteral("resumed by user"))).ok());
    QVERIFY(m.transition(BotState::Running).ok());
    QCOMPARE(m.reason().halt, HaltReason::None);
}

void TestBotStateMachine::failRecordsTheError()
{
    Test::FakeClock clock;
    BotStateMachine m(QStringLiteral("b"), clock);
    driveTo(m, BotState::Paused);
    const Error e = Error::make(ErrorKind::Storage, QStringLiteral("JournalWriteFailed"), QStringLiteral("disk full"));
    QVERIFY(m.fail(e).ok());
    QCOMPARE(m.state(), BotState::Failed);
    QCOMPARE(m.reason().code, QStringLiteral("JournalWriteFailed"));
    QVERIFY(m.reason().text.contains(QLatin1String("disk full")));
    QVERIFY(!m.fail(e).ok()); // Failed -> Failed is not a transition
    QVERIFY(!m.transition(BotState::Starting).ok());
    QVERIFY(m.transition(BotState::Stopped, StateReason::because(QStringLiteral("reset"))).ok());
}

void TestBotStateMachine::transitionsFromListenersStayInOrder()
{
    Test::FakeClock clock;
    BotStateMachine m(QStringLiteral("b"), clock);
    QList<QPair<BotState, BotState>> first;
    QList<QPair<BotState, BotState>> second;
    // The first listener reacts to Running by halting (as a limit check might).
    connect(&m, &BotStateMachine::stateChanged, this, [&](BotState from, BotState to) {
        first.append({from, to});
        if (to == BotState::Running)
            QVERIFY(m.halt(HaltReason::Reconciling, QStringLiteral("unknown buy outcome")).ok());
    });
    connect(&m, &BotStateMachine::stateChanged, this, [&](BotState from, BotState to) { second.append({from, to}); });

    QVERIFY(m.transition(BotState::Starting).ok());
    QVERIFY(m.transition(BotState::Running).ok());
    QCOMPARE(m.state(), BotState::Halted);
    const QList<QPair<BotState, BotState>> expected{{BotState::Stopped, BotState::Starting},
                                                    {BotState::Starting, BotState::Running},
                                                    {BotState::Running, BotState::Halted}};
    QCOMPARE(first, expected);
    QCOMPARE(second, expected); // not Running->Halted before Starting->Running
}

void TestBotStateMachine::namesRoundTrip()
{
    QSet<QString> names;
    for (BotState s : s_all) {
        names.insert(botStateName(s));
        QCOMPARE(parseBotState(botStateName(s)), s);
    }
    QCOMPARE(names.size(), BotStateCount);
    QVERIFY(!parseBotState(u"Running"));
    const QList<HaltReason> reasons{HaltReason::None, HaltReason::Limit, HaltReason::CircuitBreaker,
                                    HaltReason::TokenRevoked, HaltReason::KillSwitch,
                                    HaltReason::CoordinationUnavailable, HaltReason::Reconciling,
                                    HaltReason::LeaseLost, HaltReason::Other};
    QSet<QString> reasonNames;
    for (HaltReason r : reasons) {
        reasonNames.insert(haltReasonName(r));
        QCOMPARE(parseHaltReason(haltReasonName(r)), r);
        QVERIFY(!haltReasonText(r).isEmpty());
    }
    QCOMPARE(reasonNames.size(), reasons.size());
    QCOMPARE(haltReasonName(HaltReason::CoordinationUnavailable), QStringLiteral("coordination_unavailable"));
}

void TestBotStateMachine::reasonText()
{
    QCOMPARE(StateReason::halted(HaltReason::Limit, QStringLiteral("daily loss 20.00 of 20.00")).toString(),
             QStringLiteral("Trading limit reached: daily loss 20.00 of 20.00"));
    QCOMPARE(StateReason::halted(HaltReason::KillSwitch, {}).toString(), QStringLiteral("Emergency stop"));
    QCOMPARE(StateReason::because(QStringLiteral("stopped by user")).toString(), QStringLiteral("stopped by user"));
}

QTEST_APPLESS_MAIN(TestBotStateMachine)
#include "tst_botstatemachine.moc"
