// SPDX-License-Identifier: GPL-3.0-or-later
#include "dailyusage.h"

#include <QDateTime>
#include <QTimeZone>

namespace Vigil {

namespace {
constexpr qint64 kDayMs = 86'400'000;
}

qint64 utcDayStartMs(qint64 ms)
{
    // Floor division: times before 1970 still land at their own day's start.
    qint64 day = ms / kDayMs;
    if (ms % kDayMs < 0)
        --day;
    return day * kDayMs;
}

QString utcDayKey(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).date().toString(Qt::ISODate);
}

} // namespace Vigil
