// SPDX-License-Identifier: GPL-3.0-or-later
#include "contractmatcher.h"

#include <algorithm>
#include <vector>

#include <QSet>

namespace Vigil {

namespace {

// Seconds per unit for time durations; 0 for ticks and for units whose end is not start + n·unit ("d"
// expires at the end of a trading day).
qint64 unitSeconds(const QString &unit)
{
    if (unit == QLatin1String("s"))
        return 1;
    if (unit == QLatin1String("m"))
        return 60;
    if (unit == QLatin1String("h"))
        return 3600;
    return 0;
}

bool durationMatches(const Trade &trade, const ServerContract &contract)
{
    if (contract.duration <= 0 || contract.durationUnit.isEmpty())
        return true; // the server did not say
    const bool tradeTicks = trade.durationUnit == QLatin1String("t");
    const bool contractTicks = contract.durationUnit == QLatin1String("t");
    if (tradeTicks || contractTicks)
        return tradeTicks == contractTicks && trade.duration == contract.duration;
    const qint64 tradeUnit = unitSeconds(trade.durationUnit);
    const qint64 contractUnit = unitSeconds(contract.durationUnit);
    if (tradeUnit == 0 || contractUnit == 0)
        return true; // days: not comparable from the shortcode
    return qint64(trade.duration) * tradeUnit == qint64(contract.duration) * contractUnit;
}

} // namespace

bool ContractMatcher::matches(const Trade &trade, const ServerContract &contract, const Window &window)
{
    if (trade.symbol.compare(contract.symbol, Qt::CaseInsensitive) != 0 || trade.contractType != contract.contractType)
        return false;
    if (trade.stake != contract.buyPrice)
        return false;
    if (!inWindow(trade, contract.purchaseMs, window))
        return false;
    return durationMatches(trade, contract);
}

bool ContractMatcher::inWindow(const Trade &trade, qint64 purchaseMs, const Window &window)
{
    const qint64 sentMs = trade.openedMs + window.serverOffsetMs;
    return purchaseMs >= sentMs - window.beforeMs && purchaseMs <= sentMs + window.afterMs;
}

QHash<qint64, qsizetype> ContractMatcher::assign(const QList<Trade> &trades, const QList<ServerContract> &candidates,
                                                 const Window &window)
{
    struct Pair
    {
        qint64 distanceMs;
        qsizetype trade;
        qsizetype candidate;
    };
    std::vector<Pair> pairs;
    for (qsizetype t = 0; t < trades.size(); ++t) {
        for (qsizetype c = 0; c < candidates.size(); ++c) {
            if (matches(trades[t], candidates[c], window))
                pairs.push_back({qAbs(candidates[c].purchaseMs - (trades[t].openedMs + window.serverOffsetMs)), t, c});
        }
    }
    // Closest first; ties by the older trade and the lower contract id, so the result is deterministic.
    std::sort(pairs.begin(), pairs.end(), [&](const Pair &a, const Pair &b) {
        if (a.distanceMs != b.distanceMs)
            return a.distanceMs < b.distanceMs;
        if (trades[a.trade].openedMs != trades[b.trade].openedMs)
            return trades[a.trade].openedMs < trades[b.trade].openedMs;
        return candidates[a.candidate].contractId < candidates[b.candidate].contractId;
    });
    QHash<qint64, qsizetype> out;
    QSet<qsizetype> taken;
    for (const Pair &p : pairs) {
        const qint64 localId = trades[p.trade].localId;
        if (out.contains(localId) || taken.contains(p.candidate))
            continue;
        out.insert(localId, p.candidate);
        taken.insert(p.candidate);
    }
    return out;
}

} // namespace Vigil
