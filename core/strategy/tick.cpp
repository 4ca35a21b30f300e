// SPDX-License-Identifier: GPL-3.0-or-later
#include "tick.h"

#include <algorithm>
#include <cmath>

#include <QLocale>
#include <QtNumeric>

#include "money/money.h"

namespace Vigil {

int Tick::lastDigit() const
{
    const qint64 q = quotePips < 0 ? -quotePips : quotePips;
    return int(q % 10);
}

QString Tick::quoteString() const
{
    // Money already formats an integer with a fixed number of decimals; the unit is irrelevant here.
    return Money::fromMinor(quotePips, pipDigits).toString();
}

int Tick::compareQuotes(const Tick &a, const Tick &b)
{
    qint64 qa = a.quotePips;
    qint64 qb = b.quotePips;
    if (a.pipDigits < b.pipDigits)
        qa *= pow10(b.pipDigits - a.pipDigits);
    else if (b.pipDigits < a.pipDigits)
        qb *= pow10(a.pipDigits - b.pipDigits);
    return qa < qb ? -1 : (qa > qb ? 1 : 0);
}

std::optional<qint64> Tick::quoteFromJson(const QJsonValue &value, int pipDigits)
{
    if (pipDigits < 0 || pipDigits > 8)
        return std::nullopt;
    if (value.isDouble()) {
        // The shortest decimal that reads back as this double is the text the server wrote (JSON numbers are
        // written that way): round that exactly, as the client's typed ticks do with the text itself, so a
        // tick gives the same pips whichever way it came.
        const double d = value.toDouble();
        if (!std::isfinite(d))
            return std::nullopt;
        const QString text = QString::number(d, 'f', QLocale::FloatingPointShortest);
        const bool negative = text.startsWith(u'-');
        qint64 units = 0;
        int digits = 0;
        int decimals = -1; // -1 until the point
        for (QChar c : QStringView(text).sliced(negative ? 1 : 0)) {
            if (c == u'.' && decimals < 0) {
                decimals = 0;
                continue;
            }
            if (c < u'0' || c > u'9' || ++digits > 18)
                return std::nullopt;
            units = units * 10 + (c.unicode() - u'0');
            if (decimals >= 0)
                ++decimals;
        }
        return quoteFromDecimal(negative ? -units : units, std::max(decimals, 0), pipDigits);
    }
    const std::optional<Money> m = Money::fromJson(value, pipDigits);
    if (!m)
        return std::nullopt;
    return m->minor();
}

std::optional<qint64> Tick::quoteFromDecimal(qint64 units, int decimals, int pipDigits)
{
    if (pipDigits < 0 || pipDigits > 8 || decimals < 0 || decimals > 18)
        return std::nullopt;
    qint64 pips = units;
    if (decimals <= pipDigits) {
        for (int i = decimals; i < pipDigits; ++i) {
            if (qMulOverflow(pips, qint64(10), &pips))
                return std::nullopt;
        }
        return pips;
    }
    qint64 divisor = 1;
    for (int i = pipDigits; i < decimals; ++i)
        divisor *= 10;
    const qint64 whole = units / divisor;
    const qint64 rest = units % divisor; // same sign as units
    const qint64 twice = (rest < 0 ? -rest : rest) * 2;
    if (twice >= divisor)
        return units < 0 ? whole - 1 : whole + 1;
    return whole;
}

} // namespace Vigil
