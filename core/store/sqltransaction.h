// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Internal to vigil_store.

#include <functional>
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
    // A write transaction's body: runs its statements on the connection it is given and returns its outcome.
    using Work = std::function<Result<void>(SqlConnection &)>;

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

    // Runs `work` as one write transaction and returns its outcome once its writes are durable (or undone).
    // SQLite: group commit. The writes of this process's connections to one file that queue while another
    // commit runs are committed together, by the first of their threads, on that thread's connection, each in
    // its own SAVEPOINT: a work that fails is rolled back alone and gets its own error while the others commit;
    // every caller returns only after the commit that holds its write (synchronous=FULL: on disk). So `work`
    // may run on another thread with another connection: it must use only the connection it is given and
    // values it captured, and must not begin transactions. Busy when no thread took it within the busy timeout.
    // PostgreSQL: runs alone in its own transaction on `connection`.
    static Result<void> write(SqlConnection &connection, const Work &work);

private:
    void releaseWriter();

    SqlConnection &m_connection;
    bool m_active = false;
    std::shared_ptr<WriterQueue> m_writer; // held from BEGIN IMMEDIATE to COMMIT/ROLLBACK (SQLite)
};

} // namespace Vigil
