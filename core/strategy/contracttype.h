// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QMetaType>
#include <QString>

namespace Vigil {

// The contract types Vigil trades on synthetic indices, named as Deriv's `contract_type`.
enum class ContractType {
    Call,       // Rise
    Put,        // Fall
    CallE,      // Rise, equal wins
    PutE,       // Fall, equal wins
    DigitMatch, // last digit == barrier
    DigitDiff,  // last digit != barrier
    DigitOver,  // last digit > barrier
    DigitUnder, // last digit < barrier
    DigitEven,
    DigitOdd,
};

// Deriv's `duration_unit`.
enum class DurationUnit { Ticks, Seconds, Minutes, Hours, Days };

// "CALL", "DIGITOVER", ...: the wire name.
QString contractTypeName(ContractType type);
// Exact, case-sensitive wire names only.
std::optional<ContractType> parseContractType(QStringView name);
bool isRiseFall(ContractType type);
bool isDigit(ContractType type);
// True for digit contracts that need a barrier digit (MATCH, DIFF, OVER, UNDER).
bool needsDigitBarrier(ContractType type);
// The opposite direction within the same Rise/Fall family (CALL <-> PUT, CALLE <-> PUTE);
// the type itself for digit contracts.
ContractType oppositeDirection(ContractType type);

// "t", "s", "m", "h", "d".
QString durationUnitName(DurationUnit unit);
std::optional<DurationUnit> parseDurationUnit(QStringView name);

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::ContractType)
Q_DECLARE_METATYPE(Vigil::DurationUnit)
