// SPDX-License-Identifier: GPL-3.0-or-later
#include "strategyfactory.h"

#include <cmath>
#include <initializer_list>

#include <QJsonValue>

#include "strategy/dalembert.h"
#include "strategy/fixedentry.h"
#include "strategy/flatstake.h"
#include "strategy/martingale.h"
#include "strategy/multiplier.h"
#include "strategy/onethreetwosix.h"
#include "strategy/oscarsgrind.h"
#include "strategy/reversemartingale.h"
#include "strategy/tickmomentum.h"

namespace Vigil {

namespace {

Error fieldError(const QString &field, const QString &reason)
{
    return strategyParameterError(field, reason);
}

Result<void> refuseUnknownKeys(const QJsonObject &object, std::initializer_list<QLatin1StringView> allowed,
                               const QString &prefix, const QString &context)
{
    for (auto it = object.begin(); it != object.end(); ++it) {
        bool known = false;
        for (QLatin1StringView a : allowed)
            known = known || it.key() == a;
        if (!known) {
            QStringList names;
            for (QLatin1StringView a : allowed)
                names.append(a);
            const QString field = prefix.isEmpty() ? it.key() : prefix + u'.' + it.key();
            return fieldError(field, QStringLiteral("unknown key%1 (allowed: %2)")
                                         .arg(context.isEmpty() ? QString() : QStringLiteral(" for ") + context,
                                              names.join(QStringLiteral(", "))));
        }
    }
    return {};
}

Result<QString> requiredString(const QJsonObject &object, QLatin1StringView key, const QString &field)
{
    const QJsonValue v = object.value(key);
    if (v.isUndefined() || v.isNull())
        return fieldError(field, QStringLiteral("is required"));
    if (!v.isString())
        return fieldError(field, QStringLiteral("must be a string"));
    return v.toString();
}

// An integer given as a JSON number without fraction or as a string of digits.
Result<int> integerValue(const QJsonValue &v, const QString &field)
{
    if (v.isDouble()) {
        const double d = v.toDouble();
        if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) <= 1e9)
            return int(d);
    } else if (v.isString()) {
        bool ok = false;
        const int i = v.toString().trimmed().toInt(&ok);
        if (ok)
            return i;
    }
    return fieldError(field, QStringLiteral("must be an integer"));
}

Result<int> integerInRange(const QJsonObject &object, QLatin1StringView key, const QString &field, int min, int max,
                           std::optional<int> fallback)
{
    const QJsonValue v = object.value(key);
    if (v.isUndefined() || v.isNull()) {
        if (fallback)
            return *fallback;
        return fieldError(field, QStringLiteral("is required"));
    }
    Result<int> i = integerValue(v, field);
    if (!i)
        return i;
    if (i.value() < min || i.value() > max)
        return fieldError(field, QStringLiteral("must be from %1 to %2, got %3").arg(min).arg(max).arg(i.value()));
    return i;
}

// Money from a decimal string or a JSON integer; never from a fractional double.
Result<Money> moneyValue(const QJsonValue &v, const QString &field, int digits)
{
    if (v.isDouble()) {
        const double d = v.toDouble();
        if (!std::isfinite(d) || d != std::trunc(d)) {
            return fieldError(field, QStringLiteral("must be a decimal string such as \"1.50\" or an integer; a "
                                                    "fractional JSON number is not accepted for money"));
        }
        if (std::fabs(d) > 1e12)
            return fieldError(field, QStringLiteral("is out of range"));
        return Money::fromMinor(qint64(d) * pow10(digits), digits);
    }
    if (!v.isString())
        return fieldError(field, QStringLiteral("must be a decimal string such as \"1.50\""));
    const QString text = v.toString();
    if (const std::optional<Money> m = Money::parse(text, digits))
        return *m;
    if (Money::parse(text, 8))
        return fieldError(field, QStringLiteral("\"%1\" has more than %2 decimal places").arg(text).arg(digits));
    return fieldError(field, QStringLiteral("\"%1\" is not a decimal amount").arg(text));
}

Result<Money> positiveMoney(const QJsonObject &object, QLatin1StringView key, const QString &field, int digits)
{
    const QJsonValue v = object.value(key);
    if (v.isUndefined() || v.isNull())
        return fieldError(field, QStringLiteral("is required"));
    Result<Money> m = moneyValue(v, field, digits);
    if (!m)
        return m;
    if (m->minor() <= 0)
        return fieldError(field, QStringLiteral("must be greater than zero, got %1").arg(m->toString()));
    return m;
}

Result<Multiplier> multiplierValue(const QJsonObject &object, QLatin1StringView key, const QString &field)
{
    const QJsonValue v = object.value(key);
    if (v.isUndefined() || v.isNull())
        return Multiplier::integer(2);
    const std::optional<Multiplier> m = Multiplier::fromJson(v);
    if (!m)
        return fieldError(field, QStringLiteral("must be a decimal number with at most 4 decimals, such as \"2\" or \"1.5\""));
    if (*m < Multiplier::integer(1))
        return fieldError(field, QStringLiteral("must be at least 1, got %1").arg(m->toString()));
    if (*m > Multiplier::integer(10))
        return fieldError(field, QStringLiteral("must be at most 10, got %1").arg(m->toString()));
    return *m;
}

struct Parsed
{
    ContractSpec spec;
    Money maxStake;
    std::unique_ptr<StakingSystem> staking;
    std::unique_ptr<EntrySignal> entry;
};

Result<std::unique_ptr<StakingSystem>> parseStaking(const QJsonValue &value, Money stake, int digits, bool hasMaxStake)
{
    const QString prefix = QStringLiteral("staking");
    if (value.isUndefined() || value.isNull())
        return std::unique_ptr<StakingSystem>(std::make_unique<FlatStake>(stake));
    if (!value.isObject())
        return fieldError(prefix, QStringLiteral("must be an object such as {\"system\":\"martingale\"}"));
    const QJsonObject o = value.toObject();
    Result<QString> system = requiredString(o, QLatin1StringView("system"), prefix + QStringLiteral(".system"));
    if (!system)
        return system.error();
    const QString name = system.value();

    static const QStringList systems{QStringLiteral("flat"), QStringLiteral("martingale"), QStringLiteral("dalembert"),
                                     QStringLiteral("oscars_grind"), QStringLiteral("reverse_martingale"),
                                     QStringLiteral("one_three_two_six")};
    if (!systems.contains(name)) {
        return fieldError(prefix + QStringLiteral(".system"),
                          QStringLiteral("unknown staking system \"%1\" (%2)").arg(name, systems.join(QStringLiteral(", "))));
    }
    const bool progressive = name != QLatin1String("flat");
    if (progressive && !hasMaxStake) {
        return fieldError(QStringLiteral("max_stake"),
                          QStringLiteral("is required with staking system \"%1\": a progression needs a cap").arg(name));
    }

    if (name == QLatin1String("flat")) {
        if (Result<void> r = refuseUnknownKeys(o, {QLatin1StringView("system")}, prefix, name); !r)
            return r.error();
        return std::unique_ptr<StakingSystem>(std::make_unique<FlatStake>(stake));
    }
    if (name == QLatin1String("martingale")) {
        if (Result<void> r = refuseUnknownKeys(o, {QLatin1StringView("system"), QLatin1StringView("multiplier"),
                                                   QLatin1StringView("max_steps")},
                                               prefix, name);
            !r)
            return r.error();
        Result<Multiplier> m = multiplierValue(o, QLatin1StringView("multiplier"), prefix + QStringLiteral(".multiplier"));
        if (!m)
            return m.error();
        Result<int> steps = integerInRange(o, QLatin1StringView("max_steps"), prefix + QStringLiteral(".max_steps"), 1,
                                           50, 0);
        if (!steps)
            return steps.error();
        return std::unique_ptr<StakingSystem>(std::make_unique<Martingale>(stake, m.value(), steps.value()));
    }
    if (name == QLatin1String("dalembert")) {
        if (Result<void> r = refuseUnknownKeys(o, {QLatin1StringView("system"), QLatin1StringView("unit")}, prefix, name);
            !r)
            return r.error();
        Money unit = stake;
        if (o.contains(QLatin1StringView("unit"))) {
            Result<Money> u = positiveMoney(o, QLatin1StringView("unit"), prefix + QStringLiteral(".unit"), digits);
            if (!u)
                return u.error();
            unit = u.value();
        }
        return std::unique_ptr<StakingSystem>(std::make_unique<DAlembert>(stake, unit));
    }
    if (name == QLatin1String("oscars_grind")) {
        if (Result<void> r = refuseUnknownKeys(o, {QLatin1StringView("system")}, prefix, name); !r)
            return r.error();
        return std::unique_ptr<StakingSystem>(std::make_unique<OscarsGrind>(stake));
    }
    if (name == QLatin1String("reverse_martingale")) {
        if (Result<void> r = refuseUnknownKeys(o, {QLatin1StringView("system"), QLatin1StringView("multiplier"),
                                                   QLatin1StringView("max_wins")},
                                               prefix, name);
            !r)
            return r.error();
        Result<Multiplier> m = multiplierValue(o, QLatin1StringView("multiplier"), prefix + QStringLiteral(".multiplier"));
        if (!m)
            return m.error();
        Result<int> wins = integerInRange(o, QLatin1StringView("max_wins"), prefix + QStringLiteral(".max_wins"), 1, 20, 3);
        if (!wins)
            return wins.error();
        return std::unique_ptr<StakingSystem>(std::make_unique<ReverseMartingale>(stake, m.value(), wins.value()));
    }
    if (name == QLatin1String("one_three_two_six")) {
        if (Result<void> r = refuseUnknownKeys(o, {QLatin1StringView("system")}, prefix, name); !r)
            return r.error();
        return std::unique_ptr<StakingSystem>(std::make_unique<OneThreeTwoSix>(stake));
    }
    Q_UNREACHABLE();
    return fieldError(prefix + QStringLiteral(".system"), QStringLiteral("unknown"));
}

Result<std::unique_ptr<EntrySignal>> parseEntry(const QJsonValue &value, const ContractSpec &spec)
{
    const QString prefix = QStringLiteral("entry");
    const EntryIntent fixed{spec.contractType, spec.barrier};
    if (value.isUndefined() || value.isNull())
        return std::unique_ptr<EntrySignal>(std::make_unique<FixedEntry>(fixed));
    if (!value.isObject())
        return fieldError(prefix, QStringLiteral("must be an object such as {\"signal\":\"fixed\"}"));
    const QJsonObject o = value.toObject();
    Result<QString> signal = requiredString(o, QLatin1StringView("signal"), prefix + QStringLiteral(".signal"));
    if (!signal)
        return signal.error();
    const QString name = signal.value();
    if (name == QLatin1String("fixed")) {
        if (Result<void> r = refuseUnknownKeys(o, {QLatin1StringView("signal")}, prefix, name); !r)
            return r.error();
        return std::unique_ptr<EntrySignal>(std::make_unique<FixedEntry>(fixed));
    }
    if (name == QLatin1String("momentum")) {
        if (Result<void> r = refuseUnknownKeys(o, {QLatin1StringView("signal"), QLatin1StringView("ticks")}, prefix, name);
            !r)
            return r.error();
        if (!isRiseFall(spec.contractType)) {
            return fieldError(prefix + QStringLiteral(".signal"),
                              QStringLiteral("momentum picks a direction, so contract_type must be CALL, PUT, CALLE or "
                                             "PUTE, not %1")
                                  .arg(contractTypeName(spec.contractType)));
        }
        Result<int> ticks = integerInRange(o, QLatin1StringView("ticks"), prefix + QStringLiteral(".ticks"), 1, 20, 3);
        if (!ticks)
            return ticks.error();
        const bool allowEqual = spec.contractType == ContractType::CallE || spec.contractType == ContractType::PutE;
        return std::unique_ptr<EntrySignal>(
            std::make_unique<TickMomentum>(ticks.value(), allowEqual ? ContractType::CallE : ContractType::Call));
    }
    return fieldError(prefix + QStringLiteral(".signal"),
                      QStringLiteral("unknown entry signal \"%1\" (fixed, momentum)").arg(name));
}

Result<Parsed> parse(const QJsonObject &params)
{
    if (Result<void> r = refuseUnknownKeys(
            params,
            {QLatin1StringView("symbol"), QLatin1StringView("contract_type"), QLatin1StringView("duration"),
             QLatin1StringView("duration_unit"), QLatin1StringView("barrier"), QLatin1StringView("currency"),
             QLatin1StringView("stake"), QLatin1StringView("max_stake"), QLatin1StringView("staking"),
             QLatin1StringView("entry")},
            QString(), QString());
        !r)
        return r.error();

    Parsed p;
    ContractSpec &spec = p.spec;

    Result<QString> symbol = requiredString(params, QLatin1StringView("symbol"), QStringLiteral("symbol"));
    if (!symbol)
        return symbol.error();
    spec.symbol = symbol.value();
    if (!ContractSpec::isKnownSymbol(spec.symbol)) {
        return fieldError(QStringLiteral("symbol"), QStringLiteral("unknown symbol \"%1\" (known: %2)")
                                                        .arg(spec.symbol, ContractSpec::knownSymbols().join(u' ')));
    }

    Result<QString> type = requiredString(params, QLatin1StringView("contract_type"), QStringLiteral("contract_type"));
    if (!type)
        return type.error();
    const std::optional<ContractType> contractType = parseContractType(type.value());
    if (!contractType) {
        return fieldError(QStringLiteral("contract_type"),
                          QStringLiteral("unknown contract type \"%1\" (CALL, PUT, CALLE, PUTE, DIGITMATCH, DIGITDIFF, "
                                         "DIGITOVER, DIGITUNDER, DIGITEVEN, DIGITODD)")
                              .arg(type.value()));
    }
    spec.contractType = *contractType;

    Result<int> duration = integerInRange(params, QLatin1StringView("duration"), QStringLiteral("duration"),
                                          -1'000'000'000, 1'000'000'000, std::nullopt);
    if (!duration)
        return duration.error();
    spec.duration = duration.value();
    Result<QString> unitName = requiredString(params, QLatin1StringView("duration_unit"), QStringLiteral("duration_unit"));
    if (!unitName)
        return unitName.error();
    const std::optional<DurationUnit> unit = parseDurationUnit(unitName.value());
    if (!unit) {
        return fieldError(QStringLiteral("duration_unit"),
                          QStringLiteral("unknown unit \"%1\" (t, s, m, h, d)").arg(unitName.value()));
    }
    spec.durationUnit = *unit;
    if (Result<void> r = ContractSpec::validateDuration(spec.contractType, spec.duration, spec.durationUnit); !r)
        return r.error();

    const QJsonValue barrier = params.value(QLatin1StringView("barrier"));
    if (barrier.isString()) {
        spec.barrier = barrier.toString();
    } else if (barrier.isDouble()) {
        Result<int> digit = integerValue(barrier, QStringLiteral("barrier"));
        if (!digit)
            return digit.error();
        spec.barrier = QString::number(digit.value());
    } else if (!barrier.isUndefined() && !barrier.isNull()) {
        return fieldError(QStringLiteral("barrier"), QStringLiteral("must be a digit string such as \"5\""));
    }
    if (Result<void> r = ContractSpec::validateBarrier(spec.contractType, spec.barrier); !r)
        return r.error();

    const QJsonValue currency = params.value(QLatin1StringView("currency"));
    if (!currency.isUndefined() && !currency.isNull()) {
        if (!currency.isString())
            return fieldError(QStringLiteral("currency"), QStringLiteral("must be a string such as \"USD\""));
        spec.currency = currency.toString();
    }
    const std::optional<int> digits = ContractSpec::currencyDigits(spec.currency);
    if (!digits) {
        return fieldError(QStringLiteral("currency"),
                          QStringLiteral("unsupported currency \"%1\" (USD, EUR, GBP, AUD)").arg(spec.currency));
    }

    Result<Money> stake = positiveMoney(params, QLatin1StringView("stake"), QStringLiteral("stake"), *digits);
    if (!stake)
        return stake.error();
    const Money minimum = ContractSpec::minimumStake(spec.currency);
    if (stake.value() < minimum) {
        return fieldError(QStringLiteral("stake"), QStringLiteral("%1 is below the minimum stake %2 %3")
                                                       .arg(stake->toString(), minimum.toString(), spec.currency));
    }

    const bool hasMaxStake = params.contains(QLatin1StringView("max_stake"))
        && !params.value(QLatin1StringView("max_stake")).isNull();
    p.maxStake = stake.value();
    if (hasMaxStake) {
        Result<Money> maxStake = positiveMoney(params, QLatin1StringView("max_stake"), QStringLiteral("max_stake"), *digits);
        if (!maxStake)
            return maxStake.error();
        if (stake.value() > maxStake.value()) {
            return fieldError(QStringLiteral("stake"), QStringLiteral("%1 is above max_stake %2")
                                                           .arg(stake->toString(), maxStake->toString()));
        }
        p.maxStake = maxStake.value();
    }

    Result<std::unique_ptr<StakingSystem>> staking
        = parseStaking(params.value(QLatin1StringView("staking")), stake.value(), *digits, hasMaxStake);
    if (!staking)
        return staking.error();
    p.staking = std::move(staking).value();

    Result<std::unique_ptr<EntrySignal>> entry = parseEntry(params.value(QLatin1StringView("entry")), spec);
    if (!entry)
        return entry.error();
    p.entry = std::move(entry).value();

    // Everything above already enforces these; this keeps ContractSpec's own rules the single authority.
    if (Result<void> r = spec.validate(); !r)
        return r.error();
    return p;
}

} // namespace

Result<std::unique_ptr<Strategy>> StrategyFactory::create(const QJsonObject &params)
{
    Result<Parsed> parsed = parse(params);
    if (!parsed)
        return parsed.error();
    Parsed &p = parsed.value();
    return std::make_unique<Strategy>(std::move(p.spec), std::move(p.staking), std::move(p.entry), p.maxStake);
}

Result<void> StrategyFactory::validate(const QJsonObject &params)
{
    Result<Parsed> parsed = parse(params);
    if (!parsed)
        return parsed.error();
    return {};
}

} // namespace Vigil
