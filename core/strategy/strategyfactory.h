// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include <QJsonObject>

#include "health/result.h"
#include "strategy/strategy.h"

namespace Vigil {

// Builds a Strategy from the JSON parameters stored in bots.json and produced by the add-bot dialog.
//
// Format (all keys lower case; unknown keys are refused so that a typo cannot silently drop a setting):
//   {
//     "symbol":        "R_100",   required; R_10 R_25 R_50 R_75 R_100 1HZ10V 1HZ25V 1HZ50V 1HZ75V 1HZ100V
//     "contract_type": "CALL",    required; CALL PUT CALLE PUTE DIGITMATCH DIGITDIFF DIGITOVER DIGITUNDER
//                                 DIGITEVEN DIGITODD
//     "duration":      5,         required integer (or digit string)
//     "duration_unit": "t",       required; t s m h d. Rise/Fall: 1–10 t, 15–86400 s, 1–1440 m, 1–24 h,
//                                 1–365 d. Digit contracts: 1–10 t only
//     "barrier":       "5",       digit contracts only (string or integer): MATCH/DIFF 0–9, OVER 0–8,
//                                 UNDER 1–9; EVEN/ODD and Rise/Fall take none
//     "currency":      "USD",     optional, default USD; USD EUR GBP AUD
//     "stake":         "1.00",    required; a decimal string or a JSON integer (a fractional JSON number is
//                                 refused: money never passes through a double); > 0, at least 0.35, at most
//                                 the currency's decimals (2)
//     "max_stake":     "50.00",   the cap: the bot halts rather than stake more. Required for every
//                                 progressive staking system, optional for flat (default: the stake);
//                                 must be >= stake
//     "staking": {                optional, default {"system":"flat"}
//        "system": "flat" | "martingale" | "dalembert" | "oscars_grind" | "reverse_martingale"
//                  | "one_three_two_six",
//        martingale:          "multiplier" (string or number, 1–10, max 4 decimals, default "2"),
//                             "max_steps" (integer 1–50, optional: unlimited, the cap still applies)
//        dalembert:           "unit" (money, default: the stake)
//        reverse_martingale:  "multiplier" (1–10, default "2"), "max_wins" (integer 1–20, default 3)
//        oscars_grind, one_three_two_six, flat: no further keys (the unit is the stake)
//     },
//     "entry": {                  optional, default {"signal":"fixed"}
//        "signal": "fixed"        trade contract_type whenever the bot is idle
//                | "momentum",    after "ticks" (integer 1–20, default 3) consecutive rises buy the rise
//                                 type of contract_type's family (CALL/CALLE), after as many falls the fall
//                                 type (PUT/PUTE); contract_type must be a Rise/Fall type
//     }
//   }
// Every refusal is an Error of kind InvalidInput, code "InvalidStrategyParameter", with the offending field
// (dotted for nested keys: "staking.multiplier") in details.field and at the start of the message.
class StrategyFactory
{
public:
    static Result<std::unique_ptr<Strategy>> create(const QJsonObject &params);
    // The same checks without building anything (for the add-bot dialog).
    static Result<void> validate(const QJsonObject &params);
};

} // namespace Vigil
