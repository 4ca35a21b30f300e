// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QByteArray>
#include <QString>

#include "money/money.h"

namespace Vigil {

// One journal's use of an account's daily limits, as every instance trading the account sees it through
// RedisUsageBoard: what that journal holds for the account on one ledger day. A value type.
struct UsageShare
{
    QString journalId;      // Journal::journalId(): instances on one journal publish the same share
    QString instanceId;     // who published it last (shown to the user)
    qint64 sequence = 0;    // the journal's change counter at the read: a share never replaces a newer one
    int tradesToday = 0;    // buys made or possibly made that day (pending and unknown ones count)
    int openContracts = 0;  // open, pending and unknown rows now
    Money openStake;        // their stakes: all still at risk
    Money realizedPnl;      // settled that day (losses negative)
    qint64 publishedMs = 0;

    QByteArray toJson() const;
    // std::nullopt when the text is not a share this build can read.
    static std::optional<UsageShare> fromJson(const QByteArray &json, const QString &journalId);
};

} // namespace Vigil
