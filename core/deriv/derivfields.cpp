// SPDX-License-Identifier: GPL-3.0-or-later
#include "derivfields.h"

#include <cmath>

namespace Vigil {

std::optional<qint64> DerivFields::integer(const QJsonValue &value)
{
    if (value.isDouble()) {
        if (value.toInteger(0) != value.toInteger(1))
            return std::nullopt;
        return value.toInteger();
    }
    if (value.isString()) {
        const QString s = value.toString().trimmed();
        bool ok = false;
        const qint64 v = s.toLongLong(&ok, 10);
        if (ok)
            return v;
    }
    return std::nullopt;
}

std::optional<Money> DerivFields::money(const QJsonValue &value, int digits)
{
    return Money::fromJson(value, digits);
}

std::optional<double> DerivFields::number(const QJsonValue &value)
{
    if (value.isDouble())
        return value.toDouble();
    if (value.isString()) {
        bool ok = false;
        const double d = value.toString().trimmed().toDouble(&ok);
        if (ok && std::isfinite(d))
            return d;
    }
    return std::nullopt;
}

std::optional<bool> DerivFields::flag(const QJsonValue &value)
{
    if (value.isBool())
        return value.toBool();
    if (const std::optional<qint64> i = integer(value); i && (*i == 0 || *i == 1))
        return *i == 1;
    if (value.isString()) {
        const QString s = value.toString().trimmed();
        if (s.compare(QLatin1String("true"), Qt::CaseInsensitive) == 0)
            return true;
        if (s.compare(QLatin1String("false"), Qt::CaseInsensitive) == 0)
            return false;
    }
    return std::nullopt;
}

QString DerivFields::text(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (const std::optional<qint64> i = value.isDouble() ? integer(value) : std::nullopt)
        return QString::number(*i);
    return {};
}

QString DerivFields::symbol(const QJsonObject &payload)
{
    for (const char *key : {"symbol", "underlying_symbol", "underlying"}) {
        const QString s = text(payload.value(QLatin1String(key)));
        if (!s.isEmpty())
            return s;
    }
    return {};
}

std::optional<qint64> DerivFields::epoch(const QJsonObject &tick)
{
    return integer(tick.value(QLatin1String("epoch")));
}

} // namespace Vigil
