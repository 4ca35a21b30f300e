// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <compare>
#include <optional>

#include <QJsonValue>
#include <QString>

#include "money/money.h"

namespace Vigil {

// A non-negative decimal factor with four fractional digits (2, 1.5, 2.0625), for progressions.
// Fixed point, never a double: 1.5 is stored as 15000 ten-thousandths.
class Multiplier
{
public:
    static constexpr qint64 Scale = 10000;

    constexpr Multiplier() = default;
    static constexpr Multiplier fromScaled(qint64 tenThousandths) { return Multiplier(tenThousandths); }
    static constexpr Multiplier integer(qint64 factor) { return Multiplier(factor * Scale); }

    // "2", "1.5", "2.0625": at most 4 decimals, no sign, no exponent.
    static std::optional<Multiplier> parse(QStringView text);
    // A string as parse(), or a JSON number that is exactly a multiple of 0.0001 (2, 1.5).
    static std::optional<Multiplier> fromJson(const QJsonValue &value);

    constexpr qint64 scaled() const { return m_scaled; }
    // "2", "1.5"
    QString toString() const;

    // amount × factor, rounded half up to the amount's minor unit; saturates instead of overflowing
    // (a runaway progression must hit the stake cap, not wrap around).
    Money apply(Money amount) const;

    friend constexpr auto operator<=>(Multiplier a, Multiplier b) = default;

private:
    constexpr explicit Multiplier(qint64 scaled) : m_scaled(scaled) {}
    qint64 m_scaled = Scale;
};

} // namespace Vigil
