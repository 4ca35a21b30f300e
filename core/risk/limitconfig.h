// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QJsonObject>
#include <QMetaType>

#include "health/result.h"
#include "money/money.h"

namespace Vigil {

// The risk limits of one account. They block new buys only; sells are never blocked.
struct LimitConfig
{
    int maxTradesPerDay = 100;
    // The daily loss limit is either an absolute amount (when set) or a share of the start-of-day balance
    // in basis points (1 % = 100 bp; default 20 %).
    std::optional<Money> dailyLossAbsolute;
    qint64 dailyLossBasisPoints = 2000;
    int maxConcurrentOpen = 5;
    std::optional<Money> maxStake; // unset: no per-trade cap at this level (strategies have their own)

    // maxTradesPerDay 1–100000, maxConcurrentOpen 1–1000, dailyLossBasisPoints 1–10000, amounts > 0.
    // Error: kind InvalidInput, code "InvalidLimitConfig", details.field = the JSON name of the field.
    Result<void> validate() const;
    // The limit in money for a given start-of-day balance.
    Money dailyLossLimit(Money startOfDayBalance) const;
    // "20.00" or "20 % of start-of-day balance"
    QString describeDailyLoss() const;

    // {"max_trades_per_day": 100, "daily_loss": "50.00" | "daily_loss_bp": 2000, "max_concurrent_open": 5,
    //  "max_stake": "10.00"}; every key optional (defaults above), unknown keys refused, money as a decimal
    // string or integer. The result is validated.
    static Result<LimitConfig> fromJson(const QJsonObject &json, int digits = 2);
    QJsonObject toJson() const;

    friend bool operator==(const LimitConfig &, const LimitConfig &) = default;
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::LimitConfig)
