// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaType>

#include "money/money.h"

namespace Vigil {

// How a contract ended, as a staking system sees it.
enum class ContractOutcome {
    Won,      // profit > 0 (expired in the money, or sold early at a gain)
    Lost,     // profit < 0
    Refunded, // profit == 0: voided/refunded (no entry or exit tick) or sold at exactly the stake
};

// A settled contract, reported by the engine to the strategy that opened it. A value type.
struct ClosedContract
{
    qint64 contractId = 0;
    Money stake;   // buy price
    Money profit;  // sell price − buy price: negative for a loss
    ContractOutcome outcome = ContractOutcome::Refunded;

    // The outcome follows the sign of `profit` (what Deriv reports as won/lost, and what a sale realised).
    static ClosedContract fromSettlement(qint64 contractId, Money stake, Money profit);
    static ClosedContract won(Money stake, Money profit) { return fromSettlement(0, stake, profit); }
    static ClosedContract lost(Money stake) { return fromSettlement(0, stake, -stake); }

    bool isWin() const { return outcome == ContractOutcome::Won; }
    bool isLoss() const { return outcome == ContractOutcome::Lost; }
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::ClosedContract)
