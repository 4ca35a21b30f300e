// SPDX-License-Identifier: GPL-3.0-or-later
#include "sqltransaction.h"

#include "store/sqlconnection.h"

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
    auto r = m_connection.exec(sql);
    if (r)
        m_active = true;
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
    return {};
}

void SqlTransaction::rollback()
{
    if (!m_active)
        return;
    m_active = false;
    (void)m_connection.exec(QStringLiteral("ROLLBACK"));
}

} // namespace Vigil
