// SPDX-License-Identifier: GPL-3.0-or-later
#include "usageshare.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Vigil {

namespace {
constexpr qint64 DayMs = 86'400'000;
}

QByteArray UsageShare::toJson() const
{
    QJsonObject o{{QStringLiteral("version"), 1},
                        {QStringLiteral("instance"), instanceId},
                        {QStringLiteral("sequence"), QString::number(sequence)},
                        {QStringLiteral("day_start_ms"), QString::number(dayStartMs)},
                        {QStringLiteral("trades"), tradesToday},
                        {QStringLiteral("realized_minor"), QString::number(realizedPnl.minor())},
                        {QStringLiteral("open"), openContracts},
                        {QStringLiteral("open_stake_minor"), QString::number(openStake.minor())},
                        {QStringLiteral("digits"), openStake.digits()},
                        {QStringLiteral("published_ms"), QString::number(publishedMs)}};
    if (unresolvedTold && unresolvedBuys.size() <= MaxUnresolvedTold) {
        QJsonArray buys;
        for (const Buy &b : unresolvedBuys) {
            buys.append(QJsonObject{{QStringLiteral("opened_ms"), QString::number(b.openedMs)},
                                    {QStringLiteral("symbol"), b.symbol},
                                    {QStringLiteral("contract_type"), b.contractType},
                                    {QStringLiteral("duration"), b.duration},
                                    {QStringLiteral("duration_unit"), b.durationUnit},
                                    {QStringLiteral("stake_minor"), QString::number(b.stakeMinor)}});
        }
        o.insert(QStringLiteral("unresolved"), buys);
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

std::optional<UsageShare> UsageShare::fromJson(const QByteArray &json, const QString &journal)
{
    const QJsonObject o = QJsonDocument::fromJson(json).object();
    const auto integer = [&o](const char *key) -> std::optional<qint64> {
        bool ok = false;
        const qint64 v = o.value(QLatin1String(key)).toString().toLongLong(&ok);
        return ok ? std::optional<qint64>(v) : std::nullopt;
    };
    const auto count = [&o](const char *key) -> std::optional<int> {
        const QJsonValue v = o.value(QLatin1String(key));
        if (!v.isDouble() || v.toDouble() < 0 || v.toDouble() != double(v.toInt()))
            return std::nullopt;
        return v.toInt();
    };
    if (count("version") != 1)
        return std::nullopt;
    const auto sequence = integer("sequence");
    const auto dayStart = integer("day_start_ms");
    const auto stake = integer("open_stake_minor");
    const auto realized = integer("realized_minor");
    const auto published = integer("published_ms");
    const auto trades = count("trades");
    const auto open = count("open");
    const auto digits = count("digits");
    if (!sequence || !dayStart || !stake || !realized || !published || !trades || !open || !digits || *digits > 8
        || *stake < 0)
        return std::nullopt;
    UsageShare s;
    s.journal = journal;
    s.instanceId = o.value(QLatin1String("instance")).toString();
    s.sequence = *sequence;
    s.dayStartMs = *dayStart;
    s.tradesToday = *trades;
    s.realizedPnl = Money::fromMinor(*realized, *digits);
    s.openContracts = *open;
    s.openStake = Money::fromMinor(*stake, *digits);
    s.publishedMs = *published;
    // Added after the first version: a share without it may have buys whose contracts it does not know.
    s.unresolvedTold = o.contains(QLatin1String("unresolved"));
    for (const QJsonValue &v : o.value(QLatin1String("unresolved")).toArray()) {
        const QJsonObject b = v.toObject();
        bool okOpened = false;
        bool okStake = false;
        Buy buy;
        buy.openedMs = b.value(QLatin1String("opened_ms")).toString().toLongLong(&okOpened);
        buy.stakeMinor = b.value(QLatin1String("stake_minor")).toString().toLongLong(&okStake);
        buy.symbol = b.value(QLatin1String("symbol")).toString();
        buy.contractType = b.value(QLatin1String("contract_type")).toString();
        buy.duration = b.value(QLatin1String("duration")).toInt(-1);
        buy.durationUnit = b.value(QLatin1String("duration_unit")).toString();
        if (!okOpened || !okStake || buy.symbol.isEmpty() || buy.contractType.isEmpty() || buy.duration < 0)
            return std::nullopt;
        s.unresolvedBuys.append(buy);
    }
    if (!o.value(QLatin1String("unresolved")).isUndefined() && !o.value(QLatin1String("unresolved")).isArray())
        return std::nullopt;
    return s;
}

Result<UsageShare::Totals> UsageShare::total(const QList<UsageShare> &shares, qint64 dayStartMs, int digits)
{
    Totals t;
    t.realizedPnl = Money::zero(digits);
    t.openStake = Money::zero(digits);
    for (const UsageShare &s : shares) {
        const auto refuse = [&s](const QString &why) {
            return Error::make(ErrorKind::Coordination, QStringLiteral("UsageUnreadable"),
                               QStringLiteral("the limit usage shared by instance %1 (journal %2) %3: no buy")
                                   .arg(s.instanceId, s.journal, why));
        };
        if (s.openStake.digits() != digits)
            return refuse(QStringLiteral("is in %1 fractional digits, not %2").arg(s.openStake.digits()).arg(digits));
        if ((s.dayStartMs - dayStartMs) % DayMs != 0)
            return refuse(QStringLiteral("counts days from another hour: configure the same day boundary everywhere"));
        t.openContracts += s.openContracts;
        t.openStake += s.openStake;
        if (s.dayStartMs == dayStartMs) {
            t.tradesToday += s.tradesToday;
            t.realizedPnl += s.realizedPnl;
        }
    }
    return t;
}

} // namespace Vigil
