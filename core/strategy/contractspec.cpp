// SPDX-License-Identifier: GPL-3.0-or-later
#include "contractspec.h"

#include <array>
#include <utility>

namespace Vigil {

namespace {
struct SymbolInfo
{
    QLatin1StringView symbol;
    int pipDigits;
};

constexpr std::array<SymbolInfo, 20> s_symbols{{
    {QLatin1StringView("R_10"), 3},
    {QLatin1StringView("R_25"), 3},
    {QLatin1StringView("R_50"), 4},
    {QLatin1StringView("R_75"), 4},
    {QLatin1StringView("R_100"), 2},
    {QLatin1StringView("1HZ10V"), 2},
    {QLatin1StringView("1HZ15V"), 3},
    {QLatin1StringView("1HZ25V"), 2},
    {QLatin1StringView("1HZ30V"), 3},
    {QLatin1StringView("1HZ50V"), 2},
    {QLatin1StringView("1HZ75V"), 2},
    {QLatin1StringView("1HZ90V"), 3},
    {QLatin1StringView("1HZ100V"), 2},
    {QLatin1StringView("1HZ150V"), 2},
    {QLatin1StringView("1HZ250V"), 2},
    {QLatin1StringView("JD10"), 2},
    {QLatin1StringView("JD25"), 2},
    {QLatin1StringView("JD50"), 2},
    {QLatin1StringView("JD75"), 2},
    {QLatin1StringView("JD100"), 2},
}};

constexpr std::array<QLatin1StringView, 4> s_currencies{
    QLatin1StringView("USD"), QLatin1StringView("EUR"), QLatin1StringView("GBP"), QLatin1StringView("AUD")};

struct DurationRange
{
    DurationUnit unit;
    int min;
    int max;
};

constexpr std::array<DurationRange, 5> s_riseFallDurations{{
    {DurationUnit::Ticks, 1, 10},
    {DurationUnit::Seconds, 15, 86400},
    {DurationUnit::Minutes, 1, 1440},
    {DurationUnit::Hours, 1, 24},
    {DurationUnit::Days, 1, 365},
}};

constexpr DurationRange s_digitDuration{DurationUnit::Ticks, 1, 10};
} // namespace

Error strategyParameterError(const QString &field, const QString &reason)
{
    Error e = Error::make(ErrorKind::InvalidInput, QStringLiteral("InvalidStrategyParameter"),
                          field + QStringLiteral(": ") + reason);
    e.details.insert(QStringLiteral("field"), field);
    return e;
}

const QStringList &ContractSpec::knownSymbols()
{
    static const QStringList list = [] {
        QStringList l;
        for (const SymbolInfo &s : s_symbols)
            l.append(s.symbol);
        return l;
    }();
    return list;
}

bool ContractSpec::isKnownSymbol(QStringView symbol)
{
    return pipDigits(symbol).has_value();
}

std::optional<int> ContractSpec::pipDigits(QStringView symbol)
{
    for (const SymbolInfo &s : s_symbols) {
        if (symbol == s.symbol)
            return s.pipDigits;
    }
    return std::nullopt;
}

std::optional<int> ContractSpec::currencyDigits(QStringView currency)
{
    for (QLatin1StringView c : s_currencies) {
        if (currency == c)
            return 2;
    }
    return std::nullopt;
}

Money ContractSpec::minimumStake(QStringView currency)
{
    return Money::fromMinor(35, currencyDigits(currency).value_or(2));
}

Result<void> ContractSpec::validateDuration(ContractType type, int duration, DurationUnit unit)
{
    const QString field = QStringLiteral("duration");
    if (isDigit(type)) {
        if (unit != s_digitDuration.unit) {
            return strategyParameterError(QStringLiteral("duration_unit"),
                                          contractTypeName(type) + QStringLiteral(" is only offered in ticks (\"t\"), not \"")
                                              + durationUnitName(unit) + u'"');
        }
        if (duration < s_digitDuration.min || duration > s_digitDuration.max) {
            return strategyParameterError(field, contractTypeName(type)
                                              + QStringLiteral(" needs 1 to 10 ticks, got %1").arg(duration));
        }
        return {};
    }
    for (const DurationRange &r : s_riseFallDurations) {
        if (r.unit != unit)
            continue;
        if (duration < r.min || duration > r.max) {
            return strategyParameterError(field, contractTypeName(type)
                                              + QStringLiteral(" in \"%1\" needs %2 to %3, got %4")
                                                    .arg(durationUnitName(unit))
                                                    .arg(r.min)
                                                    .arg(r.max)
                                                    .arg(duration));
        }
        return {};
    }
    Q_UNREACHABLE();
    return {};
}

Result<void> ContractSpec::validateBarrier(ContractType type, const QString &barrier)
{
    const QString field = QStringLiteral("barrier");
    const QString name = contractTypeName(type);
    if (!needsDigitBarrier(type)) {
        if (!barrier.isEmpty())
            return strategyParameterError(field, name + QStringLiteral(" takes no barrier"));
        return {};
    }
    if (barrier.isEmpty())
        return strategyParameterError(field, name + QStringLiteral(" needs a barrier digit"));
    int low = 0;
    int high = 9;
    if (type == ContractType::DigitOver)
        high = 8;
    else if (type == ContractType::DigitUnder)
        low = 1;
    const bool oneDigit = barrier.size() == 1 && barrier.front().isDigit() && barrier.front().unicode() < 128;
    const int digit = oneDigit ? barrier.front().unicode() - u'0' : -1;
    if (!oneDigit || digit < low || digit > high) {
        return strategyParameterError(field, name + QStringLiteral(" needs a barrier digit from %1 to %2, got \"%3\"")
                                                 .arg(low)
                                                 .arg(high)
                                                 .arg(barrier));
    }
    return {};
}

Result<void> ContractSpec::validate() const
{
    if (!isKnownSymbol(symbol)) {
        return strategyParameterError(QStringLiteral("symbol"), QStringLiteral("unknown symbol \"%1\" (known: %2)")
                                                                    .arg(symbol, knownSymbols().join(u' ')));
    }
    if (!currencyDigits(currency)) {
        return strategyParameterError(QStringLiteral("currency"),
                                      QStringLiteral("unsupported currency \"%1\" (USD, EUR, GBP, AUD)").arg(currency));
    }
    if (Result<void> r = validateDuration(contractType, duration, durationUnit); !r)
        return r;
    return validateBarrier(contractType, barrier);
}

} // namespace Vigil
