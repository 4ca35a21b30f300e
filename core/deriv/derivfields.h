// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include "money/money.h"

namespace Vigil {

// Tolerant reading of payload fields: the one place that knows how a dialect spells a value.
// The v3 API sends numbers as JSON numbers, its newer sibling often as strings ("10.50", "1") and renames
// some fields (underlying_symbol for symbol). Every accessor accepts both spellings and returns nullopt
// (or an empty string) for anything else, never a silently wrong value. Pure and thread-safe.
class DerivFields
{
public:
    // An integer given as a JSON number with an integral value or a string of decimal digits (optional sign).
    static std::optional<qint64> integer(const QJsonValue &value);
    // A money amount (number or numeric string) with `digits` fractional digits; see Money::fromJson.
    static std::optional<Money> money(const QJsonValue &value, int digits = 2);
    // A decimal quantity that is not money (a quote, a spot): number or numeric string.
    static std::optional<double> number(const QJsonValue &value);
    // 0/1, true/false, "0"/"1"/"true"/"false".
    static std::optional<bool> flag(const QJsonValue &value);
    // A string, or an integer number rendered as decimal text (ids arrive either way).
    static QString text(const QJsonValue &value);

    // The symbol a payload names: symbol, underlying_symbol or underlying.
    static QString symbol(const QJsonObject &payload);
    // A tick's epoch (tick.epoch), nullopt when absent or not an integer.
    static std::optional<qint64> epoch(const QJsonObject &tick);
};

} // namespace Vigil
