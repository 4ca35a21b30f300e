// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>

#include "health/result.h"
#include "money/money.h"

namespace Vigil::Sim {

struct SymbolSpec;

enum class ContractKind {
    Call,
    Put,
    CallE,
    PutE,
    DigitMatch,
    DigitDiff,
    DigitOver,
    DigitUnder,
    DigitEven,
    DigitOdd,
};

// Bounds a contract must respect (from SimConfig).
struct ContractLimits
{
    Money minStake = Money::fromMinor(35);
    Money maxStake = Money::fromMinor(50'000'00);
    Money maxPayout = Money::fromMinor(50'000'00);
};

// The validated, priced parameters of one contract, as a proposal or a buy with `parameters`
// describes it. Prices are fixed by the payout formula
//     payout = round(stake / (p + 0.012), 2)
// with p the probability of the outcome (0.5 Rise/Fall, 0.1 match, 0.9 differ, (9−k)/10 over k,
// k/10 under k, 0.5 even/odd), computed in integer cents so it never drifts.
struct ContractTerms
{
    ContractKind kind = ContractKind::Call;
    QString contractType; // "CALL", "DIGITMATCH", ...
    const SymbolSpec *symbol = nullptr;
    QString currency;
    bool ticks = true;     // duration in ticks, else in seconds
    int duration = 0;      // ticks, or seconds (m/h converted)
    QString durationUnit;  // as requested: t, s, m, h
    int durationRequested = 0;
    int barrierDigit = -1; // digit contracts with a prediction
    bool basisStake = true;
    Money amount;          // as requested (stake or payout)
    Money stake;           // ask price
    Money payout;

    // Validates and prices `params` (a proposal request or buy.parameters). Failures are Deriv's
    // ContractBuyValidationError with details {field}; messages follow Deriv's wording.
    static Result<ContractTerms> fromJson(const QJsonObject &params, const ContractLimits &limits, qint64 nowSec);

    bool isDigit() const;
    bool isRiseFall() const { return !isDigit(); }
    // The outcome probability in thousandths (500 = 0.5).
    int probabilityMilli() const;
    // Seconds from purchase to expiry for second contracts; an estimate for tick contracts.
    qint64 expectedLengthSec() const;

    QString longcode() const;
    QString shortcode(qint64 dateStart, qint64 dateExpiry) const;
    // "ticks" or "seconds" (profit_table.duration_type).
    QString durationType() const;

    // payout = round(stake·1000 / (p + 12)) in cents, half away from zero.
    static Money payoutForStake(Money stake, int probabilityMilli);
    static Money stakeForPayout(Money payout, int probabilityMilli);
};

} // namespace Vigil::Sim
