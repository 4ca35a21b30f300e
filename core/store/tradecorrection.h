// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QString>

#include "money/money.h"
#include "store/tradestatus.h"

namespace Vigil {

// The server's figures for a trade whose journal row disagrees with them (Journal::correct).
// Only the members that are set are written; the server wins.
struct TradeCorrection
{
    std::optional<TradeStatus> status; // not Pending
    std::optional<qint64> contractId;
    std::optional<qint64> transactionId;
    std::optional<Money> buyPrice;
    std::optional<Money> payout;
    std::optional<Money> sellPrice;
    std::optional<Money> profit;
    std::optional<qint64> openedMs;
    std::optional<qint64> closedMs;
    QString reason; // required: why (e.g. "profit_table disagrees")
};

} // namespace Vigil
