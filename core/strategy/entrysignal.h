// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QString>

#include "strategy/contracttype.h"
#include "strategy/tick.h"

namespace Vigil {

// WHAT to buy, as an entry signal proposes it.
struct EntryIntent
{
    ContractType contractType = ContractType::Call;
    QString barrier; // empty when the contract has none; a digit "0".."9" for digit contracts

    friend bool operator==(const EntryIntent &, const EntryIntent &) = default;
};

// WHEN to trade: sees every tick of the bot's symbol, in order, and proposes an entry or not.
// The Strategy acts on a proposal only while the bot is idle (no contract of its own pending or open);
// signals that need history (momentum) still see every tick. Single-threaded: the bot's thread.
class EntrySignal
{
public:
    virtual ~EntrySignal() = default;

    virtual std::optional<EntryIntent> onTick(const Tick &tick) = 0;
    // Forget any history (after a reconnect gap or a re-arm).
    virtual void reset() = 0;
    // Stable identifier as used in strategy params ("fixed", "momentum").
    virtual QString name() const = 0;

protected:
    EntrySignal() = default;
    EntrySignal(const EntrySignal &) = default;
    EntrySignal &operator=(const EntrySignal &) = default;
};

} // namespace Vigil
