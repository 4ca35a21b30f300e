// SPDX-License-Identifier: GPL-3.0-or-later
#include <QTest>

#include "reconcile/contractmatcher.h"

using namespace Vigil;

namespace {

Trade lostBuy(qint64 localId, qint64 openedMs, const QString &type = QStringLiteral("CALL"), qint64 stakeMinor = 1000)
{
    Trade t;
    t.localId = localId;
    t.account = QStringLiteral("VRTC1000001");
    t.symbol = QStringLiteral("R_100");
    t.contractType = type;
    t.duration = 5;
    t.durationUnit = QStringLiteral("t");
    t.currency = QStringLiteral("USD");
    t.stake = Money::fromMinor(stakeMinor);
    t.status = TradeStatus::Unknown;
    t.openedMs = openedMs;
    return t;
}

ServerContract contract(qint64 id, qint64 purchaseMs, const QString &type = QStringLiteral("CALL"),
                        qint64 buyMinor = 1000, int duration = 5, const QString &unit = QStringLiteral("t"))
{
    ServerContract c;
    c.contractId = id;
    c.symbol = QStringLiteral("R_100");
    c.contractType = type;
    c.buyPrice = Money::fromMinor(buyMinor);
    c.payout = Money::fromMinor(1953);
    c.purchaseMs = purchaseMs;
    c.duration = duration;
    c.durationUnit = unit;
    return c;
}

} // namespace

class TestContractMatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matches_data()
    {
        QTest::addColumn<ServerContract>("candidate");
        QTest::addColumn<bool>("expected");
        const qint64 t0 = 1'700'000'000'000;
        QTest::newRow("same everything") << contract(1, t0 + 400) << true;
        QTest::newRow("whole-second purchase time just before") << contract(1, t0 - 900) << true;
        QTest::newRow("too early") << contract(1, t0 - 6'000) << false;
        QTest::newRow("late but in window") << contract(1, t0 + 100'000) << true;
        QTest::newRow("too late") << contract(1, t0 + 121'000) << false;
        QTest::newRow("other type") << contract(1, t0, QStringLiteral("PUT")) << false;
        QTest::newRow("other stake") << contract(1, t0, QStringLiteral("CALL"), 1001) << false;
        QTest::newRow("other tick count") << contract(1, t0, QStringLiteral("CALL"), 1000, 7) << false;
        QTest::newRow("seconds, not ticks") << contract(1, t0, QStringLiteral("CALL"), 1000, 5, QStringLiteral("s")) << false;
        QTest::newRow("duration not told") << contract(1, t0, QStringLiteral("CALL"), 1000, 0, QString()) << true;
        ServerContract otherSymbol = contract(1, t0);
        otherSymbol.symbol = QStringLiteral("R_50");
        QTest::newRow("other symbol") << otherSymbol << false;
    }
    void matches()
    {
        QFETCH(ServerContract, candidate);
        QFETCH(bool, expected);
        QCOMPARE(ContractMatcher::matches(lostBuy(1, 1'700'000'000'000), candidate, ContractMatcher::Window()), expected);
    }

    // The server's clock runs 40 s behind ours: with the offset known, its purchase time matches; without it,
    // only a window widened by the skew does.
    void serverClockOffsetShiftsTheWindow()
    {
        const qint64 opened = 1'700'000'000'000;
        const Trade t = lostBuy(1, opened);
        const ServerContract c = contract(10, opened - 40'000 + 1'000);
        QVERIFY(!ContractMatcher::matches(t, c, ContractMatcher::Window{}));
        ContractMatcher::Window synced;
        synced.serverOffsetMs = -40'000;
        QVERIFY(ContractMatcher::matches(t, c, synced));
        const qint64 serverSent = opened - 40'000;
        QVERIFY(ContractMatcher::inWindow(t, c.purchaseMs, synced));
        QVERIFY(ContractMatcher::inWindow(t, serverSent - 5'000, synced));
        QVERIFY(!ContractMatcher::inWindow(t, serverSent - 6'000, synced));
        QVERIFY(ContractMatcher::inWindow(t, serverSent + 120'000, synced));
        QVERIFY(!ContractMatcher::inWindow(t, serverSent + 121'000, synced));
        ContractMatcher::Window widened; // what the reconciler uses when the server's time is unknown
        widened.beforeMs += 60'000;
        widened.afterMs += 60'000;
        QVERIFY(ContractMatcher::matches(t, c, widened));
        // Pairing uses the shifted time too: the contract 1 s after the server-side send wins over one at openedMs.
        const QList<ServerContract> candidates{contract(11, opened), c};
        const auto assigned = ContractMatcher::assign({t}, candidates, synced);
        QCOMPARE(assigned.value(t.localId, -1), 1);
    }

    // Shortcodes upper-case the symbol (FRXEURUSD); the journal has Deriv's spelling.
    void symbolCaseDoesNotMatter()
    {
        Trade t = lostBuy(1, 1'700'000'000'000);
        t.symbol = QStringLiteral("frxEURUSD");
        ServerContract c = contract(10, t.openedMs + 1'000);
        c.symbol = QStringLiteral("FRXEURUSD");
        QVERIFY(ContractMatcher::matches(t, c, ContractMatcher::Window{}));
        c.symbol = QStringLiteral("FRXGBPUSD");
        QVERIFY(!ContractMatcher::matches(t, c, ContractMatcher::Window{}));
    }

    void minutesMatchSecondsOfTheSameLength()
    {
        Trade t = lostBuy(1, 1'700'000'000'000);
        t.duration = 2;
        t.durationUnit = QStringLiteral("m");
        QVERIFY(ContractMatcher::matches(t, contract(9, t.openedMs, QStringLiteral("CALL"), 1000, 120, QStringLiteral("s")),
                                         ContractMatcher::Window()));
        QVERIFY(!ContractMatcher::matches(t, contract(9, t.openedMs, QStringLiteral("CALL"), 1000, 3, QStringLiteral("m")),
                                          ContractMatcher::Window()));
    }

    // Two identical buys, two contracts: each row gets the contract closest to it, and no contract twice.
    void assignsOneToOneClosestFirst()
    {
        const qint64 t0 = 1'700'000'000'000;
        const QList<Trade> trades{lostBuy(10, t0), lostBuy(11, t0 + 30'000)};
        const QList<ServerContract> candidates{contract(501, t0 + 31'000), contract(500, t0 + 1'000),
                                               contract(502, t0 + 1'000, QStringLiteral("PUT"))};
        const auto assigned = ContractMatcher::assign(trades, candidates, ContractMatcher::Window());
        QCOMPARE(assigned.size(), 2);
        QCOMPARE(candidates.at(assigned.value(10)).contractId, 500);
        QCOMPARE(candidates.at(assigned.value(11)).contractId, 501);
    }

    void moreRowsThanContracts()
    {
        const qint64 t0 = 1'700'000'000'000;
        const QList<Trade> trades{lostBuy(10, t0), lostBuy(11, t0 + 2'000), lostBuy(12, t0 + 4'000)};
        const QList<ServerContract> candidates{contract(700, t0 + 2'000)};
        const auto assigned = ContractMatcher::assign(trades, candidates, ContractMatcher::Window());
        QCOMPARE(assigned.size(), 1);
        QVERIFY(assigned.contains(11));
    }

    void nothingMatches()
    {
        const auto assigned = ContractMatcher::assign({lostBuy(1, 1'700'000'000'000, QStringLiteral("PUT"))},
                                                      {contract(1, 1'700'000'000'000)}, ContractMatcher::Window());
        QVERIFY(assigned.isEmpty());
    }
};

QTEST_APPLESS_MAIN(TestContractMatcher)
#include "tst_contractmatcher.moc"
