// SPDX-License-Identifier: GPL-3.0-or-later
#include "contracttype.h"

#include <array>
#include <utility>

namespace Vigil {

namespace {
constexpr std::array<std::pair<ContractType, QLatin1StringView>, 10> s_contractNames{{
    {ContractType::Call, QLatin1StringView("CALL")},
    {ContractType::Put, QLatin1StringView("PUT")},
    {ContractType::CallE, QLatin1StringView("CALLE")},
    {ContractType::PutE, QLatin1StringView("PUTE")},
    {ContractType::DigitMatch, QLatin1StringView("DIGITMATCH")},
    {ContractType::DigitDiff, QLatin1StringView("DIGITDIFF")},
    {ContractType::DigitOver, QLatin1StringView("DIGITOVER")},
    {ContractType::DigitUnder, QLatin1StringView("DIGITUNDER")},
    {ContractType::DigitEven, QLatin1StringView("DIGITEVEN")},
    {ContractType::DigitOdd, QLatin1StringView("DIGITODD")},
}};

constexpr std::array<std::pair<DurationUnit, QLatin1StringView>, 5> s_unitNames{{
    {DurationUnit::Ticks, QLatin1StringView("t")},
    {DurationUnit::Seconds, QLatin1StringView("s")},
    {DurationUnit::Minutes, QLatin1StringView("m")},
    {DurationUnit::Hours, QLatin1StringView("h")},
    {DurationUnit::Days, QLatin1StringView("d")},
}};
} // namespace

QString contractTypeName(ContractType type)
{
    for (const auto &[t, name] : s_contractNames) {
        if (t == type)
            return name;
    }
    Q_UNREACHABLE();
    return {};
}

std::optional<ContractType> parseContractType(QStringView name)
{
    for (const auto &[t, n] : s_contractNames) {
        if (name == n)
            return t;
    }
    return std::nullopt;
}

bool isRiseFall(ContractType type)
{
    return type == ContractType::Call || type == ContractType::Put || type == ContractType::CallE
        || type == ContractType::PutE;
}

bool isDigit(ContractType type)
{
    return !isRiseFall(type);
}

bool needsDigitBarrier(ContractType type)
{
    return type == ContractType::DigitMatch || type == ContractType::DigitDiff || type == ContractType::DigitOver
        || type == ContractType::DigitUnder;
}

ContractType oppositeDirection(ContractType type)
{
    switch (type) {
    case ContractType::Call: return ContractType::Put;
    case ContractType::Put: return ContractType::Call;
    case ContractType::CallE: return ContractType::PutE;
    case ContractType::PutE: return ContractType::CallE;
    default: return type;
    }
}

QString durationUnitName(DurationUnit unit)
{
    for (const auto &[u, name] : s_unitNames) {
        if (u == unit)
            return name;
    }
    Q_UNREACHABLE();
    return {};
}

std::optional<DurationUnit> parseDurationUnit(QStringView name)
{
    for (const auto &[u, n] : s_unitNames) {
        if (name == n)
            return u;
    }
    return std::nullopt;
}

} // namespace Vigil
