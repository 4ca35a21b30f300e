// SPDX-License-Identifier: GPL-3.0-or-later
#include <QLabel>
#include <QProgressBar>
#include <QTest>

#include "risk/limitstatus.h"
#include "ui/limitspanel.h"

using namespace Vigil;

Q_DECLARE_METATYPE(Vigil::LimitsPanel::Level)

namespace {
LimitStatus status()
{
    LimitStatus s;
    s.account = QStringLiteral("VRTC1");
    s.seeded = true;
    s.startBalanceKnown = true;
    s.maxTradesPerDay = 100;
    s.maxConcurrentOpen = 5;
    s.dailyLossLimit = Money::fromMinor(20'00);
    s.dailyLossRule = QStringLiteral("20 % of start-of-day balance");
    return s;
}
} // namespace

class TestLimitsPanel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void levelFor_data();
    void levelFor();
    void tradesLimitHitTurnsRedAndSaysWhatItBlocks();
    void nearTheLimitIsAmber();
    void dailyLossHit();
    void concurrentOpenCountsPending();
    void unknownDailyLossLimitSaysTheRule();
    void otherJournalsPartIsShown();
};

void TestLimitsPanel::levelFor_data()
{
    QTest::addColumn<qint64>("used");
    QTest::addColumn<qint64>("max");
    QTest::addColumn<bool>("exhausted");
    QTest::addColumn<LimitsPanel::Level>("level");
    QTest::newRow("empty") << qint64(0) << qint64(100) << false << LimitsPanel::Level::Ok;
    QTest::newRow("79 %") << qint64(79) << qint64(100) << false << LimitsPanel::Level::Ok;
    QTest::newRow("80 %") << qint64(80) << qint64(100) << false << LimitsPanel::Level::Near;
    QTest::newRow("99 %") << qint64(99) << qint64(100) << false << LimitsPanel::Level::Near;
    QTest::newRow("at") << qint64(100) << qint64(100) << false << LimitsPanel::Level::At;
    QTest::newRow("over") << qint64(130) << qint64(100) << false << LimitsPanel::Level::At;
    QTest::newRow("ledger says exhausted") << qint64(1) << qint64(100) << true << LimitsPanel::Level::At;
    QTest::newRow("4 of 5") << qint64(4) << qint64(5) << false << LimitsPanel::Level::Near;
    QTest::newRow("no max") << qint64(3) << qint64(0) << false << LimitsPanel::Level::Unknown;
}

void TestLimitsPanel::levelFor()
{
    QFETCH(qint64, used);
    QFETCH(qint64, max);
    QFETCH(bool, exhausted);
    QFETCH(LimitsPanel::Level, level);
    QCOMPARE(LimitsPanel::levelFor(used, max, exhausted), level);
}

void TestLimitsPanel::tradesLimitHitTurnsRedAndSaysWhatItBlocks()
{
    LimitsPanel panel;
    LimitStatus s = status();
    s.tradesToday = 100;
    s.exhausted = {QStringLiteral("LimitTradesPerDay")};
    panel.setStatus(s);
    QCOMPARE(panel.tradesLevel(), LimitsPanel::Level::At);
    QCOMPARE(panel.lossLevel(), LimitsPanel::Level::Ok);
    auto *bar = panel.findChild<QProgressBar *>(QStringLiteral("tradesBar"));
    QVERIFY(bar);
    QCOMPARE(bar->property("level").toString(), QStringLiteral("at"));
    QCOMPARE(bar->value(), bar->maximum());
    QVERIFY(bar->styleSheet().contains(QStringLiteral("#d01f2d")));
    QVERIFY(panel.blocksText().contains(QStringLiteral("trades per day")));
    QVERIFY(panel.blocksText().contains(QStringLiteral("new buys; sells are never blocked")));
    auto *text = panel.findChild<QLabel *>(QStringLiteral("tradesBarText"));
    QVERIFY(text);
    QCOMPARE(text->text(), QStringLiteral("100 / 100"));

    // Back under the limit (a new day): the bar and the message follow.
    s.tradesToday = 3;
    s.exhausted.clear();
    panel.setStatus(s);
    QCOMPARE(panel.tradesLevel(), LimitsPanel::Level::Ok);
    QVERIFY(!panel.blocksText().contains(QStringLiteral("reached")));
}

void TestLimitsPanel::nearTheLimitIsAmber()
{
    LimitsPanel panel;
    LimitStatus s = status();
    s.tradesToday = 85;
    panel.setStatus(s);
    QCOMPARE(panel.tradesLevel(), LimitsPanel::Level::Near);
    auto *bar = panel.findChild<QProgressBar *>(QStringLiteral("tradesBar"));
    QCOMPARE(bar->property("level").toString(), QStringLiteral("near"));
    QVERIFY(bar->styleSheet().contains(QStringLiteral("#e89a0c")));
}

void TestLimitsPanel::dailyLossHit()
{
    LimitsPanel panel;
    panel.setCurrency(QStringLiteral("USD"));
    LimitStatus s = status();
    s.lossUsed = Money::fromMinor(20'00);
    s.exhausted = {QStringLiteral("LimitDailyLoss")};
    panel.setStatus(s);
    QCOMPARE(panel.lossLevel(), LimitsPanel::Level::At);
    QCOMPARE(panel.findChild<QLabel *>(QStringLiteral("lossBarText"))->text(), QStringLiteral("20.00 / 20.00 USD"));
    QVERIFY(panel.blocksText().contains(QStringLiteral("daily loss")));
}

void TestLimitsPanel::concurrentOpenCountsPending()
{
    LimitsPanel panel;
    LimitStatus s = status();
    s.openContracts = 3;
    s.pendingContracts = 2;
    panel.setStatus(s);
    QCOMPARE(panel.openLevel(), LimitsPanel::Level::At);
    QCOMPARE(panel.findChild<QLabel *>(QStringLiteral("openBarText"))->text(), QStringLiteral("3 + 2 pending / 5"));
}

void TestLimitsPanel::unknownDailyLossLimitSaysTheRule()
{
    LimitsPanel panel;
    LimitStatus s = status();
    s.dailyLossLimit.reset();
    panel.setStatus(s);
    QCOMPARE(panel.lossLevel(), LimitsPanel::Level::Unknown);
    QVERIFY(panel.findChild<QLabel *>(QStringLiteral("lossBarText"))->text().contains(QStringLiteral("20 % of start-of-day balance")));
}

void TestLimitsPanel::otherJournalsPartIsShown()
{
    LimitsPanel panel;
    LimitStatus s = status();
    s.tradesToday = 12;
    panel.setStatus(s);
    QVERIFY(!panel.extraText().contains(QStringLiteral("other journals")));
    // Instances on other journals (their usage shared through Redis) count in the bars: the panel says how much.
    s.otherJournalsTrades = 4;
    s.otherJournalsOpen = 1;
    s.otherJournalsPnl = Money::fromMinor(-250, 2);
    panel.setStatus(s);
    const QString extra = panel.extraText();
    QVERIFY2(extra.contains(QStringLiteral("other journals")) && extra.contains(QStringLiteral("4 trade"))
                 && extra.contains(QStringLiteral("1 open")) && extra.contains(QStringLiteral("-2.50")),
             qPrintable(extra));
    QCOMPARE(panel.findChild<QLabel *>(QStringLiteral("tradesBarText"))->text(), QStringLiteral("12 / 100"));
}

QTEST_MAIN(TestLimitsPanel)
#include "tst_limitspanel.moc"
