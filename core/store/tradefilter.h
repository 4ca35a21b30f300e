// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QList>
#include <QString>

#include "store/tradestatus.h"

namespace Vigil {

// Selects trades for Journal::trades(). Empty / unset members do not filter.
// Results are ordered by openedMs, then localId (ascending unless newestFirst).
struct TradeFilter
{
    QString account;
    QString bot;
    QList<TradeStatus> statuses;
    std::optional<qint64> fromMs; // openedMs >= fromMs
    std::optional<qint64> toMs; // openedMs <  toMs
    int limit = 0; // 0 = no limit
    int offset = 0;
    bool newestFirst = false;
};

} // namespace Vigil
