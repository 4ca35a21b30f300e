// SPDX-License-Identifier: GPL-3.0-or-later
#include "sqlconnection.h"

#include <QFileInfo>
#include <QHash>
#include <QMutex>
#include <QMutexLocker>
#include <QSqlError>
#include <QWeakPointer>

#include "health/logcategories.h"
#include "store/writerqueue.h"

namespace Vigil {

namespace {

// Qt binds a null QString as SQL NULL; text columns are NOT NULL and "no value" there is the empty string.
// SQL NULL is bound only on purpose, with an invalid QVariant.
void bindAll(QSqlQuery &q, const QVariantList &args)
{
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QVariant &arg = args.at(i);
        if (arg.typeId() == QMetaType::QString && arg.toString().isNull())
            q.bindValue(int(i), QStringLiteral(""));
        else
            q.bindValue(int(i), arg);
    }
}

} // namespace

Result<QSqlQuery> SqlConnection::query(const QString &sql, const QVariantList &args)
{
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    if (!q.prepare(sql))
        return error(q.lastError(), QStringLiteral("prepare"));
    bindAll(q, args);
    if (!q.exec())
        return error(q.lastError(), QStringLiteral("execute"));
    return q;
}

Result<QSqlQuery *> SqlConnection::cachedQuery(const QString &sql, const QVariantList &args)
{
    auto it = m_cache.find(sql);
    if (it == m_cache.end()) {
        auto fresh = std::make_unique<QSqlQuery>(m_db);
        fresh->setForwardOnly(true);
        if (!fresh->prepare(sql))
            return error(fresh->lastError(), QStringLiteral("prepare"));
        it = m_cache.emplace(sql, std::move(fresh)).first;
    } else {
        it->second->finish();
    }
    QSqlQuery *q = it->second.get();
    bindAll(*q, args);
    if (!q->exec())
        return error(q->lastError(), QStringLiteral("execute"));
    return q;
}

Result<void> SqlConnection::exec(const QString &sql)
{
    QSqlQuery q(m_db);
    if (!q.exec(sql))
        return error(q.lastError(), sql.section(u' ', 0, 1));
    return {};
}

Result<void> SqlConnection::execCached(const QString &sql)
{
    if (m_backend == Backend::Postgres)
        return exec(sql); // PostgreSQL prepares only queries and DML, not BEGIN, COMMIT or SET
    auto q = cachedQuery(sql);
    if (!q)
        return Error(q.error()); // already says what failed
    q.value()->finish();
    return {};
}

Result<qint64> SqlConnection::scalar(const QString &sql, const QVariantList &args)
{
    auto q = cachedQuery(sql, args);
    if (!q)
        return q.error();
    QSqlQuery &row = *q.value();
    const bool gotRow = row.next();
    bool ok = false;
    const qint64 v = gotRow ? row.value(0).toLongLong(&ok) : 0;
    row.finish();
    if (!gotRow)
        return Error::make(ErrorKind::Storage, QStringLiteral("SqlError"), QStringLiteral("query returned no row"));
    if (!ok)
        return Error::make(ErrorKind::Storage, QStringLiteral("SqlError"), QStringLiteral("query returned no integer"));
    return v;
}

void SqlConnection::finishCached()
{
    for (auto &entry : m_cache) {
        if (entry.second->isActive())
            entry.second->finish();
    }
}

void SqlConnection::close()
{
    m_cache.clear();
    m_db.close();
}

Error SqlConnection::error(const QSqlError &sqlError, const QString &what) const
{
    const QString native = sqlError.nativeErrorCode();
    const QString text = sqlError.text();
    QString code = QStringLiteral("SqlError");
    if (m_backend == Backend::Sqlite) {
        // SQLITE_BUSY (5), SQLITE_LOCKED (6) and their extended codes: another writer held the lock too long.
        const int n = native.toInt();
        if ((n & 0xff) == 5 || (n & 0xff) == 6 || text.contains(QLatin1String("database is locked")))
            code = QStringLiteral("Busy");
        else if ((n & 0xff) == 19)
            code = QStringLiteral("Constraint");
    } else {
        if (native.startsWith(QLatin1String("23")))
            code = QStringLiteral("Constraint");
        else if (native == QLatin1String("55P03") || native == QLatin1String("40P01"))
            code = QStringLiteral("Busy");
    }
    Error e = Error::make(ErrorKind::Storage, code, what + QStringLiteral(": ") + text);
    if (!native.isEmpty())
        e.details.insert(QStringLiteral("native_code"), native);
    qCWarning(lcStore).noquote() << "journal SQL error:" << e.toString();
    return e;
}

std::shared_ptr<WriterQueue> SqlConnection::writerLock()
{
    if (m_backend != Backend::Sqlite)
        return {};
    if (!m_writerLock) {
        static QMutex registryMutex;
        static QHash<QString, std::weak_ptr<WriterQueue>> registry;
        const QFileInfo file(m_db.databaseName());
        const QString key = file.exists() ? file.canonicalFilePath() : file.absoluteFilePath();
        QMutexLocker locker(&registryMutex);
        m_writerLock = registry.value(key).lock();
        if (!m_writerLock) {
            m_writerLock = std::make_shared<WriterQueue>();
            registry.insert(key, m_writerLock);
        }
    }
    return m_writerLock;
}

} // namespace Vigil
