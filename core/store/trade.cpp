// SPDX-License-Identifier: GPL-3.0-or-later
#include "trade.h"

namespace Vigil {

QString tradeAttributionToString(TradeAttribution attribution)
{
    return attribution == TradeAttribution::Outside ? QStringLiteral("outside") : QStringLiteral("bot");
}

std::optional<TradeAttribution> tradeAttributionFromString(QStringView name)
{
    if (name == u"bot")
        return TradeAttribution::Bot;
    if (name == u"outside")
        return TradeAttribution::Outside;
    return std::nullopt;
}

namespace {
QJsonValue moneyJson(const std::optional<Money> &m)
{
    return m ? QJsonValue(m->toString()) : QJsonValue(QJsonValue::Null);
}
} // namespace

QJsonObject Trade::toJson() const
{
    return QJsonObject {
        { QStringLiteral("local_id"), localId },
        { QStringLiteral("account"), account },
        { QStringLiteral("bot"), bot },
        { QStringLiteral("symbol"), symbol },
        { QStringLiteral("contract_type"), contractType },
        { QStringLiteral("duration"), duration },
        { QStringLiteral("duration_unit"), durationUnit },
        { QStringLiteral("currency"), currency },
        { QStringLiteral("stake"), stake.toString() },
        { QStringLiteral("buy_price"), moneyJson(buyPrice) },
        { QStringLiteral("payout"), moneyJson(payout) },
        { QStringLiteral("sell_price"), moneyJson(sellPrice) },
        { QStringLiteral("profit"), moneyJson(profit) },
        { QStringLiteral("contract_id"), contractId },
        { QStringLiteral("transaction_id"), transactionId },
        { QStringLiteral("status"), tradeStatusToString(status) },
        { QStringLiteral("opened_ms"), openedMs },
        { QStringLiteral("closed_ms"), closedMs },
        { QStringLiteral("close_reason"), closeReason },
        { QStringLiteral("request_tag"), requestTag },
        { QStringLiteral("fence"), fence },
        { QStringLiteral("attribution"), tradeAttributionToString(attribution) },
        { QStringLiteral("updated_ms"), updatedMs },
    };
}

} // namespace Vigil
