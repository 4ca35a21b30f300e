// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QUrl>
#include <QtTest>

namespace Vigil::Test {

// Where the journal tests put their databases: SQLite files in a temporary folder, or (when built with
// VIGIL_TEST_POSTGRES) the PostgreSQL database named by VIGIL_TEST_PG_URL, wiped before each use.
class JournalTestBackend
{
public:
    JournalTestBackend()
#ifdef VIGIL_TEST_POSTGRES
        : m_pgUrl(qEnvironmentVariable("VIGIL_TEST_PG_URL"))
#endif
    {
    }

    static constexpr bool isPostgres()
    {
#ifdef VIGIL_TEST_POSTGRES
        return true;
#else
        return false;
#endif
    }

    // Empty when the backend cannot run here, else why not.
    QString unavailableReason() const
    {
        if (isPostgres() && m_pgUrl.isEmpty())
            return QStringLiteral(
                "VIGIL_TEST_PG_URL is not set: the PostgreSQL journal tests need a throwaway database "
                "(e.g. postgresql://vigil:vigil@127.0.0.1:55432/vigil_test; see tests/core/store/pg-throwaway.sh)");
        if (!isPostgres() && !m_dir.isValid())
            return QStringLiteral("cannot create a temporary directory");
        return {};
    }

    // A URL naming an empty journal database.
    QString freshUrl()
    {
        if (isPostgres()) {
            wipePostgres();
            return m_pgUrl;
        }
        return m_dir.filePath(QStringLiteral("journal-%1.db").arg(++m_counter));
    }

    // A plain Qt SQL connection to the same database, for looking behind the Journal's back.
    // Close with closeRaw(name).
    QSqlDatabase raw(const QString &url, const QString &name) const
    {
        if (isPostgres()) {
            const QUrl u(url);
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
            db.setHostName(u.host());
            db.setPort(u.port(5432));
            db.setUserName(u.userName());
            db.setPassword(u.password());
            db.setDatabaseName(u.path().mid(1));
            if (!db.open())
                qWarning() << "raw open failed:" << db.lastError().text();
            return db;
        }
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(url);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
        if (!db.open())
            qWarning() << "raw open failed:" << db.lastError().text();
        return db;
    }

    static void closeRaw(const QString &name)
    {
        {
            QSqlDatabase db = QSqlDatabase::database(name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(name);
    }

private:
    void wipePostgres()
    {
        const QString name = QStringLiteral("vigil-test-wipe");
        {
            QSqlDatabase db = raw(m_pgUrl, name);
            QSqlQuery q(db);
            if (!q.exec(QStringLiteral("SET client_min_messages = warning"))
                || !q.exec(QStringLiteral("DROP SCHEMA IF EXISTS public CASCADE"))
                || !q.exec(QStringLiteral("CREATE SCHEMA public")))
                qWarning() << "wiping the test database failed:" << q.lastError().text();
        }
        closeRaw(name);
    }

    QTemporaryDir m_dir;
    QString m_pgUrl;
    int m_counter = 0;
};

} // namespace Vigil::Test
