// SPDX-License-Identifier: GPL-3.0-or-later
#include "limitstatus.h"

#include <QJsonArray>

namespace Vigil {

QJsonObject LimitStatus::toJson() const
{
    QJsonObject o{{QStringLiteral("account"), account},
                  {QStringLiteral("day"), day.toString(Qt::ISODate)},
                  {QStringLiteral("seeded"), seeded},
                  {QStringLiteral("start_balance_known"), startBalanceKnown},
                  {QStringLiteral("trades_today"), tradesToday},
                  {QStringLiteral("max_trades_per_day"), maxTradesPerDay},
                  {QStringLiteral("open_contracts"), openContracts},
                  {QStringLiteral("pending_contracts"), pendingContracts},
                  {QStringLiteral("max_concurrent_open"), maxConcurrentOpen},
                  {QStringLiteral("realized_pnl"), realizedPnl.toString()},
                  {QStringLiteral("stake_at_risk"), stakeAtRisk.toString()},
                  {QStringLiteral("loss_used"), lossUsed.toString()},
                  {QStringLiteral("daily_loss_rule"), dailyLossRule},
                  {QStringLiteral("blocks"), blocks},
                  {QStringLiteral("exhausted"), QJsonArray::fromStringList(exhausted)}};
    if (otherJournalsTrades != 0 || otherJournalsOpen != 0 || !otherJournalsPnl.isZero())
        o.insert(QStringLiteral("other_journals"), QJsonObject{{QStringLiteral("trades_today"), otherJournalsTrades},
                                                               {QStringLiteral("open_contracts"), otherJournalsOpen},
                                                               {QStringLiteral("realized_pnl"), otherJournalsPnl.toString()}});
    if (dailyLossLimit)
        o.insert(QStringLiteral("daily_loss_limit"), dailyLossLimit->toString());
    if (maxStake)
        o.insert(QStringLiteral("max_stake"), maxStake->toString());
    if (startOfDayBalance)
        o.insert(QStringLiteral("start_of_day_balance"), startOfDayBalance->toString());
    return o;
}

} // namespace Vigil
