// SPDX-License-Identifier: GPL-3.0-or-later
#include "contractterms.h"

#include <cmath>

#include <QJsonValue>

#include "sim/symbol.h"

namespace Vigil::Sim {

namespace {
constexpr int s_commissionMilli = 12;

Error invalid(const QString &field, const QString &message)
{
    return Error::broker(QStringLiteral("ContractBuyValidationError"), message,
                         QJsonObject{{QStringLiteral("field"), field}});
}

struct KindName
{
    const char *name;
    ContractKind kind;
};
constexpr KindName s_kinds[] = {
    {"CALL", ContractKind::Call},           {"PUT", ContractKind::Put},
    {"CALLE", ContractKind::CallE},         {"PUTE", ContractKind::PutE},
    {"DIGITMATCH", ContractKind::DigitMatch}, {"DIGITDIFF", ContractKind::DigitDiff},
    {"DIGITOVER", ContractKind::DigitOver}, {"DIGITUNDER", ContractKind::DigitUnder},
    {"DIGITEVEN", ContractKind::DigitEven}, {"DIGITODD", ContractKind::DigitOdd},
};

// Integer division rounding half away from zero (both operands positive here).
qint64 divRound(qint64 num, qint64 den)
{
    return (num * 2 + den) / (den * 2);
}

QString plural(qint64 n, const char *unit)
{
    return QString::number(n) + u' ' + QLatin1String(unit) + (n == 1 ? QString() : QStringLiteral("s"));
}

QString secondsText(qint64 s)
{
    if (s % 3600 == 0)
        return plural(s / 3600, "hour");
    if (s % 60 == 0)
        return plural(s / 60, "minute");
    return plural(s, "second");
}

// True if `v` (a JSON number or numeric string) has more decimals than `digits`.
bool tooManyDecimals(const QJsonValue &v, int digits)
{
    if (v.isString())
        return !Money::parse(v.toString(), digits).has_value();
    const double scaled = v.toDouble() * double(pow10(digits));
    return std::fabs(scaled - std::round(scaled)) > 1e-6;
}
} // namespace

bool ContractTerms::isDigit() const
{
    switch (kind) {
    case ContractKind::Call:
    case ContractKind::Put:
    case ContractKind::CallE:
    case ContractKind::PutE:
        return false;
    default:
        return true;
    }
}

int ContractTerms::probabilityMilli() const
{
    switch (kind) {
    case ContractKind::DigitMatch:
        return 100;
    case ContractKind::DigitDiff:
        return 900;
    case ContractKind::DigitOver:
        return (9 - barrierDigit) * 100;
    case ContractKind::DigitUnder:
        return barrierDigit * 100;
    default:
        return 500;
    }
}

Money ContractTerms::payoutForStake(Money stake, int probabilityMilli)
{
    return Money::fromMinor(divRound(stake.minor() * 1000, probabilityMilli + s_commissionMilli), stake.digits());
}

Money ContractTerms::stakeForPayout(Money payout, int probabilityMilli)
{
    return Money::fromMinor(divRound(payout.minor() * (probabilityMilli + s_commissionMilli), 1000), payout.digits());
}

qint64 ContractTerms::expectedLengthSec() const
{
    if (!ticks)
        return duration;
    // Entry is the first tick after the purchase second; Rise/Fall exits N ticks after entry,
    // digits count the entry as tick 1.
    const int after = isDigit() ? duration - 1 : duration;
    return qint64(after + 1) * symbol->tickIntervalSec;
}

QString ContractTerms::durationType() const
{
    return ticks ? QStringLiteral("ticks") : QStringLiteral("seconds");
}

QString ContractTerms::longcode() const
{
    const QString name = symbol->displayName;
    const QString after = ticks ? plural(duration, "tick") : secondsText(duration);
    const QString digit = QString::number(barrierDigit);
    QString outcome;
    switch (kind) {
    case ContractKind::Call:
    case ContractKind::Put:
    case ContractKind::CallE:
    case ContractKind::PutE: {
        const bool up = kind == ContractKind::Call || kind == ContractKind::CallE;
        const bool equal = kind == ContractKind::CallE || kind == ContractKind::PutE;
        const QString rel = equal ? (up ? QStringLiteral("higher than or equal to") : QStringLiteral("lower than or equal to"))
                                  : (up ? QStringLiteral("strictly higher than") : QStringLiteral("strictly lower than"));
        if (ticks)
            return QStringLiteral("Win payout if %1 after %2 is %3 entry spot.").arg(name, after, rel);
        return QStringLiteral("Win payout if %1 is %2 entry spot at %3 after contract start time.").arg(name, rel, after);
    }
    case ContractKind::DigitMatch:
        outcome = digit;
        break;
    case ContractKind::DigitDiff:
        outcome = QStringLiteral("not ") + digit;
        break;
    case ContractKind::DigitOver:
        outcome = QStringLiteral("strictly higher than ") + digit;
        break;
    case ContractKind::DigitUnder:
        outcome = QStringLiteral("strictly lower than ") + digit;
        break;
    case ContractKind::DigitEven:
        outcome = QStringLiteral("even");
        break;
    case ContractKind::DigitOdd:
        outcome = QStringLiteral("odd");
        break;
    }
    return QStringLiteral("Win payout if the last digit of %1 is %2 after %3.").arg(name, outcome, after);
}

QString ContractTerms::shortcode(qint64 dateStart, qint64 dateExpiry) const
{
    const QString expiry = ticks ? QString::number(duration) + u'T' : QString::number(dateExpiry);
    QString barrier;
    if (isDigit())
        barrier = QString::number(barrierDigit < 0 ? 0 : barrierDigit);
    else
        barrier = QStringLiteral("S0P");
    return QStringLiteral("%1_%2_%3_%4_%5_%6_0")
        .arg(contractType, symbol->symbol, payout.toString(), QString::number(dateStart), expiry, barrier);
}

Result<ContractTerms> ContractTerms::fromJson(const QJsonObject &p, const ContractLimits &limits, qint64 nowSec)
{
    ContractTerms t;
    t.contractType = p.value(QLatin1String("contract_type")).toString();
    bool known = false;
    for (const KindName &k : s_kinds) {
        if (t.contractType == QLatin1String(k.name)) {
            t.kind = k.kind;
            known = true;
        }
    }
    if (!known)
        return invalid(QStringLiteral("contract_type"), QStringLiteral("Invalid contract type."));

    t.symbol = findSymbol(p.value(QLatin1String("symbol")).toString());
    if (!t.symbol)
        return invalid(QStringLiteral("symbol"), QStringLiteral("Trading is not offered for this asset."));

    t.currency = p.value(QLatin1String("currency")).toString();
    static const QStringList currencies{QStringLiteral("USD"), QStringLiteral("EUR"), QStringLiteral("GBP"),
                                        QStringLiteral("AUD")};
    if (!currencies.contains(t.currency))
        return invalid(QStringLiteral("currency"), QStringLiteral("Invalid payout currency"));

    if (p.contains(QLatin1String("date_start")) && p.value(QLatin1String("date_start")).toInteger() > nowSec)
        return invalid(QStringLiteral("date_start"), QStringLiteral("Trading is not offered for this duration."));

    const bool hasDuration = p.contains(QLatin1String("duration"));
    const bool hasExpiry = p.contains(QLatin1String("date_expiry"));
    if (hasDuration && hasExpiry)
        return invalid(QStringLiteral("duration"), QStringLiteral("Please enter only duration or date_expiry."));
    if (!hasDuration && !hasExpiry)
        return invalid(QStringLiteral("duration"), QStringLiteral("Please specify either duration or date_expiry."));
    if (hasExpiry) {
        const qint64 expiry = p.value(QLatin1String("date_expiry")).toInteger();
        if (expiry <= nowSec)
            return invalid(QStringLiteral("date_expiry"), QStringLiteral("Expiry time cannot be in the past."));
        t.ticks = false;
        t.durationUnit = QStringLiteral("s");
        t.duration = int(qMin<qint64>(expiry - nowSec, 10'000'000));
        t.durationRequested = t.duration;
    } else {
        t.durationUnit = p.value(QLatin1String("duration_unit")).toString(QStringLiteral("s"));
        t.durationRequested = int(p.value(QLatin1String("duration")).toInteger());
        t.ticks = t.durationUnit == QLatin1String("t");
        int factor = 1;
        if (t.durationUnit == QLatin1String("m"))
            factor = 60;
        else if (t.durationUnit == QLatin1String("h"))
            factor = 3600;
        else if (t.durationUnit == QLatin1String("d"))
            return invalid(QStringLiteral("duration"), QStringLiteral("Trading is not offered for this duration."));
        t.duration = int(qMin<qint64>(qint64(t.durationRequested) * factor, 10'000'000));
    }

    if (t.isDigit()) {
        if (!t.ticks)
            return invalid(QStringLiteral("duration"), QStringLiteral("Trading is not offered for this duration."));
    } else if (!t.ticks && (t.duration < 15 || t.duration > 86'400)) {
        return invalid(QStringLiteral("duration"), QStringLiteral("Trading is not offered for this duration."));
    }
    if (t.ticks && (t.duration < 1 || t.duration > 10))
        return invalid(QStringLiteral("duration"), QStringLiteral("Number of ticks must be between 1 and 10."));

    const bool hasBarrier = p.contains(QLatin1String("barrier"));
    if (p.contains(QLatin1String("barrier2")))
        return invalid(QStringLiteral("barrier2"), QStringLiteral("Invalid barrier (Single barrier input is expected)."));
    const bool needsDigit = t.kind == ContractKind::DigitMatch || t.kind == ContractKind::DigitDiff
        || t.kind == ContractKind::DigitOver || t.kind == ContractKind::DigitUnder;
    if (needsDigit) {
        if (!hasBarrier)
            return invalid(QStringLiteral("barrier"),
                           QStringLiteral("Missing required contract parameters (last digit prediction for digit contracts)."));
        bool ok = false;
        const QString text = p.value(QLatin1String("barrier")).toString();
        const int digit = text.toInt(&ok);
        if (!ok || text.contains(u'.') || text.startsWith(u'+'))
            return invalid(QStringLiteral("barrier"), QStringLiteral("Barrier must be an integer."));
        int lo = 0;
        int hi = 9;
        if (t.kind == ContractKind::DigitOver)
            hi = 8;
        if (t.kind == ContractKind::DigitUnder)
            lo = 1;
        if (digit < lo || digit > hi)
            return invalid(QStringLiteral("barrier"),
                           QStringLiteral("Digit must be in the range of %1 to %2.").arg(lo).arg(hi));
        t.barrierDigit = digit;
    } else if (hasBarrier) {
        return invalid(QStringLiteral("barrier"), QStringLiteral("Barrier is not allowed for this contract type."));
    }

    if (!p.contains(QLatin1String("amount")))
        return invalid(QStringLiteral("amount"), QStringLiteral("Missing required contract parameters (amount)."));
    t.basisStake = p.value(QLatin1String("basis")).toString(QStringLiteral("payout")) == QLatin1String("stake");
    const QJsonValue amountValue = p.value(QLatin1String("amount"));
    if (tooManyDecimals(amountValue, 2)) {
        return invalid(QStringLiteral("amount"), t.basisStake ? QStringLiteral("Stake can not have more than 2 decimal places.")
                                                              : QStringLiteral("Payout can not have more than 2 decimal places."));
    }
    const auto amount = Money::fromJson(amountValue, 2);
    if (!amount || amount->isNegative())
        return invalid(QStringLiteral("amount"), QStringLiteral("Invalid stake/payout."));
    t.amount = *amount;

    const int p1000 = t.probabilityMilli();
    if (t.basisStake) {
        t.stake = t.amount;
        if (t.stake < limits.minStake) {
            return invalid(QStringLiteral("amount"),
                           QStringLiteral("Please enter a stake amount that's at least %1.").arg(limits.minStake.toString()));
        }
        if (t.stake > limits.maxStake)
            return invalid(QStringLiteral("amount"), QStringLiteral("Maximum stake allowed is %1.").arg(limits.maxStake.toString()));
        t.payout = payoutForStake(t.stake, p1000);
        if (t.payout > limits.maxPayout) {
            return invalid(QStringLiteral("amount"),
                           QStringLiteral("Minimum stake of %1 and maximum payout of %2. Current payout is %3.")
                               .arg(limits.minStake.toString(), limits.maxPayout.toString(), t.payout.toString()));
        }
    } else {
        t.payout = t.amount;
        t.stake = stakeForPayout(t.payout, p1000);
        if (t.payout > limits.maxPayout) {
            return invalid(QStringLiteral("amount"),
                           QStringLiteral("Minimum stake of %1 and maximum payout of %2. Current payout is %3.")
                               .arg(limits.minStake.toString(), limits.maxPayout.toString(), t.payout.toString()));
        }
        if (t.stake < limits.minStake) {
            return invalid(QStringLiteral("amount"),
                           QStringLiteral("Minimum stake of %1 and maximum payout of %2. Current stake is %3.")
                               .arg(limits.minStake.toString(), limits.maxPayout.toString(), t.stake.toString()));
        }
    }
    return t;
}

} // namespace Vigil::Sim
