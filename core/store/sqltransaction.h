// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Internal to vigil_store.

#include <memory>

#include "health/result.h"

namespace Vigil {

class SqlConnection;
class WriterQueue;

// A transaction that rolls back unless commit() succeeded.
// Write: SQLite BEGIN IMMEDIATE (takes the write lock up front, waiting up to busy_timeout, so a
// read-then-write never fails on lock upgrade and two connections cannot interleave); PostgreSQL BEGIN
// (callers lock the rows they decide on). Read: SQLite BEGIN (one snapshot); PostgreSQL REPEATABLE READ.
class SqlTransaction
{
public:
    enum class Mode { Read, Write };

    explicit SqlTransaction(SqlConnection &connection)
        : m_connection(connection)
    {
    }
    ~SqlTransaction();
    SqlTransaction(const SqlTransaction &) = delete;
    SqlTransaction &operator=(const SqlTransaction &) = delete;

    Result<void> begin(Mode mode);
    // Every QSqlQuery used inside must be finished or destroyed first (SQLite refuses to commit otherwise).
    Result<void> commit();
    void rollback();

private:
    void releaseWriter();

    SqlConnection &m_connection;
    bool m_active = false;
    std::shared_ptr<WriterQueue> m_writer; // held from BEGIN IMMEDIATE to COMMIT/ROLLBACK (SQLite)
};

} // namespace Vigil
