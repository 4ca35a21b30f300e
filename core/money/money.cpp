// SPDX-License-Identifier: GPL-3.0-or-later
#include "money.h"

#include <cmath>
#include <limits>

namespace Vigil {

qint64 pow10(int digits)
{
    Q_ASSERT(digits >= 0 && digits <= 8);
    qint64 p = 1;
    for (int i = 0; i < digits; ++i)
        p *= 10;
    return p;
}

std::optional<Money> Money::parse(QStringView text, int digits)
{
    QStringView t = text.trimmed();
    if (t.isEmpty() || digits < 0 || digits > 8)
        return std::nullopt;
    bool negative = false;
    if (t.front() == u'-' || t.front() == u'+') {
        negative = t.front() == u'-';
        t = t.mid(1);
    }
    const qsizetype dot = t.indexOf(u'.');
    const QStringView whole = dot < 0 ? t : t.left(dot);
    const QStringView frac = dot < 0 ? QStringView() : t.mid(dot + 1);
    if (whole.isEmpty() && frac.isEmpty())
        return std::nullopt;
    if (dot >= 0 && frac.isEmpty())
        return std::nullopt;
    if (frac.size() > digits)
        return std::nullopt;
    qint64 value = 0;
    for (QChar c : whole) {
        if (!c.isDigit())
            return std::nullopt;
        if (value > (std::numeric_limits<qint64>::max() / 10) / pow10(digits) - 1)
            return std::nullopt;
        value = value * 10 + (c.unicode() - u'0');
    }
    qint64 fraction = 0;
    for (QChar c : frac) {
        if (!c.isDigit())
            return std::nullopt;
        fraction = fraction * 10 + (c.unicode() - u'0');
    }
    fraction *= pow10(digits - int(frac.size()));
    const qint64 minor = value * pow10(digits) + fraction;
    return Money(negative ? -minor : minor, digits);
}

std::optional<Money> Money::fromJson(const QJsonValue &value, int digits)
{
    if (value.isString())
        return parse(value.toString(), digits);
    if (!value.isDouble())
        return std::nullopt;
    const double d = value.toDouble();
    if (!std::isfinite(d) || std::fabs(d) > 1e13)
        return std::nullopt;
    return Money(std::llround(d * double(pow10(digits))), digits);
}

QString Money::toString() const
{
    const qint64 p = pow10(m_digits);
    const qint64 a = m_minor < 0 ? -m_minor : m_minor;
    QString s = QString::number(a / p);
    if (m_digits > 0)
        s += u'.' + QStringLiteral("%1").arg(a % p, m_digits, 10, QLatin1Char('0'));
    return m_minor < 0 ? u'-' + s : s;
}

QJsonValue Money::toJson() const
{
    // The only place a Money becomes a double: the shortest decimal that round-trips is emitted.
    return QJsonValue(double(m_minor) / double(pow10(m_digits)));
}

Money Money::percentBp(qint64 basisPoints) const
{
    return Money(m_minor * basisPoints / 10000, m_digits);
}

Money Money::operator+(Money other) const
{
    Q_ASSERT(m_digits == other.m_digits);
    return Money(m_minor + other.m_minor, m_digits);
}

Money Money::operator-(Money other) const
{
    Q_ASSERT(m_digits == other.m_digits);
    return Money(m_minor - other.m_minor, m_digits);
}

Money Money::operator*(qint64 factor) const
{
    return Money(m_minor * factor, m_digits);
}

} // namespace Vigil
