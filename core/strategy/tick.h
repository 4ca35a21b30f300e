// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QJsonValue>
#include <QMetaType>
#include <QString>

namespace Vigil {

// One price tick of a symbol. The quote is an integer count of pips (quote × 10^pipDigits), so
// comparisons and last-digit rules are exact: 1234.50 on R_100 is {quotePips 123450, pipDigits 2}.
// A value type: crosses threads freely.
struct Tick
{
    QString symbol;
    qint64 epochMs = 0;  // Deriv's `epoch` (seconds) × 1000
    qint64 quotePips = 0;
    int pipDigits = 2;   // Deriv's `pip_size`: decimals of the quote

    qint64 epoch() const { return epochMs / 1000; }
    // The last digit of the quote as Deriv prints it (with trailing zeros): what digit contracts read.
    int lastDigit() const;
    // "1234.50"
    QString quoteString() const;
    // Compares two quotes of possibly different precision exactly: <0, 0, >0.
    static int compareQuotes(const Tick &a, const Tick &b);

    // Converts a quote at the JSON boundary: a numeric string ("1234.5") is read exactly; a JSON number is read
    // as the shortest decimal that gives back its double (what the server wrote) and rounded half away from zero
    // to `pipDigits`, exactly as quoteFromDecimal. nullopt for anything else, more than 18 digits, or more
    // decimals than `pipDigits` in a string.
    static std::optional<qint64> quoteFromJson(const QJsonValue &value, int pipDigits);
    // The same for a quote already read as the exact decimal units × 10^-decimals (a JSON number's text):
    // rounded half away from zero to `pipDigits`. nullopt when out of range.
    static std::optional<qint64> quoteFromDecimal(qint64 units, int decimals, int pipDigits);
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::Tick)
