// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include "money/money.h"

namespace Vigil {

// What an emergency stop did: when the gate closed, when the sells left, what sold, what could not be
// sold (and when it expires: it is followed until it settles), what failed, and whether the server
// confirmed the accounts flat. A value type.
struct EmergencyStopReport
{
    struct Sold
    {
        QString account;
        qint64 contractId = 0;
        Money soldFor;
    };
    struct Unsellable
    {
        QString account;
        qint64 contractId = 0;
        QString reason;      // the server's words, e.g. "Resale of this contract is not offered."
        qint64 expiryMs = 0; // when it settles by itself (0 = unknown)
    };
    struct Failed
    {
        QString account;
        qint64 contractId = 0;
        QString error;
    };

    quint64 id = 0;
    QString scope;              // "all" or a login id
    qint64 triggeredMs = 0;     // wall clock
    qint64 haltedAfterUs = 0;   // trigger → gate Halted
    qint64 sellsSentAfterUs = 0; // trigger → the last sell written to its socket
    qint64 completedAfterMs = 0; // trigger → every sell answered and the accounts re-queried
    QList<Sold> sold;
    QList<Unsellable> unsellable;
    QList<Failed> failed;
    QStringList alreadyClosed;   // "account/contract" that settled before the sell reached them
    int remainingOpen = 0;       // open on the server after the stop (unsellable ones included)
    int buysInFlight = 0;        // buys still unanswered when the stop gave up waiting for them (not flat)
    bool verifiedFlat = false;   // the server was asked and nothing sellable is left open
    QStringList errors;          // accounts that could not be queried or reached

    QJsonObject toJson() const;
    QString summary() const;     // one paragraph for the console and vigil-headless
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::EmergencyStopReport)
