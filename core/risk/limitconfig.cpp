// SPDX-License-Identifier: GPL-3.0-or-later
#include "limitconfig.h"

#include <cmath>

#include <QStringList>

namespace Vigil {

namespace {
Error configError(const QString &field, const QString &reason)
{
    Error e = Error::make(ErrorKind::InvalidInput, QStringLiteral("InvalidLimitConfig"), field + QStringLiteral(": ") + reason);
    e.details.insert(QStringLiteral("field"), field);
    return e;
}

Result<int> readInt(const QJsonObject &json, const QString &field, int fallback)
{
    const QJsonValue v = json.value(field);
    if (v.isUndefined() || v.isNull())
        return fallback;
    const double d = v.toDouble(std::nan(""));
    if (!v.isDouble() || d != std::trunc(d) || std::fabs(d) > 1e9)
        return configError(field, QStringLiteral("must be an integer"));
    return int(d);
}

Result<std::optional<Money>> readMoney(const QJsonObject &json, const QString &field, int digits)
{
    const QJsonValue v = json.value(field);
    if (v.isUndefined() || v.isNull())
        return std::optional<Money>();
    if (v.isDouble()) {
        const double d = v.toDouble();
        if (d != std::trunc(d) || std::fabs(d) > 1e12)
            return configError(field, QStringLiteral("must be a decimal string such as \"50.00\" or an integer"));
        return std::optional<Money>(Money::fromMinor(qint64(d) * pow10(digits), digits));
    }
    if (v.isString()) {
        if (const std::optional<Money> m = Money::parse(v.toString(), digits))
            return std::optional<Money>(*m);
    }
    return configError(field, QStringLiteral("must be a decimal amount with at most %1 decimals").arg(digits));
}
} // namespace

Result<void> LimitConfig::validate() const
{
    if (maxTradesPerDay < 1 || maxTradesPerDay > 100000)
        return configError(QStringLiteral("max_trades_per_day"),
                           QStringLiteral("must be from 1 to 100000, got %1").arg(maxTradesPerDay));
    if (dailyLossAbsolute) {
        if (dailyLossAbsolute->minor() <= 0)
            return configError(QStringLiteral("daily_loss"),
                               QStringLiteral("must be greater than zero, got %1").arg(dailyLossAbsolute->toString()));
    } else if (dailyLossBasisPoints < 1 || dailyLossBasisPoints > 10000) {
        return configError(QStringLiteral("daily_loss_bp"),
                           QStringLiteral("must be from 1 to 10000 basis points (0.01 %–100 %), got %1")
                               .arg(dailyLossBasisPoints));
    }
    if (maxConcurrentOpen < 1 || maxConcurrentOpen > 1000)
        return configError(QStringLiteral("max_concurrent_open"),
                           QStringLiteral("must be from 1 to 1000, got %1").arg(maxConcurrentOpen));
    if (maxStake && maxStake->minor() <= 0)
        return configError(QStringLiteral("max_stake"),
                           QStringLiteral("must be greater than zero, got %1").arg(maxStake->toString()));
    return {};
}

Money LimitConfig::dailyLossLimit(Money startOfDayBalance) const
{
    if (dailyLossAbsolute)
        return *dailyLossAbsolute;
    return startOfDayBalance.percentBp(dailyLossBasisPoints);
}

QString LimitConfig::describeDailyLoss() const
{
    if (dailyLossAbsolute)
        return dailyLossAbsolute->toString();
    QString pct = QString::number(dailyLossBasisPoints / 100);
    if (dailyLossBasisPoints % 100)
        pct += u'.' + QStringLiteral("%1").arg(dailyLossBasisPoints % 100, 2, 10, QLatin1Char('0'));
    return pct + QStringLiteral(" % of start-of-day balance");
}

Result<LimitConfig> LimitConfig::fromJson(const QJsonObject &json, int digits)
{
    static const QStringList known{QStringLiteral("max_trades_per_day"), QStringLiteral("daily_loss"),
                                   QStringLiteral("daily_loss_bp"), QStringLiteral("max_concurrent_open"),
                                   QStringLiteral("max_stake")};
    for (auto it = json.begin(); it != json.end(); ++it) {
        if (!known.contains(it.key()))
            return configError(it.key(), QStringLiteral("unknown key (allowed: %1)").arg(known.join(QStringLiteral(", "))));
    }
    if (json.contains(QLatin1String("daily_loss")) && json.contains(QLatin1String("daily_loss_bp")))
        return configError(QStringLiteral("daily_loss"), QStringLiteral("give either daily_loss or daily_loss_bp, not both"));

    LimitConfig c;
    Result<int> trades = readInt(json, QStringLiteral("max_trades_per_day"), c.maxTradesPerDay);
    if (!trades)
        return trades.error();
    c.maxTradesPerDay = trades.value();
    Result<int> open = readInt(json, QStringLiteral("max_concurrent_open"), c.maxConcurrentOpen);
    if (!open)
        return open.error();
    c.maxConcurrentOpen = open.value();
    Result<int> bp = readInt(json, QStringLiteral("daily_loss_bp"), int(c.dailyLossBasisPoints));
    if (!bp)
        return bp.error();
    c.dailyLossBasisPoints = bp.value();
    Result<std::optional<Money>> loss = readMoney(json, QStringLiteral("daily_loss"), digits);
    if (!loss)
        return loss.error();
    c.dailyLossAbsolute = loss.value();
    Result<std::optional<Money>> stake = readMoney(json, QStringLiteral("max_stake"), digits);
    if (!stake)
        return stake.error();
    c.maxStake = stake.value();
    if (Result<void> r = c.validate(); !r)
        return r.error();
    return c;
}

QJsonObject LimitConfig::toJson() const
{
    QJsonObject o{{QStringLiteral("max_trades_per_day"), maxTradesPerDay},
                  {QStringLiteral("max_concurrent_open"), maxConcurrentOpen}};
    if (dailyLossAbsolute)
        o.insert(QStringLiteral("daily_loss"), dailyLossAbsolute->toString());
    else
        o.insert(QStringLiteral("daily_loss_bp"), dailyLossBasisPoints);
    if (maxStake)
        o.insert(QStringLiteral("max_stake"), maxStake->toString());
    return o;
}

} // namespace Vigil
