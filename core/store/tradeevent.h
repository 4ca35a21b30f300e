// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QString>

#include "store/tradestatus.h"

namespace Vigil {

// One write to a trade row, kept for forensics (Journal::tradeHistory). Written in the same
// transaction as the change it describes.
struct TradeEvent
{
    qint64 id = 0;
    qint64 localId = 0;
    qint64 atMs = 0; // journal clock, UTC ms
    QString action; // "insert_pending", "mark_open", "settle", "adopt", "correct", ...
    std::optional<TradeStatus> fromStatus; // nullopt for the row's first event
    TradeStatus toStatus = TradeStatus::Pending;
    QString reason;
    qint64 fence = 0;
};

} // namespace Vigil
