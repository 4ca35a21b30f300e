// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Internal to vigil_store: not for other areas (they use Journal).

#include <memory>
#include <unordered_map>

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariantList>

#include "health/result.h"

class QSqlError;

namespace Vigil {

class WriterQueue;

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

    // SQLite: every connection of this process to the same file shares one writer lock, taken before
    // BEGIN IMMEDIATE. Writers then queue in the process instead of polling SQLite's lock in its busy
    // handler's growing sleeps (seconds at p99 with 20 account workers, and Busy failures). Waits at most
    // the busy timeout, like SQLite would. Null for PostgreSQL.
    void setBusyTimeoutMs(int ms) { m_busyTimeoutMs = ms; }
    int busyTimeoutMs() const { return m_busyTimeoutMs; }
    std::shared_ptr<WriterQueue> writerLock();

    // Prepares, binds `args` in order, executes. The returned query is positioned before the first row.
    Result<QSqlQuery> query(const QString &sql, const QVariantList &args = {});
    // The same with a statement prepared once per connection and kept by its text (parsing is most of a small
    // write's CPU). Returns the connection's own query object, valid until close(). Running the same text again
    // discards its previous result, so read the rows at once, then finish() it: a SELECT left running holds its
    // read snapshot.
    Result<QSqlQuery *> cachedQuery(const QString &sql, const QVariantList &args = {});
    // Executes a statement without parameters (DDL, PRAGMA, transaction control).
    Result<void> exec(const QString &sql);
    // The same, prepared once per connection (transaction control: BEGIN, COMMIT, SAVEPOINT, ...).
    Result<void> execCached(const QString &sql);
    // Runs a query expected to return exactly one row with one integer column (prepared once per connection;
    // the statement is reset before it returns).
    Result<qint64> scalar(const QString &sql, const QVariantList &args = {});
    // Resets every cached statement. SQLite refuses COMMIT, RELEASE and ROLLBACK TO while a statement that
    // wrote (an INSERT ... RETURNING read only once) is still running; transaction control calls this first.
    void finishCached();
    // Drops the cached statements and closes the connection.
    void close();

    // Maps a Qt SQL error to a Vigil Storage error ("Busy" for a lock that outlived busy_timeout,
    // "Constraint" for a violated constraint, else "SqlError"); `what` says what was being done.
    Error error(const QSqlError &sqlError, const QString &what) const;

private:
    QSqlDatabase m_db;
    Backend m_backend;
    int m_busyTimeoutMs = 10'000;
    std::shared_ptr<WriterQueue> m_writerLock;
    std::unordered_map<QString, std::unique_ptr<QSqlQuery>> m_cache;
};

} // namespace Vigil
