// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QMetaType>
#include <QString>

#include "engine/botsnapshot.h"
#include "money/money.h"
#include "risk/limitstatus.h"

namespace Vigil {

// What the console shows of one account: connection, gate, breaker, limits and its bots.
// A value type, emitted by the account's worker at most ~10 times a second.
struct AccountSnapshot
{
    enum class Connection { Connecting, Connected, Reconnecting, Down };
    QString id;        // configured id
    QString loginId;   // from authorize
    QString currency;
    Money balance;
    bool isVirtual = true;
    Connection connection = Connection::Connecting;
    qint64 downSinceMs = 0;      // wall clock, when the connection was lost (0 = up)
    QString gate;                // "active", "reducing", "halted"
    QString gateReason;
    QString breaker;             // "closed", "open", "half-open"
    bool reconciling = false;
    bool reconciled = false;
    int unresolvedTrades = 0;    // buys whose outcome is unknown until reconciliation
    int openContracts = 0;
    LimitStatus limits;
    QList<BotSnapshot> bots;
    QString lastError;
    qint64 atMs = 0;
};

QString connectionName(AccountSnapshot::Connection connection);

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::AccountSnapshot)
