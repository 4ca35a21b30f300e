// SPDX-License-Identifier: GPL-3.0-or-later
#include "usageshare.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace Vigil {

QByteArray UsageShare::toJson() const
{
    const QJsonObject o{{QStringLiteral("instance"), instanceId},
                        {QStringLiteral("sequence"), QString::number(sequence)},
                        {QStringLiteral("trades"), tradesToday},
                        {QStringLiteral("open"), openContracts},
                        {QStringLiteral("open_stake_minor"), QString::number(openStake.minor())},
                        {QStringLiteral("realized_minor"), QString::number(realizedPnl.minor())},
                        {QStringLiteral("digits"), openStake.digits()},
                        {QStringLiteral("published_ms"), QString::number(publishedMs)}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

std::optional<UsageShare> UsageShare::fromJson(const QByteArray &json, const QString &journalId)
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
    const auto sequence = integer("sequence");
    const auto stake = integer("open_stake_minor");
    const auto realized = integer("realized_minor");
    const auto published = integer("published_ms");
    const auto trades = count("trades");
    const auto open = count("open");
    const auto digits = count("digits");
    if (!sequence || !stake || !realized || !published || !trades || !open || !digits || *digits > 8 || *stake < 0)
        return std::nullopt;
    UsageShare s;
    s.journalId = journalId;
    s.instanceId = o.value(QLatin1String("instance")).toString();
    s.sequence = *sequence;
    s.tradesToday = *trades;
    s.openContracts = *open;
    s.openStake = Money::fromMinor(*stake, *digits);
    s.realizedPnl = Money::fromMinor(*realized, *digits);
    s.publishedMs = *published;
    return s;
}

} // namespace Vigil
