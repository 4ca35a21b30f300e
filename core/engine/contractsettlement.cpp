// SPDX-License-Identifier: GPL-3.0-or-later
#include "contractsettlement.h"

#include "deriv/derivfields.h"

namespace Vigil {

namespace {
// A quote as text: the display value when present (exact), else the raw value as the server wrote it.
QString spotText(const QJsonObject &poc, const char *field)
{
    const QString name = QLatin1String(field);
    const QJsonValue display = poc.value(name + QLatin1String("_display_value"));
    if (display.isString() && !display.toString().isEmpty())
        return display.toString();
    const QJsonValue raw = poc.value(name);
    if (raw.isString())
        return raw.toString();
    return raw.isDouble() ? QString::number(raw.toDouble(), 'g', 15) : QString();
}
} // namespace

std::optional<ContractSettlement> ContractSettlement::fromOpenContract(const QJsonObject &poc, int moneyDigits,
                                                                      qint64 knownContractId)
{
    if (DerivFields::flag(poc.value(QLatin1String("is_sold"))) != true)
        return std::nullopt;
    ContractSettlement o;
    std::optional<qint64> id = DerivFields::integer(poc.value(QLatin1String("contract_id")));
    if (!id && knownContractId > 0)
        id = knownContractId;
    std::optional<Money> buy = DerivFields::money(poc.value(QLatin1String("buy_price")), moneyDigits);
    std::optional<Money> sell = DerivFields::money(poc.value(QLatin1String("sell_price")), moneyDigits);
    const std::optional<Money> profit = DerivFields::money(poc.value(QLatin1String("profit")), moneyDigits);
    const QString status = poc.value(QLatin1String("status")).toString();
    // Fill what the server left out from what it did say (exact arithmetic, never through a double).
    if (!sell && buy && profit)
        sell = *buy + *profit;
    if (!sell && status == QLatin1String("lost"))
        sell = Money::zero(moneyDigits);
    if (!buy && sell && profit)
        buy = *sell - *profit;
    if (!id || *id <= 0 || !buy || !sell)
        return std::nullopt;
    o.contractId = *id;
    o.buyPrice = *buy;
    o.sellPrice = *sell;
    // profit as reported; fall back to the exact difference
    o.profit = profit.value_or(*sell - *buy);
    o.status = status;
    if (o.status.isEmpty() || o.status == QLatin1String("open"))
        o.status = o.profit.isNegative() ? QStringLiteral("lost") : QStringLiteral("won");
    auto when = DerivFields::integer(poc.value(QLatin1String("sell_time")));
    if (!when)
        when = DerivFields::integer(poc.value(QLatin1String("exit_tick_time")));
    if (!when)
        when = DerivFields::integer(poc.value(QLatin1String("date_expiry")));
    o.closedMs = when.value_or(0) * 1000;
    o.entrySpot = spotText(poc, "entry_tick");
    if (o.entrySpot.isEmpty())
        o.entrySpot = spotText(poc, "entry_spot");
    o.entryEpochMs = DerivFields::integer(poc.value(QLatin1String("entry_tick_time"))).value_or(0) * 1000;
    o.exitSpot = spotText(poc, "exit_tick");
    o.exitEpochMs = DerivFields::integer(poc.value(QLatin1String("exit_tick_time"))).value_or(0) * 1000;
    if (o.exitSpot.isEmpty()) {
        o.exitSpot = spotText(poc, "sell_spot");
        o.exitEpochMs = DerivFields::integer(poc.value(QLatin1String("sell_spot_time"))).value_or(0) * 1000;
    }
    return o;
}

} // namespace Vigil
