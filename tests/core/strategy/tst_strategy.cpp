// SPDX-License-Identifier: GPL-3.0-or-later
#include <memory>

#include <QJsonObject>
#include <QTest>

#include "strategy/fixedentry.h"
#include "strategy/flatstake.h"
#include "strategy/martingale.h"
#include "strategy/strategy.h"
#include "strategy/tickmomentum.h"

using namespace Vigil;

namespace {

ContractSpec callSpec()
{
    ContractSpec s;
    s.symbol = QStringLiteral("R_100");
    s.contractType = ContractType::Call;
    s.duration = 5;
    s.durationUnit = DurationUnit::Ticks;
    return s;
}

std::unique_ptr<Strategy> martingale(qint64 maxStakeMinor, ContractSpec spec = callSpec())
{
    EntryIntent fixed{spec.contractType, spec.barrier};
    return std::make_unique<Strategy>(spec, std::make_unique<Martingale>(Money::fromMinor(100), Multiplier::integer(2)),
                                      std::make_unique<FixedEntry>(fixed), Money::fromMinor(maxStakeMinor));
}

class TickSource
{
public:
    Tick next(qint64 pips = 100000, const char *symbol = "R_100")
    {
        m_second += 2;
        return Tick{QLatin1String(symbol), m_second * 1000, pips, 2};
    }

private:
    qint64 m_second = 1'700'000'000;
};

} // namespace

class TestStrategy final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void tradesWhenIdleOnly();
    void intentCarriesTheSpec();
    void abortedTradeFreesWithoutAdvancing();
    void ignoresOtherSymbolsAndStaleTicks();
    void capHaltsInsteadOfTrading();
    void stakeEqualToCapIsTraded();
    void momentumProposalsWhileBusyAreDropped();
    void replayWhileIdleRestoresProgression();
    void describe();
};

void TestStrategy::tradesWhenIdleOnly()
{
    auto s = martingale(10000);
    TickSource ticks;
    QVERIFY(!s->isBusy());
    const StrategyDecision d = s->onTick(ticks.next());
    QVERIFY(d.isTrade());
    QVERIFY(s->isBusy());
    QVERIFY(s->onTick(ticks.next()).isWait());
    QVERIFY(s->onTick(ticks.next()).isWait());
    s->onContractClosed(ClosedContract::lost(d.trade.stake));
    QVERIFY(!s->isBusy());
    const StrategyDecision d2 = s->onTick(ticks.next());
    QVERIFY(d2.isTrade());
    QCOMPARE(d2.trade.stake, Money::fromMinor(200));
}

void TestStrategy::intentCarriesTheSpec()
{
    ContractSpec spec = callSpec();
    spec.symbol = QStringLiteral("1HZ50V");
    spec.contractType = ContractType::DigitUnder;
    spec.barrier = QStringLiteral("7");
    spec.duration = 3;
    spec.currency = QStringLiteral("EUR");
    auto s = martingale(10000, spec);
    TickSource ticks;
    const StrategyDecision d = s->onTick(ticks.next(100, "1HZ50V"));
    QVERIFY(d.isTrade());
    QCOMPARE(d.trade.symbol, QStringLiteral("1HZ50V"));
    QCOMPARE(d.trade.contractType, ContractType::DigitUnder);
    QCOMPARE(d.trade.barrier, QStringLiteral("7"));
    QCOMPARE(d.trade.duration, 3);
    QCOMPARE(d.trade.durationUnit, DurationUnit::Ticks);
    QCOMPARE(d.trade.stake, Money::fromMinor(100));
    QCOMPARE(d.trade.basis, QStringLiteral("stake"));
    QCOMPARE(d.trade.currency, QStringLiteral("EUR"));

    const QJsonObject j = d.trade.toJson();
    QCOMPARE(j.value(QLatin1String("contract_type")).toString(), QStringLiteral("DIGITUNDER"));
    QCOMPARE(j.value(QLatin1String("stake")).toString(), QStringLiteral("1.00"));
    QCOMPARE(j.value(QLatin1String("duration_unit")).toString(), QStringLiteral("t"));
    QCOMPARE(j.value(QLatin1String("barrier")).toString(), QStringLiteral("7"));
}

void TestStrategy::abortedTradeFreesWithoutAdvancing()
{
    auto s = martingale(10000);
    TickSource ticks;
    QCOMPARE(s->onTick(ticks.next()).trade.stake, Money::fromMinor(100));
    s->onTradeAborted();
    QVERIFY(!s->isBusy());
    QCOMPARE(s->onTick(ticks.next()).trade.stake, Money::fromMinor(100));
}

void TestStrategy::ignoresOtherSymbolsAndStaleTicks()
{
    auto s = martingale(10000);
    TickSource ticks;
    QVERIFY(s->onTick(ticks.next(100, "R_50")).isWait());
    QVERIFY(!s->isBusy());
    const Tick t = ticks.next();
    QVERIFY(s->onTick(t).isTrade());
    s->onTradeAborted();
    QVERIFY(s->onTick(t).isWait()); // the same tick again
    Tick older = t;
    older.epochMs -= 2000;
    QVERIFY(s->onTick(older).isWait());
    QVERIFY(s->onTick(ticks.next()).isTrade());
}

void TestStrategy::capHaltsInsteadOfTrading()
{
    auto s = martingale(500); // 1, 2, 4 fit; 8 does not
    TickSource ticks;
    for (const qint64 expected : {100, 200, 400}) {
        const StrategyDecision d = s->onTick(ticks.next());
        QVERIFY(d.isTrade());
        QCOMPARE(d.trade.stake.minor(), expected);
        s->onContractClosed(ClosedContract::lost(d.trade.stake));
    }
    const Result<Money> next = s->nextStake();
    QVERIFY(!next.ok());
    QCOMPARE(next.error().code, QStringLiteral("StrategyMaxStakeExceeded"));

    const StrategyDecision halt = s->onTick(ticks.next());
    QVERIFY(halt.isHalt());
    QCOMPARE(halt.error.code, QStringLiteral("StrategyMaxStakeExceeded"));
    QCOMPARE(halt.error.kind, ErrorKind::NotSent);
    QCOMPARE(halt.error.details.value(QLatin1String("stake")).toString(), QStringLiteral("8.00"));
    QCOMPARE(halt.error.details.value(QLatin1String("max_stake")).toString(), QStringLiteral("5.00"));
    QVERIFY(halt.error.message.contains(QLatin1String("8.00")));
    QVERIFY(!s->isBusy()); // nothing was bought
    // It never trades a smaller stake instead: every further entry is a halt too.
    QVERIFY(s->onTick(ticks.next()).isHalt());

    s->reset(); // re-arm
    const StrategyDecision d = s->onTick(ticks.next());
    QVERIFY(d.isTrade());
    QCOMPARE(d.trade.stake.minor(), 100);
}

void TestStrategy::stakeEqualToCapIsTraded()
{
    auto s = martingale(400);
    TickSource ticks;
    for (int i = 0; i < 2; ++i) {
        const StrategyDecision d = s->onTick(ticks.next());
        s->onContractClosed(ClosedContract::lost(d.trade.stake));
    }
    const StrategyDecision d = s->onTick(ticks.next());
    QVERIFY(d.isTrade());
    QCOMPARE(d.trade.stake.minor(), 400);
}

void TestStrategy::momentumProposalsWhileBusyAreDropped()
{
    Strategy s(callSpec(), std::make_unique<FlatStake>(Money::fromMinor(100)), std::make_unique<TickMomentum>(2),
               Money::fromMinor(100));
    TickSource ticks;
    QVERIFY(s.onTick(ticks.next(100)).isWait());
    QVERIFY(s.onTick(ticks.next(101)).isWait());
    const StrategyDecision d = s.onTick(ticks.next(102));
    QVERIFY(d.isTrade());
    QCOMPARE(d.trade.contractType, ContractType::Call);
    // Two falls while busy: the signal fires but nothing is queued for later.
    QVERIFY(s.onTick(ticks.next(101)).isWait());
    QVERIFY(s.onTick(ticks.next(100)).isWait());
    s.onContractClosed(ClosedContract::lost(d.trade.stake));
    QVERIFY(s.onTick(ticks.next(100)).isWait()); // unchanged quote: no signal
    QVERIFY(s.onTick(ticks.next(99)).isWait());
    const StrategyDecision put = s.onTick(ticks.next(98));
    QVERIFY(put.isTrade());
    QCOMPARE(put.trade.contractType, ContractType::Put);
}

void TestStrategy::replayWhileIdleRestoresProgression()
{
    auto s = martingale(10000);
    s->onContractClosed(ClosedContract::lost(Money::fromMinor(100)));
    s->onContractClosed(ClosedContract::lost(Money::fromMinor(200)));
    QCOMPARE(s->nextStake().value(), Money::fromMinor(400));
    TickSource ticks;
    QCOMPARE(s->onTick(ticks.next()).trade.stake, Money::fromMinor(400));
}

void TestStrategy::describe()
{
    auto s = martingale(5000);
    QCOMPARE(s->describe(), QStringLiteral("R_100 CALL 5t, Martingale ×2, base 1.00, max stake 50.00 USD"));
}

QTEST_APPLESS_MAIN(TestStrategy)
#include "tst_strategy.moc"
