// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

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
};

} // namespace Vigil
