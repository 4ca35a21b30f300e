// SPDX-License-Identifier: GPL-3.0-or-later
#include <QTest>

#include "engine/engineevent.h"
#include "engine/tickpoint.h"
#include "ui/charts/tickchart.h"

using namespace Vigil;

namespace {
constexpr qint64 kStart = 1'700'000'000'000;

// One tick a second from kStart: 1234.00, 1234.25, ...
QList<TickPoint> ticks(int from, int count)
{
    QList<TickPoint> out;
    for (int i = from; i < from + count; ++i)
        out.append(TickPoint{kStart + i * 1000, 123400 + i * 25, 2});
    return out;
}

EngineEvent tradeEvent(EngineEvent::Kind kind, const QString &bot, const QString &symbol, int contract, int entrySecond,
                       const QString &entrySpot, int exitSecond = -1, const QString &exitSpot = {}, const QString &profit = {})
{
    EngineEvent e;
    e.kind = kind;
    e.bot = bot;
    e.details = QJsonObject{{QStringLiteral("symbol"), symbol},
                            {QStringLiteral("contractId"), QString::number(contract)},
                            {QStringLiteral("entrySpot"), entrySpot},
                            {QStringLiteral("entryEpochMs"), QString::number(kStart + entrySecond * 1000)}};
    if (exitSecond >= 0) {
        e.details.insert(QStringLiteral("exitSpot"), exitSpot);
        e.details.insert(QStringLiteral("exitEpochMs"), QString::number(kStart + exitSecond * 1000));
        e.details.insert(QStringLiteral("profit"), profit);
    }
    return e;
}
} // namespace

class TestTickChart : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ticksOfTheFollowedSymbolArePlotted();
    void entriesAndExitsOfTheFollowedBotAreMarked();
    void oldTicksLeaveTheWindow();
};

void TestTickChart::ticksOfTheFollowedSymbolArePlotted()
{
    TickChart chart;
    chart.addTicks(QStringLiteral("R_100"), ticks(0, 5));
    QCOMPARE(chart.tickCount(), 0); // nothing followed yet
    chart.follow(QStringLiteral("bot-a"), QStringLiteral("R_100"));
    chart.addTicks(QStringLiteral("R_100"), ticks(0, 10));
    chart.addTicks(QStringLiteral("R_50"), ticks(0, 10));
    chart.addTicks(QStringLiteral("R_100"), ticks(10, 10));
    QCOMPARE(chart.tickCount(), 20);
    // The axes follow the data: 1234.00 … 1238.75 inside the y range, the last tick inside the x range.
    QVERIFY(chart.minShown() < 1234.0 && chart.minShown() > 1230.0);
    QVERIFY(chart.maxShown() > 1238.75 && chart.maxShown() < 1243.0);
    QVERIFY(chart.firstShownMs() <= kStart);
    QVERIFY(chart.lastShownMs() >= kStart + 19'000);
    // Following another bot on another symbol starts over.
    chart.follow(QStringLiteral("bot-b"), QStringLiteral("R_50"));
    QCOMPARE(chart.tickCount(), 0);
}

void TestTickChart::entriesAndExitsOfTheFollowedBotAreMarked()
{
    TickChart chart;
    chart.follow(QStringLiteral("bot-a"), QStringLiteral("R_100"));
    chart.addTicks(QStringLiteral("R_100"), ticks(0, 30));
    chart.addEvents({tradeEvent(EngineEvent::Kind::TradeOpened, QStringLiteral("bot-a"), QStringLiteral("R_100"), 1, 2, QStringLiteral("1234.50")),
                     tradeEvent(EngineEvent::Kind::TradeOpened, QStringLiteral("bot-b"), QStringLiteral("R_100"), 2, 3, QStringLiteral("1234.75")),
                     tradeEvent(EngineEvent::Kind::TradeOpened, QStringLiteral("bot-a"), QStringLiteral("R_50"), 3, 3, QStringLiteral("99.10"))});
    QCOMPARE(chart.entryCount(), 1);
    // The settlement's exact entry tick replaces the estimate; the exit is green for a win, red for a loss.
    chart.addEvents({tradeEvent(EngineEvent::Kind::TradeClosed, QStringLiteral("bot-a"), QStringLiteral("R_100"), 1, 3,
                                QStringLiteral("1234.75"), 8, QStringLiteral("1236.00"), QStringLiteral("0.95"))});
    QCOMPARE(chart.entryCount(), 1);
    QCOMPARE(chart.winCount(), 1);
    QCOMPARE(chart.lossCount(), 0);
    chart.addEvents({tradeEvent(EngineEvent::Kind::TradeOpened, QStringLiteral("bot-a"), QStringLiteral("R_100"), 4, 10, QStringLiteral("1236.50")),
                     tradeEvent(EngineEvent::Kind::TradeClosed, QStringLiteral("bot-a"), QStringLiteral("R_100"), 4, 11,
                                QStringLiteral("1236.75"), 16, QStringLiteral("1236.00"), QStringLiteral("-1.00"))});
    QCOMPARE(chart.entryCount(), 2);
    QCOMPARE(chart.winCount(), 1);
    QCOMPARE(chart.lossCount(), 1);
}

void TestTickChart::oldTicksLeaveTheWindow()
{
    TickChart chart;
    chart.setWindowMinutes(1);
    chart.follow(QStringLiteral("bot-a"), QStringLiteral("R_100"));
    chart.addTicks(QStringLiteral("R_100"), ticks(0, 30));
    chart.addEvents({tradeEvent(EngineEvent::Kind::TradeOpened, QStringLiteral("bot-a"), QStringLiteral("R_100"), 1, 2, QStringLiteral("1234.50"))});
    QCOMPARE(chart.entryCount(), 1);
    chart.addTicks(QStringLiteral("R_100"), ticks(30, 60)); // up to second 89: the first 29 s are out
    QCOMPARE(chart.tickCount(), 61);
    QCOMPARE(chart.entryCount(), 0);
    QVERIFY(chart.firstShownMs() >= kStart + 29'000);
}

QTEST_MAIN(TestTickChart)
#include "tst_tickchart.moc"
