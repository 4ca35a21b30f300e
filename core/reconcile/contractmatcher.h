// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QList>

#include "reconcile/servercontract.h"
#include "store/trade.h"

namespace Vigil {

// Finds the contract a buy with a lost reply left behind. Deriv's buy has no idempotency key, so the only
// evidence is the contract itself: same symbol, contract type and duration, a buy price equal to the row's
// stake, and a purchase time close to when the buy was sent (Trade::openedMs). Pure and thread-safe.
class ContractMatcher
{
public:
    struct Window
    {
        qint64 beforeMs = 5'000;   // the purchase time may be this much earlier than openedMs (clock skew,
                                   // and the server reports whole seconds)
        qint64 afterMs = 120'000;  // and this much later (rate-limit queueing, a slow server)
        qint64 serverOffsetMs = 0; // the server's clock minus ours: openedMs (our clock) + this = the server's
                                   // time of the buy; 0 when not known (then widen beforeMs/afterMs instead)
    };

    // Whether `contract` could be the one the buy of `trade` bought. A duration the shortcode does not tell
    // is not held against the contract. Symbols compare without regard to case (shortcodes upper-case them).
    static bool matches(const Trade &trade, const ServerContract &contract, const Window &window);
    // Whether a purchase time the server reports (its clock, ms) falls in the window around the trade's buy.
    static bool inWindow(const Trade &trade, qint64 purchaseMs, const Window &window);

    // Pairs trades with candidates one to one: among all matching pairs, the closest in time first.
    // Returns trade localId -> index into `candidates`; trades without a match are absent.
    static QHash<qint64, qsizetype> assign(const QList<Trade> &trades, const QList<ServerContract> &candidates,
                                           const Window &window);
};

} // namespace Vigil
