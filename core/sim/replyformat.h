// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "sim/account.h"
#include "sim/contract.h"
#include "sim/contractterms.h"
#include "sim/simconfig.h"
#include "sim/symbol.h"

namespace Vigil::Sim {

// Deriv's v3 reply shapes, in one place: field names and JSON types follow the published
// receive schemas (numbers are numbers, flags are 0/1 integers, display values are strings).
// Money becomes a JSON number only here.
class ReplyFormat
{
public:
    // The envelope every reply and stream message carries.
    static QJsonObject envelope(const QJsonObject &request, const QString &msgType);
    // The request with sensitive fields (authorize, tokens) shown as "<not shown>".
    static QJsonObject echoRequest(const QJsonObject &request);
    static QJsonObject error(const QJsonObject &request, const QString &msgType, const QString &code,
                             const QString &message, const QJsonObject &details = {});

    static QJsonObject tick(const SymbolSpec &spec, const Tick &tick, const QString &subscriptionId);
    static QJsonObject activeSymbol(const SymbolSpec &spec, const Tick &last, bool full);
    static QJsonObject websiteStatus(const RateLimits &limits, const QString &siteStatus);
    // The currencies the simulator offers (website_status' currencies_config, payout_currencies before authorize).
    static QStringList currencies();
    // get_account_status of a virtual account in `currency`.
    static QJsonObject accountStatus(const QString &currency);
    // trading_times: every symbol of symbolTable() trades around the clock, every day (synthetic indices).
    static QJsonObject tradingTimes();
    static QJsonObject proposal(const ContractTerms &terms, const Tick &spot, qint64 nowSec, const QString &id);
    static QJsonObject openContract(const Contract &contract, const QString &currency, const Tick &marketSpot,
                                    qint64 nowMs, const ResaleRules &resale);
    // The buy object of a buy reply.
    static QJsonObject buyReceipt(const Contract &contract, Money balanceAfter);
    static QJsonObject portfolioItem(const Contract &contract, const QString &currency);
    static QJsonObject profitTableItem(const Contract &contract, bool description);
    static QJsonObject statementItem(const Transaction &t, const Contract *contract, bool description);
    static QJsonObject transactionEvent(const Transaction &t, const Contract *contract, const QString &currency,
                                        const QString &subscriptionId);
    static QJsonObject apiToken(const ApiToken &token);
    // Numeric part of a loginid (account_id in proposal_open_contract).
    static qint64 accountId(const QString &loginid);
    static QString dateTime(qint64 epoch);
};

} // namespace Vigil::Sim
