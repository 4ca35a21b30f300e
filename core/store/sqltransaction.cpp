// SPDX-License-Identifier: GPL-3.0-or-later
#include "sqltransaction.h"

#include <algorithm>
#include <chrono>

#include "store/sqlconnection.h"
#include "store/writerqueue.h"

namespace Vigil {

namespace {

Error busy(const SqlConnection &connection)
{
    return Error::make(ErrorKind::Storage, QStringLiteral("Busy"),
        QStringLiteral("another writer of this process held the journal for more than %1 ms")
            .arg(connection.busyTimeoutMs()));
}

std::chrono::milliseconds busyTimeout(const SqlConnection &connection)
{
    return std::chrono::milliseconds(std::max(0, connection.busyTimeoutMs()));
}

// Undoes the open transaction; its own failure is not the caller's outcome (the caller reports what failed first).
void rollbackQuietly(SqlConnection &c)
{
    c.finishCached();
    (void)c.execCached(QStringLiteral("ROLLBACK"));
}

// One write in its own transaction on `c` (on SQLite the caller holds the process's writer lock).
Result<void> runAlone(SqlConnection &c, const SqlTransaction::Work &work)
{
    if (auto r = c.execCached(c.isPostgres() ? QStringLiteral("BEGIN") : QStringLiteral("BEGIN IMMEDIATE")); !r)
        return r;
    Result<void> outcome = work(c);
    if (!outcome) {
        rollbackQuietly(c);
        return outcome;
    }
    c.finishCached();
    if (auto r = c.execCached(QStringLiteral("COMMIT")); !r) {
        rollbackQuietly(c);
        return r;
    }
    return {};
}

// The leader's part of a group commit: every write of the batch in its own savepoint of one transaction, one COMMIT.
void runBatch(SqlConnection &c, const std::vector<WriterQueue::Write *> &batch)
{
    if (batch.size() == 1) {
        batch.front()->result = runAlone(c, batch.front()->work);
        return;
    }
    if (auto r = c.execCached(QStringLiteral("BEGIN IMMEDIATE")); !r) {
        for (WriterQueue::Write *w : batch)
            w->result = r;
        return;
    }
    bool broken = false;
    for (WriterQueue::Write *w : batch) {
        if (!c.execCached(QStringLiteral("SAVEPOINT vigil_write"))) {
            broken = true;
            break;
        }
        w->result = w->work(c);
        c.finishCached();
        if (!w->result && !c.execCached(QStringLiteral("ROLLBACK TO vigil_write"))) {
            broken = true;
            break;
        }
        if (!c.execCached(QStringLiteral("RELEASE vigil_write"))) {
            broken = true;
            break;
        }
    }
    if (broken) {
        // A write left the transaction unusable (SQLite ends it on some errors, e.g. a full disk): nothing of the
        // batch is kept, and each write runs again alone so that one write's failure cannot fail the others.
        rollbackQuietly(c);
        for (WriterQueue::Write *w : batch)
            w->result = runAlone(c, w->work);
        return;
    }
    if (auto r = c.execCached(QStringLiteral("COMMIT")); !r) {
        rollbackQuietly(c);
        for (WriterQueue::Write *w : batch) {
            if (w->result) // a write that failed by itself keeps its own error
                w->result = r;
        }
    }
}

} // namespace

SqlTransaction::~SqlTransaction()
{
    rollback();
}

Result<void> SqlTransaction::begin(Mode mode)
{
    Q_ASSERT(!m_active);
    QString sql;
    if (m_connection.isPostgres())
        sql = mode == Mode::Write ? QStringLiteral("BEGIN") : QStringLiteral("BEGIN ISOLATION LEVEL REPEATABLE READ");
    else
        sql = mode == Mode::Write ? QStringLiteral("BEGIN IMMEDIATE") : QStringLiteral("BEGIN");
    if (mode == Mode::Write) {
        if (std::shared_ptr<WriterQueue> writer = m_connection.writerLock()) {
            if (!writer->lockFor(busyTimeout(m_connection)))
                return busy(m_connection);
            m_writer = std::move(writer);
        }
    }
    auto r = m_connection.execCached(sql);
    if (r)
        m_active = true;
    else
        releaseWriter();
    return r;
}

Result<void> SqlTransaction::commit()
{
    Q_ASSERT(m_active);
    m_connection.finishCached();
    auto r = m_connection.execCached(QStringLiteral("COMMIT"));
    if (!r) {
        rollback();
        return r;
    }
    m_active = false;
    releaseWriter();
    return {};
}

void SqlTransaction::rollback()
{
    if (!m_active)
        return;
    m_active = false;
    rollbackQuietly(m_connection);
    releaseWriter();
}

void SqlTransaction::releaseWriter()
{
    if (m_writer) {
        m_writer->unlock();
        m_writer.reset();
    }
}

Result<void> SqlTransaction::write(SqlConnection &connection, const Work &work)
{
    std::shared_ptr<WriterQueue> queue = connection.writerLock();
    if (!queue)
        return runAlone(connection, work);
    WriterQueue::Write write;
    write.work = std::cref(work);
    const bool done = queue->submit(write, busyTimeout(connection),
        [&connection](const std::vector<WriterQueue::Write *> &batch) { runBatch(connection, batch); });
    if (!done)
        return busy(connection);
    return write.result;
}

} // namespace Vigil
