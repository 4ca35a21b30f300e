// SPDX-License-Identifier: GPL-3.0-or-later
#include <QTest>

#include "snapshotbuilder.h"
#include "ui/overallstate.h"

Q_DECLARE_METATYPE(Vigil::OverallState)

using namespace Vigil;

class TestOverallState : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void worstStateWins_data();
    void worstStateWins();
};

void TestOverallState::worstStateWins_data()
{
    QTest::addColumn<QList<AccountSnapshot>>("accounts");
    QTest::addColumn<bool>("globalHalted");
    QTest::addColumn<OverallState>("expected");

    const AccountSnapshot running = Test::account(QStringLiteral("a"), {Test::bot(QStringLiteral("b1"), QStringLiteral("a"))});
    QTest::newRow("nothing") << QList<AccountSnapshot>{} << false << OverallState::Idle;
    QTest::newRow("stopped bots only")
        << QList<AccountSnapshot>{Test::account(QStringLiteral("a"), {Test::bot(QStringLiteral("b1"), QStringLiteral("a"), BotState::Stopped)})}
        << false << OverallState::Idle;
    QTest::newRow("a bot running") << QList<AccountSnapshot>{running} << false << OverallState::Trading;
    QTest::newRow("global gate halted") << QList<AccountSnapshot>{running} << true << OverallState::Halted;

    AccountSnapshot haltedBot = running;
    haltedBot.bots.append(Test::bot(QStringLiteral("b2"), QStringLiteral("a"), BotState::Halted));
    haltedBot.bots.last().reason = StateReason::halted(HaltReason::Limit, QStringLiteral("daily loss"));
    QTest::newRow("a bot halted by a limit") << QList<AccountSnapshot>{haltedBot} << false << OverallState::Halted;

    AccountSnapshot accountHalted = running;
    accountHalted.gate = QStringLiteral("halted");
    QTest::newRow("account gate halted") << QList<AccountSnapshot>{accountHalted} << false << OverallState::Halted;

    AccountSnapshot revoked = running;
    revoked.bots.first().state = BotState::Halted;
    revoked.bots.first().reason = StateReason::halted(HaltReason::TokenRevoked, QStringLiteral("InvalidToken"));
    QTest::newRow("token revoked is an error") << QList<AccountSnapshot>{revoked} << true << OverallState::Error;

    AccountSnapshot down = running;
    down.connection = AccountSnapshot::Connection::Down;
    QTest::newRow("connection down") << QList<AccountSnapshot>{down} << false << OverallState::Error;

    AccountSnapshot unresolved = running;
    unresolved.unresolvedTrades = 1;
    QTest::newRow("unresolved trade") << QList<AccountSnapshot>{unresolved} << false << OverallState::Error;

    AccountSnapshot failed = running;
    failed.bots.first().state = BotState::Failed;
    QTest::newRow("failed bot") << QList<AccountSnapshot>{running, failed} << false << OverallState::Error;
}

void TestOverallState::worstStateWins()
{
    QFETCH(QList<AccountSnapshot>, accounts);
    QFETCH(bool, globalHalted);
    QFETCH(OverallState, expected);
    QCOMPARE(overallState(accounts, globalHalted), expected);
}

QTEST_APPLESS_MAIN(TestOverallState)
#include "tst_overallstate.moc"
