// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QJsonObject>
#include <QString>

#include "money/money.h"

namespace Vigil {

// Request bodies for the calls the engine makes, with money converted at the boundary (Money::toJson) and
// field names spelled once. Pure functions; no req_id (DerivClient adds it).
class DerivRequests
{
public:
    // What a contract is: the parameters of proposal and of buy-by-parameters.
    struct ContractParameters
    {
        QString contractType;          // CALL, PUT, DIGITOVER, ...
        QString symbol;                // R_100, 1HZ100V, ...
        QString currency = QStringLiteral("USD");
        Money amount;                  // stake or payout, see basis
        QString basis = QStringLiteral("stake");
        int duration = 5;
        QString durationUnit = QStringLiteral("t");
        QString barrier;               // empty = none (digits: "5"; offsets: "+0.1")
    };

    static QJsonObject ticks(const QString &symbol);
    static QJsonObject ticksHistory(const QString &symbol, qint64 startEpoch, const QString &end, int count);
    static QJsonObject balance();
    static QJsonObject transaction();
    static QJsonObject portfolio();
    static QJsonObject proposal(const ContractParameters &contract);
    static QJsonObject buyProposal(const QString &proposalId, Money maxPrice);
    static QJsonObject buyByParameters(const ContractParameters &contract, Money maxPrice);
    // minPrice: the least the seller accepts; Money::zero() sells at market.
    static QJsonObject sell(qint64 contractId, Money minPrice);
    static QJsonObject proposalOpenContract(qint64 contractId);
    static QJsonObject profitTable(int limit, std::optional<qint64> dateFrom = std::nullopt,
                                   std::optional<qint64> dateTo = std::nullopt);
    static QJsonObject statement(int limit, std::optional<qint64> dateFrom = std::nullopt,
                                 std::optional<qint64> dateTo = std::nullopt);
    static QJsonObject time();
    static QJsonObject websiteStatus();

private:
    static QJsonObject contractFields(const ContractParameters &contract);
};

} // namespace Vigil
