// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaType>
#include <QString>

#include "coordination/holderinfo.h"

namespace Vigil {

// A held lock: the proof of the right to trade. A value type; copies are cheap and cross threads.
// Whether a lease is still good is not in the value: ask LeaseKeeper::isValid() right before each buy.
struct Lease
{
    QString key; // e.g. "vigil:lock:account:CR123" (see LockKey)
    QString token; // random 128-bit, 32 lower-case hex digits; identifies this holding
    qint64 fence = 0; // fencing token: strictly increasing per lock key (per account for account locks)
    qint64 acquiredMonotonicMs = 0; // Clock::monotonicMs() taken BEFORE the request left, so deadlines are conservative
    qint64 ttlMs = 0;
    HolderInfo holder; // this process, as written to the backend

    bool isNull() const { return token.isEmpty(); }

    // A fresh random token (QRandomGenerator::system(), 128 bits).
    static QString newToken();
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::Lease)
