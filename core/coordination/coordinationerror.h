// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QLatin1StringView>
#include <QString>

#include "health/error.h"

namespace Vigil {

struct HolderInfo;

// The stable codes of ErrorKind::Coordination errors, and helpers that build them.
// Every one of them means "no buy": callers never treat a coordination error as permission to trade.
class CoordinationError
{
public:
    // The backend cannot be reached or used (Redis down, lock directory unwritable). Trading stops.
    static constexpr QLatin1StringView Unavailable { "CoordinationUnavailable" };
    // Someone else (another instance, process or bot) holds the lock; details.holder says who when known.
    static constexpr QLatin1StringView LockHeld { "LockHeld" };
    // A renew/release/verify with a token that is not the current holder's: the lease is not ours (any more).
    static constexpr QLatin1StringView NotOwner { "NotOwner" };
    // A held lease stopped being valid (renewal refused or failed, re-verification failed).
    static constexpr QLatin1StringView LeaseLost { "LeaseLost" };
    // Inside this process another bot holds the account's trading right.
    static constexpr QLatin1StringView AccountBusy { "AccountBusy" };
    // The key is not a valid Vigil lock key.
    static constexpr QLatin1StringView InvalidKey { "InvalidLockKey" };

    static Error unavailable(const QString &message);
    static Error lockHeld(const QString &key, const HolderInfo *holder);
    static Error notOwner(const QString &key);
    static Error leaseLost(const QString &key, const QString &why);

    static bool isUnavailable(const Error &error);
};

} // namespace Vigil
