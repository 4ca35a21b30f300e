// SPDX-License-Identifier: GPL-3.0-or-later
#include <QTest>

#include "snapshotbuilder.h"
#include "ui/displaytext.h"

using namespace Vigil;

class TestDisplayText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void connection_data();
    void connection();
    void haltedStateNamesTheReason();
    void signedMoney();
};

void TestDisplayText::connection_data()
{
    QTest::addColumn<int>("state");
    QTest::addColumn<qint64>("downSinceMs");
    QTest::addColumn<QString>("expected");
    QTest::newRow("connected") << int(AccountSnapshot::Connection::Connected) << qint64(0) << QStringLiteral("connected");
    QTest::newRow("reconnecting 12 s") << int(AccountSnapshot::Connection::Reconnecting) << qint64(88'000) << QStringLiteral("reconnecting 12 s");
    QTest::newRow("down, unknown since") << int(AccountSnapshot::Connection::Down) << qint64(0) << QStringLiteral("down");
    QTest::newRow("down since") << int(AccountSnapshot::Connection::Down) << qint64(1) << QStringLiteral("down 99 s");
}

void TestDisplayText::connection()
{
    QFETCH(int, state);
    QFETCH(qint64, downSinceMs);
    QFETCH(QString, expected);
    AccountSnapshot a = Test::account(QStringLiteral("demo"));
    a.connection = AccountSnapshot::Connection(state);
    a.downSinceMs = downSinceMs;
    QCOMPARE(DisplayText::connection(a, 100'000), expected);
}

void TestDisplayText::haltedStateNamesTheReason()
{
    BotSnapshot b = Test::bot(QStringLiteral("b"), QStringLiteral("demo"), BotState::Halted);
    b.reason = StateReason::halted(HaltReason::KillSwitch, QStringLiteral("emergency stop"));
    QCOMPARE(DisplayText::botStateWithReason(b), QStringLiteral("Halted: Emergency stop"));
    QVERIFY(DisplayText::botStateTooltip(b).contains(QStringLiteral("emergency stop")));
    b.state = BotState::Running;
    b.reason = {};
    QCOMPARE(DisplayText::botStateWithReason(b), QStringLiteral("Running"));
    // A bot another instance runs waits on standby, and says so.
    b.state = BotState::Starting;
    QCOMPARE(DisplayText::botStateWithReason(b), QStringLiteral("Starting"));
    b.standby = QStringLiteral("standby: b runs in another instance (vigil:lock:run:b is held by instance vps-2)");
    QCOMPARE(DisplayText::botStateWithReason(b), QStringLiteral("Standby: runs in another instance"));
    QVERIFY(DisplayText::botStateTooltip(b).contains(QStringLiteral("vps-2")));
}

void TestDisplayText::signedMoney()
{
    QCOMPARE(DisplayText::signedMoney(Money::fromMinor(125)), QStringLiteral("+1.25"));
    QCOMPARE(DisplayText::signedMoney(Money::fromMinor(-35)), QStringLiteral("-0.35"));
    QCOMPARE(DisplayText::signedMoney(Money::zero()), QStringLiteral("0.00"));
    QCOMPARE(DisplayText::money(Money::fromMinor(100), QStringLiteral("USD")), QStringLiteral("1.00 USD"));
}

QTEST_APPLESS_MAIN(TestDisplayText)
#include "tst_displaytext.moc"
