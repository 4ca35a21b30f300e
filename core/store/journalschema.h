// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Internal to vigil_store.

#include "health/result.h"

namespace Vigil {

class SqlConnection;

// The journal's versioned schema. Each migration runs in its own write transaction and records itself
// in schema_version; concurrent openers serialize (SQLite write lock / PostgreSQL advisory lock) and
// re-check the version inside the transaction, so a migration is applied exactly once.
class JournalSchema
{
public:
    // The newest version this build knows.
    static int latestVersion();
    // Brings the database to latestVersion(). Refuses ("SchemaTooNew") a database written by a newer
    // build, without touching it. Returns the version now in force.
    static Result<int> migrate(SqlConnection &connection, qint64 nowMs);
};

} // namespace Vigil
