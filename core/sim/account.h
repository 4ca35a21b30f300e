// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include "money/money.h"

namespace Vigil::Sim {

// An API token of an account, as api_token lists it.
struct ApiToken
{
    QString token;
    QString loginid;
    QString displayName;
    QStringList scopes;
    qint64 lastUsed = 0; // virtual epoch of the last authorize; 0 = never

    bool hasScope(const QString &scope) const { return scopes.contains(scope); }
};

// One statement line. Amounts move the balance exactly: balanceAfter = previous + amount.
struct Transaction
{
    qint64 id = 0;
    QString action;      // "deposit", "buy", "sell"
    Money amount;        // buy: −stake; sell: sold for (0 for a lost contract); deposit: +amount
    Money balanceAfter;
    qint64 time = 0;     // virtual epoch
    qint64 contractId = 0;
    qint64 referenceId = 0; // the buy transaction of the contract (buy and sell lines)
};

// One buy request as the account received it: lets a test attribute buys to the client that sent them
// (through the passthrough the client chose) and order them against its own actions.
struct BuyRecord
{
    int seq = 0;             // buysReceived after this buy arrived: 1, 2, ...
    QJsonObject passthrough; // the request's passthrough, as sent
    bool inFlight = true;    // not answered (or executed, with the connection gone) yet
    qint64 contractId = 0;   // the contract it created; 0 while in flight or when it failed
};

// Counters the tests read through SimServer::stats().
struct AccountCounters
{
    int buysReceived = 0;   // buy requests that reached the account (authorized, valid JSON)
    int buysCompleted = 0;  // buys that created a contract
    int buysInFlight = 0;   // received and not yet answered, over all connections of the account
    int maxBuysInFlight = 0;
    int directBuys = 0;     // buyDirect(), outside any session
    int sells = 0;          // early sells that succeeded
    int maxOpenContracts = 0;
    QList<BuyRecord> recentBuys; // the last MaxRecentBuys buys, oldest first

    static constexpr qsizetype MaxRecentBuys = 1000;
};

struct Account
{
    QString loginid;
    QString currency;
    bool isVirtual = true;
    qint64 createdAt = 0;
    Money balance;
    QList<Transaction> transactions; // oldest first
    QList<qint64> contracts;         // in purchase order
    int openContracts = 0;
    AccountCounters counters;

    int digits() const { return balance.digits(); }
};

} // namespace Vigil::Sim
