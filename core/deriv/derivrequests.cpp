// SPDX-License-Identifier: GPL-3.0-or-later
#include "derivrequests.h"

namespace Vigil {

QJsonObject DerivRequests::ticks(const QString &symbol)
{
    return {{QStringLiteral("ticks"), symbol}};
}

QJsonObject DerivRequests::ticksHistory(const QString &symbol, qint64 startEpoch, const QString &end, int count)
{
    return {{QStringLiteral("ticks_history"), symbol},
            {QStringLiteral("start"), startEpoch},
            {QStringLiteral("end"), end},
            {QStringLiteral("count"), count},
            {QStringLiteral("style"), QStringLiteral("ticks")}};
}

QJsonObject DerivRequests::balance()
{
    return {{QStringLiteral("balance"), 1}};
}

QJsonObject DerivRequests::transaction()
{
    return {{QStringLiteral("transaction"), 1}};
}

QJsonObject DerivRequests::portfolio()
{
    return {{QStringLiteral("portfolio"), 1}};
}

QJsonObject DerivRequests::contractFields(const ContractParameters &c)
{
    QJsonObject o{{QStringLiteral("contract_type"), c.contractType},
                  {QStringLiteral("symbol"), c.symbol},
                  {QStringLiteral("currency"), c.currency},
                  {QStringLiteral("amount"), c.amount.toJson()},
                  {QStringLiteral("basis"), c.basis},
                  {QStringLiteral("duration"), c.duration},
                  {QStringLiteral("duration_unit"), c.durationUnit}};
    if (!c.barrier.isEmpty())
        o.insert(QStringLiteral("barrier"), c.barrier);
    return o;
}

QJsonObject DerivRequests::proposal(const ContractParameters &contract)
{
    QJsonObject o = contractFields(contract);
    o.insert(QStringLiteral("proposal"), 1);
    return o;
}

QJsonObject DerivRequests::buyProposal(const QString &proposalId, Money maxPrice)
{
    return {{QStringLiteral("buy"), proposalId}, {QStringLiteral("price"), maxPrice.toJson()}};
}

QJsonObject DerivRequests::buyByParameters(const ContractParameters &contract, Money maxPrice)
{
    return {{QStringLiteral("buy"), QStringLiteral("1")},
            {QStringLiteral("price"), maxPrice.toJson()},
            {QStringLiteral("parameters"), contractFields(contract)}};
}

QJsonObject DerivRequests::sell(qint64 contractId, Money minPrice)
{
    return {{QStringLiteral("sell"), contractId}, {QStringLiteral("price"), minPrice.toJson()}};
}

QJsonObject DerivRequests::proposalOpenContract(qint64 contractId)
{
    return {{QStringLiteral("proposal_open_contract"), 1}, {QStringLiteral("contract_id"), contractId}};
}

namespace {
QJsonObject withDates(QJsonObject o, std::optional<qint64> from, std::optional<qint64> to)
{
    if (from)
        o.insert(QStringLiteral("date_from"), *from);
    if (to)
        o.insert(QStringLiteral("date_to"), *to);
    return o;
}
} // namespace

QJsonObject DerivRequests::profitTable(int limit, std::optional<qint64> dateFrom, std::optional<qint64> dateTo)
{
    return withDates({{QStringLiteral("profit_table"), 1},
                      {QStringLiteral("description"), 1},
                      {QStringLiteral("limit"), limit},
                      {QStringLiteral("sort"), QStringLiteral("DESC")}},
                     dateFrom, dateTo);
}

QJsonObject DerivRequests::statement(int limit, std::optional<qint64> dateFrom, std::optional<qint64> dateTo)
{
    return withDates({{QStringLiteral("statement"), 1}, {QStringLiteral("description"), 1}, {QStringLiteral("limit"), limit}},
                     dateFrom, dateTo);
}

QJsonObject DerivRequests::time()
{
    return {{QStringLiteral("time"), 1}};
}

QJsonObject DerivRequests::websiteStatus()
{
    return {{QStringLiteral("website_status"), 1}};
}

} // namespace Vigil
