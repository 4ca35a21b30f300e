// SPDX-License-Identifier: GPL-3.0-or-later
#include "multiplier.h"

#include <cmath>
#include <limits>

namespace Vigil {

namespace {
// Far above any stake a cap allows, far below overflow of later additions.
constexpr qint64 s_saturation = std::numeric_limits<qint64>::max() / 4;
} // namespace

std::optional<Multiplier> Multiplier::parse(QStringView text)
{
    const QStringView t = text.trimmed();
    if (t.isEmpty() || t.front() == u'-' || t.front() == u'+')
        return std::nullopt;
    // Money's parser is an exact decimal reader; four "minor" digits are ten-thousandths.
    const std::optional<Money> m = Money::parse(t, 4);
    if (!m || m->minor() > s_saturation / Scale)
        return std::nullopt;
    return Multiplier(m->minor());
}

std::optional<Multiplier> Multiplier::fromJson(const QJsonValue &value)
{
    if (value.isString())
        return parse(value.toString());
    if (!value.isDouble())
        return std::nullopt;
    const double d = value.toDouble();
    if (!std::isfinite(d) || d < 0 || d > 1e6)
        return std::nullopt;
    const double scaled = d * double(Scale);
    const double rounded = std::round(scaled);
    // Only numbers that are exactly a multiple of 0.0001 (up to binary noise) are accepted.
    if (std::fabs(scaled - rounded) > 1e-6)
        return std::nullopt;
    return Multiplier(qint64(rounded));
}

QString Multiplier::toString() const
{
    QString s = Money::fromMinor(m_scaled, 4).toString();
    while (s.endsWith(u'0'))
        s.chop(1);
    if (s.endsWith(u'.'))
        s.chop(1);
    return s;
}

Money Multiplier::apply(Money amount) const
{
    qint64 product = 0;
    if (__builtin_mul_overflow(amount.minor(), m_scaled, &product))
        return Money::fromMinor(amount.isNegative() ? -s_saturation : s_saturation, amount.digits());
    // Half away from zero without an intermediate that could overflow.
    qint64 minor = product / Scale;
    const qint64 remainder = product % Scale;
    if (remainder >= Scale / 2)
        ++minor;
    else if (remainder <= -Scale / 2)
        --minor;
    return Money::fromMinor(minor, amount.digits());
}

} // namespace Vigil
