// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include "health/result.h"

namespace Vigil {

// Names of locks and of the keys that belong to them. Every backend uses the same names, so a lock means the
// same thing in a file directory, in Redis and in memory.
//   lock            vigil:lock:account:<loginid>     vigil:lock:bot:<botid>     vigil:lock:run:<loginid>:<botid>
//   fence counter   vigil:fence:<loginid>            vigil:fence:bot:<botid>
//   holder record   vigil:holder:account:<loginid>   vigil:holder:bot:<botid>
class LockKey
{
public:
    static QString account(const QString &loginId);
    static QString bot(const QString &botId);
    // Held while a bot of an account runs (start to stop), not per buy: vigil:lock:run:<loginid>:<botid>.
    static QString botRun(const QString &loginId, const QString &botId);

    // The key must start with "vigil:lock:", have a non-empty rest of at most 200 characters and contain no
    // whitespace or control characters. InvalidInput/InvalidLockKey otherwise.
    static Result<void> validate(const QString &key);

    // The counter whose INCR gives the lock's fencing tokens: one per account for account locks.
    static QString fenceCounter(const QString &key);
    static QString holderRecord(const QString &key);
    // Account login id of an account lock key, empty for other keys.
    static QString accountOf(const QString &key);
};

} // namespace Vigil
