// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QString>
#include <QStringList>

#include "health/result.h"
#include "money/money.h"
#include "strategy/contracttype.h"

namespace Vigil {

// WHAT a bot trades, apart from the stake: the fixed part of every buy it makes.
struct ContractSpec
{
    QString symbol;                       // "R_100"
    ContractType contractType = ContractType::Call;
    int duration = 5;
    DurationUnit durationUnit = DurationUnit::Ticks;
    QString barrier;                      // digit contracts: "0".."9"; empty otherwise
    QString currency = QStringLiteral("USD");

    // Checks every field with the rules below; the error (kind InvalidInput, code "InvalidStrategyParameter")
    // names the field in details.field and at the start of the message.
    Result<void> validate() const;

    // The synthetic indices Vigil trades: R_10 R_25 R_50 R_75 R_100 1HZ10V 1HZ25V 1HZ50V 1HZ75V 1HZ100V.
    static const QStringList &knownSymbols();
    static bool isKnownSymbol(QStringView symbol);
    // Decimals of the symbol's quotes (R_10/R_25: 3, R_50/R_75: 4, R_100 and 1HZ*: 2); nullopt if unknown.
    static std::optional<int> pipDigits(QStringView symbol);

    // Currencies accepted for stakes: USD, EUR, GBP, AUD (2 decimals each).
    static std::optional<int> currencyDigits(QStringView currency);
    // Deriv's minimum stake for the currency: 0.35.
    static Money minimumStake(QStringView currency);

    // Durations on synthetic indices. Rise/Fall: 1–10 t, 15–86400 s, 1–1440 m, 1–24 h, 1–365 d.
    // Digit contracts: 1–10 t only. The error text says what is allowed.
    static Result<void> validateDuration(ContractType type, int duration, DurationUnit unit);
    // DIGITMATCH/DIGITDIFF 0–9, DIGITOVER 0–8, DIGITUNDER 1–9 (one digit); DIGITEVEN/DIGITODD and
    // Rise/Fall take none (barrier-based Higher/Lower is not supported).
    static Result<void> validateBarrier(ContractType type, const QString &barrier);
};

// The error every strategy-parameter check returns: kind InvalidInput, code "InvalidStrategyParameter",
// details {"field": field}, message "<field>: <reason>".
Error strategyParameterError(const QString &field, const QString &reason);

} // namespace Vigil
