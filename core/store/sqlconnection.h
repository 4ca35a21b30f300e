// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Internal to vigil_store: not for other areas (they use Journal).

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariantList>

#include "health/result.h"

class QSqlError;

namespace Vigil {

// One named Qt SQL connection plus the little dialect knowledge the journal needs.
// Every statement with data goes through query() with positional '?' bindings: no SQL is built from values.
class SqlConnection
{
public:
    enum class Backend { Sqlite, Postgres };

    SqlConnection(QSqlDatabase db, Backend backend)
        : m_db(std::move(db))
        , m_backend(backend)
    {
    }

    bool isPostgres() const { return m_backend == Backend::Postgres; }
    QSqlDatabase &database() { return m_db; }

    // Prepares, binds `args` in order, executes. The returned query is positioned before the first row.
    Result<QSqlQuery> query(const QString &sql, const QVariantList &args = {});
    // Executes a statement without parameters (DDL, PRAGMA, transaction control).
    Result<void> exec(const QString &sql);
    // Runs a query expected to return exactly one row with one integer column.
    Result<qint64> scalar(const QString &sql, const QVariantList &args = {});

    // Maps a Qt SQL error to a Vigil Storage error ("Busy" for a lock that outlived busy_timeout,
    // "Constraint" for a violated constraint, else "SqlError"); `what` says what was being done.
    Error error(const QSqlError &sqlError, const QString &what) const;

private:
    QSqlDatabase m_db;
    Backend m_backend;
};

} // namespace Vigil
