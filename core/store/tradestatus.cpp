// SPDX-License-Identifier: GPL-3.0-or-later
#include "tradestatus.h"

namespace Vigil {

QString tradeStatusToString(TradeStatus status)
{
    switch (status) {
    case TradeStatus::Pending:
        return QStringLiteral("pending");
    case TradeStatus::Open:
        return QStringLiteral("open");
    case TradeStatus::Won:
        return QStringLiteral("won");
    case TradeStatus::Lost:
        return QStringLiteral("lost");
    case TradeStatus::Sold:
        return QStringLiteral("sold");
    case TradeStatus::Failed:
        return QStringLiteral("failed");
    case TradeStatus::Unknown:
        return QStringLiteral("unknown");
    case TradeStatus::Stale:
        return QStringLiteral("stale");
    case TradeStatus::Void:
        return QStringLiteral("void");
    }
    return QString();
}

std::optional<TradeStatus> tradeStatusFromString(QStringView name)
{
    static constexpr TradeStatus all[] = { TradeStatus::Pending, TradeStatus::Open, TradeStatus::Won, TradeStatus::Lost,
        TradeStatus::Sold, TradeStatus::Failed, TradeStatus::Unknown, TradeStatus::Stale, TradeStatus::Void };
    for (TradeStatus s : all) {
        if (name == tradeStatusToString(s))
            return s;
    }
    return std::nullopt;
}

bool isSettledStatus(TradeStatus status)
{
    return status == TradeStatus::Won || status == TradeStatus::Lost || status == TradeStatus::Sold
        || status == TradeStatus::Void;
}

bool isUnresolvedStatus(TradeStatus status)
{
    return status == TradeStatus::Pending || status == TradeStatus::Unknown || status == TradeStatus::Open;
}

bool isFinalStatus(TradeStatus status)
{
    return isSettledStatus(status) || status == TradeStatus::Failed || status == TradeStatus::Stale;
}

} // namespace Vigil
