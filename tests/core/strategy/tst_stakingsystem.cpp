// SPDX-License-Identifier: GPL-3.0-or-later
#include <memory>

#include <QTest>

#include "strategy/dalembert.h"
#include "strategy/flatstake.h"
#include "strategy/martingale.h"
#include "strategy/onethreetwosix.h"
#include "strategy/oscarsgrind.h"
#include "strategy/reversemartingale.h"

using namespace Vigil;

namespace {

Money money(const char *text)
{
    const std::optional<Money> m = Money::parse(QString::fromLatin1(text));
    Q_ASSERT(m);
    return *m;
}

Multiplier factor(const char *text)
{
    const std::optional<Multiplier> m = Multiplier::parse(QString::fromLatin1(text));
    Q_ASSERT(m);
    return *m;
}

// "martingale 2 0", "dalembert 0.50", "oscars", "paroli 2 3", "1326", "flat"
std::unique_ptr<StakingSystem> makeSystem(const QString &spec, Money base)
{
    const QStringList p = spec.split(u' ');
    const QByteArray a1 = p.value(1).toLatin1();
    if (p[0] == QLatin1String("flat"))
        return std::make_unique<FlatStake>(base);
    if (p[0] == QLatin1String("martingale"))
        return std::make_unique<Martingale>(base, factor(a1.constData()), p.value(2).toInt());
    if (p[0] == QLatin1String("dalembert"))
        return std::make_unique<DAlembert>(base, p.size() > 1 ? money(a1.constData()) : base);
    if (p[0] == QLatin1String("oscars"))
        return std::make_unique<OscarsGrind>(base);
    if (p[0] == QLatin1String("paroli"))
        return std::make_unique<ReverseMartingale>(base, factor(a1.constData()), p.value(2).toInt());
    if (p[0] == QLatin1String("1326"))
        return std::make_unique<OneThreeTwoSix>(base);
    qFatal("unknown system in test row");
}

// W = win at a 95 % payout, E = even-money win (profit == stake), L = loss, R = refund.
ClosedContract outcome(QChar c, Money stake)
{
    switch (c.unicode()) {
    case 'W': return ClosedContract::fromSettlement(1, stake, Money::fromMinor(stake.minor() * 95 / 100));
    case 'E': return ClosedContract::fromSettlement(1, stake, stake);
    case 'L': return ClosedContract::fromSettlement(1, stake, -stake);
    case 'R': return ClosedContract::fromSettlement(1, stake, Money::zero());
    }
    qFatal("unknown outcome in test row");
}

} // namespace

class TestStakingSystem final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void sequence_data();
    void sequence();
    void resetReturnsToBase_data();
    void resetReturnsToBase();
    void closedContractOutcomeFollowsProfit();
    void namesAndDescriptions();
    void oscarsGrindReachesTargetWithRealPayout();
};

void TestStakingSystem::sequence_data()
{
    QTest::addColumn<QString>("system");
    QTest::addColumn<QString>("base");
    QTest::addColumn<QString>("outcomes");
    // The stake of every trade, and after the last result the stake the next trade would use.
    QTest::addColumn<QString>("stakes");

    QTest::newRow("flat ignores results") << "flat" << "1.00" << "LWLR" << "1.00 1.00 1.00 1.00 1.00";

    QTest::newRow("martingale doubles on losses") << "martingale 2" << "1.00" << "LLLL" << "1.00 2.00 4.00 8.00 16.00";
    QTest::newRow("martingale win resets") << "martingale 2" << "1.00" << "LLWL" << "1.00 2.00 4.00 1.00 2.00";
    QTest::newRow("martingale max steps restarts series")
        << "martingale 2 3" << "1.00" << "LLLLL" << "1.00 2.00 4.00 8.00 1.00 2.00";
    QTest::newRow("martingale max steps 1") << "martingale 3 1" << "0.50" << "LLL" << "0.50 1.50 0.50 1.50";
    QTest::newRow("martingale 1.5 rounds half up each step")
        << "martingale 1.5" << "0.35" << "LLL" << "0.35 0.53 0.80 1.20";
    QTest::newRow("martingale 2.5 on minimum stake") << "martingale 2.5" << "0.35" << "LLL" << "0.35 0.88 2.20 5.50";
    QTest::newRow("martingale 2.0625") << "martingale 2.0625" << "1.00" << "LL" << "1.00 2.06 4.25";
    QTest::newRow("martingale refund keeps stake") << "martingale 2" << "1.00" << "LRL" << "1.00 2.00 2.00 4.00";
    QTest::newRow("martingale multiplier 1 is flat") << "martingale 1" << "1.00" << "LL" << "1.00 1.00 1.00";
    QTest::newRow("martingale sold-early gain is a win") << "martingale 2" << "1.00" << "LE" << "1.00 2.00 1.00";

    QTest::newRow("dalembert up on loss down on win")
        << "dalembert" << "1.00" << "LLWWW" << "1.00 2.00 3.00 2.00 1.00 1.00";
    QTest::newRow("dalembert custom unit") << "dalembert 0.50" << "1.00" << "LLW" << "1.00 1.50 2.00 1.50";
    QTest::newRow("dalembert never below base") << "dalembert" << "1.00" << "WWLW" << "1.00 1.00 1.00 2.00 1.00";
    QTest::newRow("dalembert refund keeps level") << "dalembert" << "1.00" << "LRL" << "1.00 2.00 2.00 3.00";

    // Textbook (even-money) Oscar's Grind.
    QTest::newRow("oscars first win completes series") << "oscars" << "1.00" << "E" << "1.00 1.00";
    QTest::newRow("oscars loss keeps stake") << "oscars" << "1.00" << "LL" << "1.00 1.00 1.00";
    QTest::newRow("oscars raises one unit after win")
        << "oscars" << "1.00" << "LLLEEE" << "1.00 1.00 1.00 1.00 2.00 1.00 1.00";
    QTest::newRow("oscars does not overshoot target")
        << "oscars" << "1.00" << "LEEL" << "1.00 1.00 1.00 1.00 1.00";
    QTest::newRow("oscars climbs in a deep series")
        << "oscars" << "1.00" << "LLLLLEEL" << "1.00 1.00 1.00 1.00 1.00 1.00 2.00 3.00 3.00";
    // 95 % payout: a one-unit win leaves the series short of its target, so one more unit is needed.
    QTest::newRow("oscars 95% payout") << "oscars" << "1.00" << "WW" << "1.00 1.00 1.00";
    QTest::newRow("oscars 95% payout deep")
        << "oscars" << "1.00" << "LLWWW" << "1.00 1.00 1.00 2.00 1.00 1.00";

    QTest::newRow("paroli doubles on wins then banks")
        << "paroli 2 3" << "1.00" << "WWWW" << "1.00 2.00 4.00 1.00 2.00";
    QTest::newRow("paroli loss resets") << "paroli 2 3" << "1.00" << "WLW" << "1.00 2.00 1.00 2.00";
    QTest::newRow("paroli 1.5 rounds") << "paroli 1.5 3" << "0.35" << "WWW" << "0.35 0.53 0.80 0.35";
    QTest::newRow("paroli max wins 1 never grows") << "paroli 2 1" << "1.00" << "WW" << "1.00 1.00 1.00";
    QTest::newRow("paroli refund keeps run") << "paroli 2 3" << "1.00" << "WRW" << "1.00 2.00 2.00 4.00";

    QTest::newRow("1326 full cycle") << "1326" << "1.00" << "WWWWW" << "1.00 3.00 2.00 6.00 1.00 3.00";
    QTest::newRow("1326 loss resets") << "1326" << "1.00" << "WWL" << "1.00 3.00 2.00 1.00";
    QTest::newRow("1326 loss on six resets") << "1326" << "0.50" << "WWWL" << "0.50 1.50 1.00 3.00 0.50";
    QTest::newRow("1326 refund holds position") << "1326" << "1.00" << "WRW" << "1.00 3.00 3.00 2.00";
}

void TestStakingSystem::sequence()
{
    QFETCH(QString, system);
    QFETCH(QString, base);
    QFETCH(QString, outcomes);
    QFETCH(QString, stakes);

    const std::unique_ptr<StakingSystem> s = makeSystem(system, *Money::parse(base));
    const QStringList expected = stakes.split(u' ');
    QCOMPARE(expected.size(), outcomes.size() + 1);
    for (qsizetype i = 0; i < outcomes.size(); ++i) {
        const Money stake = s->nextStake();
        QVERIFY2(stake.toString() == expected[i],
                 qPrintable(QStringLiteral("trade %1: stake %2, expected %3").arg(i + 1).arg(stake.toString(), expected[i])));
        s->onResult(outcome(outcomes[i], stake));
    }
    QCOMPARE(s->nextStake().toString(), expected.last());
}

void TestStakingSystem::resetReturnsToBase_data()
{
    QTest::addColumn<QString>("system");
    QTest::addColumn<QString>("script"); // moves the progression away from its start
    QTest::newRow("martingale") << "martingale 2" << "LL";
    QTest::newRow("dalembert") << "dalembert" << "LLL";
    QTest::newRow("oscars") << "oscars" << "LLLE";
    QTest::newRow("paroli") << "paroli 2 5" << "WW";
    QTest::newRow("1326") << "1326" << "WWW";
}

void TestStakingSystem::resetReturnsToBase()
{
    QFETCH(QString, system);
    QFETCH(QString, script);
    const Money base = Money::fromMinor(100);
    const std::unique_ptr<StakingSystem> s = makeSystem(system, base);
    for (QChar c : script)
        s->onResult(outcome(c, s->nextStake()));
    QVERIFY(s->nextStake() != base);
    s->reset();
    QCOMPARE(s->nextStake(), base);
    // And the progression really starts over, not just the displayed stake.
    s->onResult(outcome(script.front(), s->nextStake()));
    const std::unique_ptr<StakingSystem> fresh = makeSystem(system, base);
    fresh->onResult(outcome(script.front(), fresh->nextStake()));
    QCOMPARE(s->nextStake(), fresh->nextStake());
}

void TestStakingSystem::closedContractOutcomeFollowsProfit()
{
    QCOMPARE(ClosedContract::fromSettlement(7, Money::fromMinor(100), Money::fromMinor(95)).outcome, ContractOutcome::Won);
    QCOMPARE(ClosedContract::fromSettlement(7, Money::fromMinor(100), Money::fromMinor(-100)).outcome,
             ContractOutcome::Lost);
    // Sold early at a partial loss is a loss for the progression.
    QCOMPARE(ClosedContract::fromSettlement(7, Money::fromMinor(100), Money::fromMinor(-40)).outcome,
             ContractOutcome::Lost);
    QCOMPARE(ClosedContract::fromSettlement(7, Money::fromMinor(100), Money::zero()).outcome, ContractOutcome::Refunded);
    QCOMPARE(ClosedContract::fromSettlement(7, Money::fromMinor(100), Money::zero()).contractId, 7);
}

void TestStakingSystem::namesAndDescriptions()
{
    const Money base = Money::fromMinor(100);
    QCOMPARE(makeSystem(QStringLiteral("flat"), base)->name(), QStringLiteral("flat"));
    QCOMPARE(makeSystem(QStringLiteral("martingale 2"), base)->name(), QStringLiteral("martingale"));
    QCOMPARE(makeSystem(QStringLiteral("dalembert"), base)->name(), QStringLiteral("dalembert"));
    QCOMPARE(makeSystem(QStringLiteral("oscars"), base)->name(), QStringLiteral("oscars_grind"));
    QCOMPARE(makeSystem(QStringLiteral("paroli 2 3"), base)->name(), QStringLiteral("reverse_martingale"));
    QCOMPARE(makeSystem(QStringLiteral("1326"), base)->name(), QStringLiteral("one_three_two_six"));
    QCOMPARE(makeSystem(QStringLiteral("martingale 1.5 6"), base)->describe(),
             QStringLiteral("Martingale ×1.5, max 6 steps, base 1.00"));
}

void TestStakingSystem::oscarsGrindReachesTargetWithRealPayout()
{
    // Whatever the sequence, a series only ends once its real profit reached one unit.
    OscarsGrind og(Money::fromMinor(100));
    const QString script = QStringLiteral("LLLWLWWLLWWWLWWW");
    int seriesEnded = 0;
    for (QChar c : script) {
        const Money before = og.seriesProfit();
        const ClosedContract cc = outcome(c, og.nextStake());
        og.onResult(cc);
        if (og.seriesProfit().isZero() && cc.isWin()) {
            QVERIFY((before + cc.profit).minor() >= 100);
            ++seriesEnded;
        }
        QVERIFY(og.nextStake().minor() >= 100);
    }
    QVERIFY(seriesEnded >= 2);
}

QTEST_APPLESS_MAIN(TestStakingSystem)
#include "tst_stakingsystem.moc"
