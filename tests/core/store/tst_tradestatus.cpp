// SPDX-License-Identifier: GPL-3.0-or-later
#include <QtTest>

#include "store/trade.h"
#include "store/tradestatus.h"

using namespace Vigil;

class TestTradeStatus final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void rejectsUnknownNames_data();
    void rejectsUnknownNames();
    void attribution();
};

void TestTradeStatus::roundTrip_data()
{
    QTest::addColumn<TradeStatus>("status");
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("settled");
    QTest::addColumn<bool>("unresolved");
    QTest::addColumn<bool>("final");
    QTest::newRow("pending") << TradeStatus::Pending << "pending" << false << true << false;
    QTest::newRow("open") << TradeStatus::Open << "open" << false << true << false;
    QTest::newRow("won") << TradeStatus::Won << "won" << true << false << true;
    QTest::newRow("lost") << TradeStatus::Lost << "lost" << true << false << true;
    QTest::newRow("sold") << TradeStatus::Sold << "sold" << true << false << true;
    QTest::newRow("failed") << TradeStatus::Failed << "failed" << false << false << true;
    QTest::newRow("unknown") << TradeStatus::Unknown << "unknown" << false << true << false;
    QTest::newRow("stale") << TradeStatus::Stale << "stale" << false << false << true;
    QTest::newRow("void") << TradeStatus::Void << "void" << true << false << true;
}

void TestTradeStatus::roundTrip()
{
    QFETCH(TradeStatus, status);
    QFETCH(QString, name);
    QFETCH(bool, settled);
    QFETCH(bool, unresolved);
    QFETCH(bool, final);
    QCOMPARE(tradeStatusToString(status), name);
    QCOMPARE(tradeStatusFromString(name), std::optional<TradeStatus>(status));
    QCOMPARE(isSettledStatus(status), settled);
    QCOMPARE(isUnresolvedStatus(status), unresolved);
    QCOMPARE(isFinalStatus(status), final);
}

void TestTradeStatus::rejectsUnknownNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("empty") << QString();
    QTest::newRow("capitalised") << QStringLiteral("Open");
    QTest::newRow("padded") << QStringLiteral(" open");
    QTest::newRow("deriv word") << QStringLiteral("is_sold");
}

void TestTradeStatus::rejectsUnknownNames()
{
    QFETCH(QString, name);
    QVERIFY(!tradeStatusFromString(name).has_value());
}

void TestTradeStatus::attribution()
{
    QCOMPARE(tradeAttributionToString(TradeAttribution::Bot), QStringLiteral("bot"));
    QCOMPARE(tradeAttributionToString(TradeAttribution::Outside), QStringLiteral("outside"));
    QCOMPARE(tradeAttributionFromString(u"outside"), std::optional<TradeAttribution>(TradeAttribution::Outside));
    QVERIFY(!tradeAttributionFromString(u"Bot").has_value());
}

QTEST_APPLESS_MAIN(TestTradeStatus)
#include "tst_tradestatus.moc"
