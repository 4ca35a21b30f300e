// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QJsonObject>
#include <QString>

#include "health/result.h"
#include "money/money.h"
#include "store/tradestatus.h"

namespace Vigil {

// One contract as the broker reports it, read from a portfolio item (open), a profit_table row (settled)
// or a proposal_open_contract payload (either). A value type; parsing is pure and thread-safe.
struct ServerContract
{
    enum class Source { Portfolio, ProfitTable, OpenContract };

    Source source = Source::Portfolio;
    qint64 contractId = 0;
    qint64 transactionId = 0; // the buy transaction
    QString symbol;
    QString contractType;
    QString currency; // empty when the source does not say (profit_table)
    QString shortcode;
    Money buyPrice;
    Money payout;
    TradeStatus status = TradeStatus::Open; // Open, Won, Lost or Sold
    std::optional<Money> sellPrice; // settled only
    std::optional<Money> profit;    // settled only: as the server reports it, else sellPrice - buyPrice
    qint64 purchaseMs = 0;          // UTC ms (the server sends seconds)
    qint64 sellMs = 0;              // settled only
    // The duration read from the shortcode: ticks ("5T") or the seconds between start and expiry, in the
    // largest whole unit ("t", "s", "m", "h"); 0 / empty when the shortcode does not say.
    int duration = 0;
    QString durationUnit;

    bool isSettled() const { return isSettledStatus(status); }
    // Every field, amounts as decimal strings (for reconciliation reports).
    QJsonObject toJson() const;

    // Errors: ErrorKind::Protocol, code "BadServerContract", naming the field that is missing or malformed.
    static Result<ServerContract> fromPortfolio(const QJsonObject &item, int moneyDigits);
    static Result<ServerContract> fromProfitTable(const QJsonObject &row, int moneyDigits);
    // A proposal_open_contract payload for one contract; nullopt for the empty object the server sends for
    // a contract it does not know.
    static Result<std::optional<ServerContract>> fromOpenContract(const QJsonObject &payload, int moneyDigits);

    // How a settled contract ended, from its figures alone (profit_table has no status): 0 → Lost, the
    // payout → Won, anything else → Sold (an early sale; a refund shows as Sold at the buy price).
    static TradeStatus statusFromFigures(Money payout, Money sellPrice);
    // Reads the contract type and the symbol out of a Deriv shortcode, for servers that leave the fields out
    // (profit_table marks them optional). The layout is <TYPE>_<SYMBOL>_<payout or stake>_<more...>: the
    // type is the first segment; the symbol, which may itself contain underscores (R_100, OTC_DJI), runs up
    // to the payout segment: the first later segment that is a decimal number and either has a decimal point
    // or is followed by an epoch (9+ digits: the start time). The symbol keeps the shortcode's spelling
    // (Deriv upper-cases it there: FRXEURUSD). A known `contractType` that prefixes the shortcode is taken as
    // the type even if it contains underscores. False when the shortcode does not have that shape.
    static bool parseShortcodeTerms(const QString &shortcode, QString *contractType, QString *symbol);
    // Reads the duration out of a Deriv shortcode (CALL_R_100_19.53_1700000000_5T_S0P_0). False when it
    // does not parse. The symbol is compared without regard to case.
    static bool parseShortcodeDuration(const QString &shortcode, const QString &contractType, const QString &symbol,
                                       int *duration, QString *unit);
};

QString serverContractSourceName(ServerContract::Source source);

} // namespace Vigil
