// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include "health/result.h"
#include "strategy/closedcontract.h"
#include "strategy/contractspec.h"
#include "strategy/entrysignal.h"
#include "strategy/stakingsystem.h"
#include "strategy/strategydecision.h"
#include "strategy/tick.h"

namespace Vigil {

// A bot's trading logic: a contract spec (WHAT), an entry signal (WHEN) and a staking system (HOW MUCH).
// It only decides; it never talks to the network, the journal or the limits. One per bot, used on the
// bot's thread only (not thread-safe). Built by StrategyFactory from validated params.
//
// Life of a trade, as the engine drives it:
//   onTick() → Trade(intent)   the strategy is now busy: no further Trade until one of
//   onContractClosed(result)   the contract settled: the progression advances, idle again
//   onTradeAborted()           the buy was not made (refused by gate/limits, rejected by Deriv, or found
//                              not bought by reconciliation): idle again, progression unchanged.
// A buy whose outcome is unknown keeps the strategy busy until reconciliation says which of the two it was.
//
// The stake cap: when the progression asks for more than maxStake, onTick() answers Halt (and keeps doing
// so for every entry until reset()); it never trades a smaller stake instead. nextStake() shows the same
// verdict ahead of time, so the engine can halt right after the losing contract that caused it.
class Strategy
{
public:
    // All three parts are required; maxStake >= the base stake (the factory checks it).
    Strategy(ContractSpec spec, std::unique_ptr<StakingSystem> staking, std::unique_ptr<EntrySignal> entry,
             Money maxStake);
    ~Strategy();
    Strategy(const Strategy &) = delete;
    Strategy &operator=(const Strategy &) = delete;

    // Ticks of other symbols and ticks not newer than the last one seen are ignored (Wait).
    StrategyDecision onTick(const Tick &tick);
    // Also accepted while idle: replaying the day's closed contracts of this bot from the journal after a
    // restart restores the progression.
    void onContractClosed(const ClosedContract &contract);
    void onTradeAborted();
    // Back to the start of the progression and of the entry signal (re-arm after a halt). Does not clear
    // "busy": a contract still open will still be reported.
    void reset();

    // The stake the next trade would use, or the Halt error if it is above the cap.
    Result<Money> nextStake() const;
    bool isBusy() const { return m_busy; }

    const ContractSpec &spec() const { return m_spec; }
    Money maxStake() const { return m_maxStake; }
    const StakingSystem &staking() const { return *m_staking; }
    const EntrySignal &entry() const { return *m_entry; }
    // "R_100 CALL 5t, Martingale ×2, max 6 steps, base 1.00, max stake 50.00 USD"
    QString describe() const;

private:
    ContractSpec m_spec;
    std::unique_ptr<StakingSystem> m_staking;
    std::unique_ptr<EntrySignal> m_entry;
    Money m_maxStake;
    qint64 m_lastTickMs = -1;
    bool m_busy = false;
};

} // namespace Vigil
