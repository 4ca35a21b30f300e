// SPDX-License-Identifier: GPL-3.0-or-later
#include "strategy.h"

#include <utility>

namespace Vigil {

Strategy::Strategy(ContractSpec spec, std::unique_ptr<StakingSystem> staking, std::unique_ptr<EntrySignal> entry,
                   Money maxStake)
    : m_spec(std::move(spec)), m_staking(std::move(staking)), m_entry(std::move(entry)), m_maxStake(maxStake)
{
    Q_ASSERT(m_staking);
    Q_ASSERT(m_entry);
}

Strategy::~Strategy() = default;

StrategyDecision Strategy::onTick(const Tick &tick)
{
    if (tick.symbol != m_spec.symbol || tick.epochMs <= m_lastTickMs)
        return StrategyDecision::wait();
    m_lastTickMs = tick.epochMs;

    // The signal sees every tick (momentum needs the history) but is only acted on while idle.
    const std::optional<EntryIntent> entry = m_entry->onTick(tick);
    if (!entry || m_busy)
        return StrategyDecision::wait();

    Result<Money> stake = nextStake();
    if (!stake)
        return StrategyDecision::halt(stake.error());

    TradeIntent intent;
    intent.symbol = m_spec.symbol;
    intent.contractType = entry->contractType;
    intent.duration = m_spec.duration;
    intent.durationUnit = m_spec.durationUnit;
    intent.barrier = entry->barrier;
    intent.stake = stake.value();
    intent.currency = m_spec.currency;
    m_busy = true;
    return StrategyDecision::buy(std::move(intent));
}

void Strategy::onContractClosed(const ClosedContract &contract)
{
    m_staking->onResult(contract);
    m_busy = false;
}

void Strategy::onTradeAborted()
{
    m_busy = false;
}

void Strategy::reset()
{
    m_staking->reset();
    m_entry->reset();
}

Result<Money> Strategy::nextStake() const
{
    const Money stake = m_staking->nextStake();
    if (stake > m_maxStake) {
        Error e = Error::make(ErrorKind::NotSent, QStringLiteral("StrategyMaxStakeExceeded"),
                              QStringLiteral("next stake %1 %2 (%3) is above max_stake %4 %2: the bot halts instead "
                                             "of trading a different stake")
                                  .arg(stake.toString(), m_spec.currency, m_staking->describe(),
                                       m_maxStake.toString()));
        e.details.insert(QStringLiteral("stake"), stake.toString());
        e.details.insert(QStringLiteral("max_stake"), m_maxStake.toString());
        e.details.insert(QStringLiteral("staking"), m_staking->name());
        return e;
    }
    return stake;
}

QString Strategy::describe() const
{
    QString s = m_spec.symbol + u' ' + contractTypeName(m_spec.contractType);
    if (!m_spec.barrier.isEmpty())
        s += u' ' + m_spec.barrier;
    s += u' ' + QString::number(m_spec.duration) + durationUnitName(m_spec.durationUnit);
    if (m_entry->name() != QLatin1String("fixed"))
        s += QStringLiteral(", entry ") + m_entry->name();
    s += QStringLiteral(", ") + m_staking->describe() + QStringLiteral(", max stake ") + m_maxStake.toString()
        + u' ' + m_spec.currency;
    return s;
}

} // namespace Vigil
