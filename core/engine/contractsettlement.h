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

    // Reads a final proposal_open_contract payload; nullopt unless it is sold and every figure is present.
    static std::optional<ContractSettlement> fromOpenContract(const QJsonObject &poc, int moneyDigits);
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::ContractSettlement)
