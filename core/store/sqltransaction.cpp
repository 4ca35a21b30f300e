// SPDX-License-Identifier: GPL-3.0-or-later
#include "sqltransaction.h"

#include <algorithm>
#include <chrono>

#include "store/sqlconnection.h"
#include "store/writerqueue.h"

namespace Vigil {

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
            if (!writer->lockFor(std::chrono::milliseconds(std::max(0, m_connection.busyTimeoutMs()))))
                return Error::make(ErrorKind::Storage, QStringLiteral("Busy"),
                                   QStringLiteral("another writer of this process held the journal for more than %1 ms")
                                       .arg(m_connection.busyTimeoutMs()));
            m_writer = std::move(writer);
        }
    }
    auto r = m_connection.exec(sql);
    if (r)
        m_active = true;
    else
        releaseWriter();
    return r;
}

Result<void> SqlTransaction::commit()
{
    Q_ASSERT(m_active);
    auto r = m_connection.exec(QStringLiteral("COMMIT"));
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
    (void)m_connection.exec(QStringLiteral("ROLLBACK"));
    releaseWriter();
}

void SqlTransaction::releaseWriter()
{
    if (m_writer) {
        m_writer->unlock();
        m_writer.reset();
    }
}

} // namespace Vigil
