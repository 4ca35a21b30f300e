// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QMetaType>
#include <QString>

namespace Vigil {

// Where a journaled trade stands. The journal stores the lower-case names ("pending", "open", ...).
enum class TradeStatus {
    Pending, // row written, buy about to be sent (or sent, reply not yet read)
    Open, // the buy reply came back: contract id known, not settled
    Won, // settled at expiry with the payout
    Lost, // settled at expiry for 0
    Sold, // sold before expiry
    Failed, // the buy was rejected, or reconciliation proved it never happened
    Unknown, // buy reply lost: outcome unknown until reconciled
    Stale, // given up on: no longer followed (the server has no record or it is too old to resolve)
    Void, // the server voided the contract and refunded the stake
};

QString tradeStatusToString(TradeStatus status);
// nullopt for anything but the exact lower-case names tradeStatusToString() produces.
std::optional<TradeStatus> tradeStatusFromString(QStringView name);

// Won, Lost, Sold, Void: the contract ended with a known result and its profit counts as realized.
bool isSettledStatus(TradeStatus status);
// Pending, Unknown, Open: reconciliation must still look at it.
bool isUnresolvedStatus(TradeStatus status);
// No further status change is expected (settled, Failed or Stale); correct() may still amend figures.
bool isFinalStatus(TradeStatus status);

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::TradeStatus)
