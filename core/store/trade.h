// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QJsonObject>
#include <QMetaType>
#include <QString>

#include "money/money.h"
#include "store/tradestatus.h"

namespace Vigil {

// Who placed a trade: one of our bots, or someone else on the same account (found by reconciliation).
// Stored as "bot" / "outside".
enum class TradeAttribution { Bot, Outside };

QString tradeAttributionToString(TradeAttribution attribution);
std::optional<TradeAttribution> tradeAttributionFromString(QStringView name);

// One contract as the journal knows it. A value type: crosses threads freely.
// Every amount is a Money with the account currency's precision (all amounts of one trade share it);
// the amounts that are not known until the server answers are optional (nullopt = not known yet,
// which is different from zero: a lost contract sells for 0).
struct Trade
{
    qint64 localId = 0; // the journal's id (assigned by insertPending / adoptOrphan)
    QString account; // Deriv login id ("CR123456", "VRTC...")
    QString bot; // bot id; empty for trades placed outside Vigil
    QString symbol; // "R_100"
    QString contractType; // "CALL", "DIGITOVER", ...
    int duration = 0;
    QString durationUnit; // "t", "s", "m", "h", "d"
    QString currency; // "USD"
    Money stake;
    std::optional<Money> buyPrice; // buy.buy_price
    std::optional<Money> payout; // buy.payout
    std::optional<Money> sellPrice; // what the contract sold or settled for
    std::optional<Money> profit; // sellPrice - buyPrice as the server reports it
    qint64 contractId = 0; // 0 = not known (pending / unknown)
    qint64 transactionId = 0; // buy transaction id; 0 = not known
    TradeStatus status = TradeStatus::Pending;
    qint64 openedMs = 0; // UTC ms: when the buy was attempted; markOpen() replaces it with the purchase time
    qint64 closedMs = 0; // UTC ms: settlement / failure / give-up time; 0 = not closed
    QString closeReason;
    QString requestTag; // the req_id / passthrough tag the buy carried, to match a lost reply
    qint64 fence = 0; // fencing token of the latest write to this row (0 = unfenced)
    TradeAttribution attribution = TradeAttribution::Bot;
    qint64 updatedMs = 0; // set by the journal on every write

    // Every field, amounts as decimal strings ("19.53") so nothing goes through a double.
    // Used for reconciliation reports' before/after snapshots.
    QJsonObject toJson() const;
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::Trade)
