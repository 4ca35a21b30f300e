// SPDX-License-Identifier: GPL-3.0-or-later
#include "contractsettlement.h"

#include "deriv/derivfields.h"

namespace Vigil {

std::optional<ContractSettlement> ContractSettlement::fromOpenContract(const QJsonObject &poc, int moneyDigits)
{
    if (DerivFields::flag(poc.value(QLatin1String("is_sold"))) != true)
        return std::nullopt;
    ContractSettlement o;
    const auto id = DerivFields::integer(poc.value(QLatin1String("contract_id")));
    const auto buy = DerivFields::money(poc.value(QLatin1String("buy_price")), moneyDigits);
    const auto sell = DerivFields::money(poc.value(QLatin1String("sell_price")), moneyDigits);
    if (!id || !buy || !sell)
        return std::nullopt;
    o.contractId = *id;
    o.buyPrice = *buy;
    o.sellPrice = *sell;
    // profit as reported; fall back to the exact difference (never through a double)
    o.profit = DerivFields::money(poc.value(QLatin1String("profit")), moneyDigits).value_or(*sell - *buy);
    o.status = poc.value(QLatin1String("status")).toString();
    if (o.status.isEmpty() || o.status == QLatin1String("open"))
        o.status = o.profit.isNegative() ? QStringLiteral("lost") : QStringLiteral("won");
    auto when = DerivFields::integer(poc.value(QLatin1String("sell_time")));
    if (!when)
        when = DerivFields::integer(poc.value(QLatin1String("exit_tick_time")));
    if (!when)
        when = DerivFields::integer(poc.value(QLatin1String("date_expiry")));
    o.closedMs = when.value_or(0) * 1000;
    return o;
}

} // namespace Vigil
