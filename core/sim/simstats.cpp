// SPDX-License-Identifier: GPL-3.0-or-later
#include "simstats.h"

#include <QJsonArray>

namespace Vigil::Sim {

QJsonObject AccountStats::toJson() const
{
    QJsonArray buys;
    for (const BuyRecord &b : recentBuys) {
        buys.append(QJsonObject{{QStringLiteral("seq"), b.seq},
                                {QStringLiteral("passthrough"), b.passthrough},
                                {QStringLiteral("in_flight"), b.inFlight ? 1 : 0},
                                {QStringLiteral("contract_id"), b.contractId}});
    }
    return QJsonObject{
        {QStringLiteral("loginid"), loginid},
        {QStringLiteral("currency"), currency},
        {QStringLiteral("is_virtual"), isVirtual ? 1 : 0},
        {QStringLiteral("balance"), balance.toJson()},
        {QStringLiteral("buys_received"), buysReceived},
        {QStringLiteral("buys_completed"), buysCompleted},
        {QStringLiteral("buys_in_flight"), buysInFlight},
        {QStringLiteral("max_buys_in_flight"), maxBuysInFlight},
        {QStringLiteral("direct_buys"), directBuys},
        {QStringLiteral("sells"), sells},
        {QStringLiteral("open_contracts"), openContracts},
        {QStringLiteral("max_open_contracts"), maxOpenContracts},
        {QStringLiteral("sessions"), sessions},
        {QStringLiteral("recent_buys"), buys},
    };
}

QJsonObject ConnectionStats::toJson() const
{
    QJsonObject byType;
    for (auto it = subscriptionsByType.begin(); it != subscriptionsByType.end(); ++it)
        byType.insert(it.key(), it.value());
    return QJsonObject{
        {QStringLiteral("id"), qint64(id)},
        {QStringLiteral("loginid"), loginid},
        {QStringLiteral("peer"), peer},
        {QStringLiteral("subscriptions"), subscriptions},
        {QStringLiteral("subscriptions_by_type"), byType},
        {QStringLiteral("subscription_keys"), QJsonArray::fromStringList(subscriptionKeys)},
        {QStringLiteral("frames_received"), framesReceived},
        {QStringLiteral("frames_sent"), framesSent},
    };
}

QJsonObject ContractStats::toJson() const
{
    QJsonObject o{
        {QStringLiteral("contract_id"), contractId},
        {QStringLiteral("loginid"), loginid},
        {QStringLiteral("contract_type"), contractType},
        {QStringLiteral("symbol"), symbol},
        {QStringLiteral("status"), status},
        {QStringLiteral("buy_price"), buyPrice.toJson()},
        {QStringLiteral("payout"), payout.toJson()},
        {QStringLiteral("purchase_time"), purchaseTime},
    };
    if (status != QLatin1String("open")) {
        o.insert(QStringLiteral("sell_price"), sellPrice.toJson());
        o.insert(QStringLiteral("sell_time"), sellTime);
    }
    return o;
}

const AccountStats *SimStats::account(const QString &loginid) const
{
    for (const AccountStats &a : accounts) {
        if (a.loginid == loginid)
            return &a;
    }
    return nullptr;
}

QList<ConnectionStats> SimStats::connectionsOf(const QString &loginid) const
{
    QList<ConnectionStats> out;
    for (const ConnectionStats &c : connections) {
        if (c.loginid == loginid)
            out.append(c);
    }
    return out;
}

QJsonObject SimStats::toJson() const
{
    QJsonArray a;
    for (const AccountStats &s : accounts)
        a.append(s.toJson());
    QJsonArray c;
    for (const ConnectionStats &s : connections)
        c.append(s.toJson());
    QJsonArray k;
    for (const ContractStats &s : contracts)
        k.append(s.toJson());
    return QJsonObject{
        {QStringLiteral("virtual_time_ms"), virtualTimeMs},
        {QStringLiteral("connections_opened"), connectionsOpened},
        {QStringLiteral("accounts"), a},
        {QStringLiteral("connections"), c},
        {QStringLiteral("contracts"), k},
    };
}

} // namespace Vigil::Sim
