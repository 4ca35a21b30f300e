// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace Vigil {

class Clock;

// How to open a Journal.
struct JournalConfig
{
    // "/abs/path/journal.db" or "sqlite:///abs/path/journal.db" (SQLite; the folder is created),
    // or "postgresql://user:pass@host:port/dbname[?connect_timeout=5&sslmode=require]" (PostgreSQL).
    QString url;
    // How long a writer waits for another connection's write transaction (SQLite busy_timeout).
    int busyTimeoutMs = 10'000;
    // Stamps trade events and rows' updatedMs; nullptr = Clock::system(). Must outlive the Journal.
    const Clock *clock = nullptr;
};

} // namespace Vigil
