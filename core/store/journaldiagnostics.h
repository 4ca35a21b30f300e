// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>
#include <QString>

namespace Vigil {

// What the journal's connection actually runs with (Journal::diagnostics), for a health view and tests.
struct JournalDiagnostics
{
    QString backend; // "sqlite" or "postgresql"
    int schemaVersion = 0;
    QString journalMode; // SQLite: "wal"; PostgreSQL: empty
    int synchronous = -1; // SQLite PRAGMA synchronous (2 = FULL); PostgreSQL: 2 when synchronous_commit is on
    bool foreignKeys = false;
    int busyTimeoutMs = 0; // SQLite only
    // SQLite group commit, counted for this process and this file while any of its Journals is open: the commits
    // the writes shared (groupedWrites / groupCommits = the average group), and the writes waiting right now
    // (queued, or in the commit running). Zero on PostgreSQL, where every write commits alone.
    qint64 groupCommits = 0;
    qint64 groupedWrites = 0;
    int writesWaiting = 0;
    // SQLite: currentUsage() calls answered from the last read because nothing was committed to the file since.
    qint64 usageCacheHits = 0;
};

} // namespace Vigil
