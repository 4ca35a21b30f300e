// SPDX-License-Identifier: GPL-3.0-or-later
#include "closedcontract.h"

namespace Vigil {

ClosedContract ClosedContract::fromSettlement(qint64 contractId, Money stake, Money profit)
{
    ClosedContract c;
    c.contractId = contractId;
    c.stake = stake;
    c.profit = profit;
    c.outcome = profit.isNegative() ? ContractOutcome::Lost
                                    : (profit.isZero() ? ContractOutcome::Refunded : ContractOutcome::Won);
    return c;
}

} // namespace Vigil
