// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QJsonObject>
#include <QMetaType>
#include <QString>

#include "money/money.h"

namespace Vigil {

// How a contract ended, as the server reports it in the final proposal_open_contract (is_sold = 1).
// A value type: crosses threads freely.
struct ContractSettlement
{
    qint64 contractId = 0;
    QString status;      // "won", "lost", "sold" (sold early), "void"? as the server spells it
    Money buyPrice;
    Money sellPrice;     // what it sold or settled for (0 for a loss)
    Money profit;        // sellPrice - buyPrice, as the server reports it
    qint64 closedMs = 0; // sell_time (or date_expiry) in UTC ms
    // Where it entered and left the market (for charts): the server's display strings ("1234.56"), never
    // parsed through a double; empty / 0 when the server did not say (exit: the exit tick, else the sell spot).
    QString entrySpot;
    qint64 entryEpochMs = 0;
    QString exitSpot;
    qint64 exitEpochMs = 0;

    // Reads a final proposal_open_contract payload; nullopt unless it is sold and its figures can be known.
    // The schema makes sell_price and contract_id optional: a missing sell_price is buy_price + profit, or 0
    // for status "lost"; a missing buy_price is sell_price - profit; a missing contract_id is
    // `knownContractId` (the id the caller asked about; 0 = none known).
    static std::optional<ContractSettlement> fromOpenContract(const QJsonObject &poc, int moneyDigits,
                                                              qint64 knownContractId = 0);
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::ContractSettlement)
