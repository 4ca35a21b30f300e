// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include "health/result.h"

class QDateTime;

namespace Vigil {

// Where a paper run journals when no journal was configured.
//
// The embedded simulator keeps nothing between runs: each start is a fresh demo account with fresh contract
// ids. A journal kept from an earlier run would be reconciled against a broker that never heard of its
// trades (open rows closed as stale, contract ids colliding), and two paper instances on one machine would
// reconcile each other's trades away. So each paper run gets a journal of its own under <dataDir>/paper/,
// named after its start time and process id; paper journals untouched for keepDays are deleted.
class PaperJournal final
{
public:
    // Creates <dataDir>/paper if needed, prunes old paper journals, and returns the new run's path.
    // Fails with a clear error when the folder cannot be created.
    static Result<QString> prepare(const QString &dataDir, const QDateTime &now, qint64 pid, int keepDays = 30);
    // The paper journals (and their -wal/-shm files) last modified before the cut-off are deleted; returns how
    // many journals went.
    static int prune(const QString &paperDir, const QDateTime &cutoff);
};

} // namespace Vigil
