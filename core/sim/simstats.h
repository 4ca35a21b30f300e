// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

#include "money/money.h"
#include "sim/account.h"

namespace Vigil::Sim {

// What tests observe about one account (SimServer::stats(), GET /stats).
struct AccountStats
{
    QString loginid;
    QString currency;
    bool isVirtual = true;
    Money balance;
    int buysReceived = 0;     // buy requests that reached the account
    int buysCompleted = 0;    // buys that created a contract
    int buysInFlight = 0;     // received, not answered yet (all connections of the account)
    int maxBuysInFlight = 0;  // the most at once since start: > 1 proves concurrent buys
    int directBuys = 0;       // buyDirect()
    int sells = 0;            // successful early sells
    int openContracts = 0;
    int maxOpenContracts = 0; // most contracts open at once
    int sessions = 0;         // connections authorized on the account now
    QList<BuyRecord> recentBuys; // the last buys received (AccountCounters::MaxRecentBuys), oldest first

    QJsonObject toJson() const;
};

// One live connection.
struct ConnectionStats
{
    quint64 id = 0;
    QString loginid;          // empty while not authorized
    QString peer;
    int subscriptions = 0;
    QMap<QString, int> subscriptionsByType; // "ticks", "proposal", "proposal_open_contract", "balance", ...
    QStringList subscriptionKeys;           // what each stream is on ("ticks:R_100", "poc:123", ...)
    qint64 framesReceived = 0;
    qint64 framesSent = 0;

    QJsonObject toJson() const;
};

struct ContractStats
{
    qint64 contractId = 0;
    QString loginid;
    QString contractType;
    QString symbol;
    QString status;           // open, won, lost, sold
    Money buyPrice;
    Money payout;
    Money sellPrice;
    qint64 purchaseTime = 0;
    qint64 sellTime = 0;

    QJsonObject toJson() const;
};

struct SimStats
{
    qint64 virtualTimeMs = 0;
    int connectionsOpened = 0; // since start
    QList<AccountStats> accounts;
    QList<ConnectionStats> connections;
    QList<ContractStats> contracts;

    // Points into this SimStats: keep the SimStats alive (not a temporary) while using it.
    const AccountStats *account(const QString &loginid) const;
    QList<ConnectionStats> connectionsOf(const QString &loginid) const;
    QJsonObject toJson() const;
};

} // namespace Vigil::Sim
