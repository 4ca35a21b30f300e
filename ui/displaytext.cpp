// SPDX-License-Identifier: GPL-3.0-or-later
#include "displaytext.h"

#include <QDateTime>

namespace Vigil::DisplayText {

QString money(Money amount, const QString &currency)
{
    return currency.isEmpty() ? amount.toString() : amount.toString() + u' ' + currency;
}

QString signedMoney(Money amount)
{
    if (amount.isZero())
        return amount.toString();
    return amount.isNegative() ? amount.toString() : u'+' + amount.toString();
}

QString botState(BotState state)
{
    switch (state) {
    case BotState::Stopped: return QStringLiteral("Stopped");
    case BotState::Starting: return QStringLiteral("Starting");
    case BotState::Running: return QStringLiteral("Running");
    case BotState::Paused: return QStringLiteral("Paused");
    case BotState::Stopping: return QStringLiteral("Stopping");
    case BotState::Halted: return QStringLiteral("Halted");
    case BotState::Failed: return QStringLiteral("Failed");
    }
    return QStringLiteral("Unknown");
}

QString botStateWithReason(const BotSnapshot &bot)
{
    if (bot.state == BotState::Halted)
        return botState(bot.state) + QStringLiteral(": ") + haltReasonText(bot.reason.halt);
    if (bot.state == BotState::Failed && !bot.reason.text.isEmpty())
        return botState(bot.state) + QStringLiteral(": ") + bot.reason.text;
    if (bot.state == BotState::Starting && !bot.standby.isEmpty())
        return QStringLiteral("Standby: runs in another instance");
    return botState(bot.state);
}

QString botStateTooltip(const BotSnapshot &bot)
{
    if (bot.state == BotState::Starting && !bot.standby.isEmpty())
        return QStringLiteral("Standby — %1. It starts here by itself once that instance stops it or ends.").arg(bot.standby);
    const QString reason = bot.reason.toString();
    return reason.isEmpty() ? botState(bot.state) : botState(bot.state) + QStringLiteral(" — ") + reason;
}

QString connection(const AccountSnapshot &account, qint64 nowMs)
{
    const qint64 seconds = account.downSinceMs > 0 ? qMax<qint64>(0, (nowMs - account.downSinceMs) / 1000) : 0;
    switch (account.connection) {
    case AccountSnapshot::Connection::Connected: return QStringLiteral("connected");
    case AccountSnapshot::Connection::Connecting: return QStringLiteral("connecting");
    case AccountSnapshot::Connection::Reconnecting:
        return account.downSinceMs > 0 ? QStringLiteral("reconnecting %1 s").arg(seconds) : QStringLiteral("reconnecting");
    case AccountSnapshot::Connection::Down:
        return account.downSinceMs > 0 ? QStringLiteral("down %1 s").arg(seconds) : QStringLiteral("down");
    }
    return QStringLiteral("unknown");
}

QString accountLabel(const AccountSnapshot &account)
{
    if (account.loginId.isEmpty() || account.loginId == account.id)
        return account.id;
    return account.loginId + QStringLiteral(" (") + account.id + u')';
}

QString clockTime(qint64 msSinceEpoch, bool withMillis)
{
    if (msSinceEpoch <= 0)
        return QString();
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch).toString(withMillis ? QStringLiteral("HH:mm:ss.zzz")
                                                                            : QStringLiteral("HH:mm:ss"));
}

QString duration(qint64 ms)
{
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    const qint64 s = ms / 1000;
    if (s < 60)
        return QStringLiteral("%1.%2 s").arg(s).arg((ms % 1000) / 100);
    return QStringLiteral("%1 min %2 s").arg(s / 60).arg(s % 60);
}

} // namespace Vigil::DisplayText
