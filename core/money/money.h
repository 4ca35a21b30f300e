// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <compare>
#include <optional>

#include <QJsonValue>
#include <QMetaType>
#include <QString>

namespace Vigil {

// An amount of money in integer minor units of its currency (cents for USD, 2 fractional digits).
// Never a double: doubles appear only at the JSON boundary (fromJson/toJson), rounded to the
// currency's precision there. Arithmetic between amounts of different precision is a programmer error.
class Money
{
public:
    constexpr Money() = default;
    static constexpr Money fromMinor(qint64 minor, int digits = 2) { return Money(minor, digits); }
    static constexpr Money zero(int digits = 2) { return Money(0, digits); }

    // Parses "10", "10.5", "-0.35", "+3.10" exactly; nullopt on anything else or on more
    // fractional digits than the currency has.
    static std::optional<Money> parse(QStringView text, int digits = 2);
    // Accepts a JSON number (rounded half away from zero to `digits`) or a numeric string.
    static std::optional<Money> fromJson(const QJsonValue &value, int digits = 2);

    constexpr qint64 minor() const { return m_minor; }
    constexpr int digits() const { return m_digits; }
    constexpr bool isZero() const { return m_minor == 0; }
    constexpr bool isNegative() const { return m_minor < 0; }

    // "10.50", "-0.35": fixed number of fractional digits.
    QString toString() const;
    // A JSON number with the currency's precision (what Deriv's API expects in requests).
    QJsonValue toJson() const;

    // Exact percentage in basis points (1% = 100 bp), truncated toward zero.
    Money percentBp(qint64 basisPoints) const;

    constexpr Money operator-() const { return Money(-m_minor, m_digits); }
    Money operator+(Money other) const;
    Money operator-(Money other) const;
    Money operator*(qint64 factor) const;
    Money &operator+=(Money other) { return *this = *this + other; }
    Money &operator-=(Money other) { return *this = *this - other; }

    friend constexpr bool operator==(Money a, Money b) { return a.m_minor == b.m_minor && a.m_digits == b.m_digits; }
    friend constexpr std::strong_ordering operator<=>(Money a, Money b) { return a.m_minor <=> b.m_minor; }

private:
    constexpr Money(qint64 minor, int digits) : m_minor(minor), m_digits(digits) {}
    qint64 m_minor = 0;
    int m_digits = 2;
};

qint64 pow10(int digits);

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::Money)
