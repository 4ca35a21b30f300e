// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "strategy/entrysignal.h"

namespace Vigil {

// Momentum: after `moves` consecutive rising ticks propose a rise contract, after as many falling ticks a
// fall contract.
// - A move is one tick compared with the previous one, so N moves need N+1 ticks.
// - An unchanged quote breaks the run; a move against the run starts a new run of 1 the other way.
// - After a proposal the run starts over from the last tick: the next proposal needs N fresh moves
//   (a proposal made while the bot was busy is not queued).
// - A tick not newer than the previous one (a repeat after a reconnect) is ignored; a different symbol
//   starts over.
class TickMomentum final : public EntrySignal
{
public:
    // moves >= 1; riseType is CALL or CALLE, the fall type is its opposite (PUT or PUTE).
    TickMomentum(int moves, ContractType riseType = ContractType::Call);

    std::optional<EntryIntent> onTick(const Tick &tick) override;
    void reset() override;
    QString name() const override;

    int run() const { return m_run; } // signed: +k after k rises, −k after k falls

private:
    int m_moves;
    ContractType m_riseType;
    std::optional<Tick> m_last;
    int m_run = 0;
};

} // namespace Vigil
