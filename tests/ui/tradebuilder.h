// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "store/trade.h"

namespace Vigil::Test {

// A journal row as the trades views receive it; settled statuses get sell price and profit.
inline Trade trade(qint64 localId, const QString &bot, TradeStatus status, qint64 profitMinor = 0,
                   const QString &account = QStringLiteral("VRTC1000001"))
{
    Trade t;
    t.localId = localId;
    t.account = account;
    t.bot = bot;
    t.symbol = QStringLiteral("R_100");
    t.contractType = QStringLiteral("CALL");
    t.duration = 5;
    t.durationUnit = QStringLiteral("t");
    t.currency = QStringLiteral("USD");
    t.stake = Money::fromMinor(100);
    t.status = status;
    t.openedMs = 1'700'000'000'000 + localId * 1000;
    t.updatedMs = t.openedMs;
    if (status != TradeStatus::Pending && status != TradeStatus::Failed) {
        t.contractId = 5000 + localId;
        t.buyPrice = Money::fromMinor(100);
        t.payout = Money::fromMinor(195);
    }
    if (isSettledStatus(status)) {
        t.profit = Money::fromMinor(profitMinor);
        t.sellPrice = Money::fromMinor(100 + profitMinor);
        t.closedMs = t.openedMs + 5000;
        t.closeReason = QStringLiteral("expired");
    }
    return t;
}

} // namespace Vigil::Test
