// SPDX-License-Identifier: GPL-3.0-or-later
// SqlTransaction::write's group commit when one write leaves the shared transaction unusable — as SQLite does by
// itself on some errors (a full disk, an I/O error): the batch is abandoned and every write runs again alone, so the
// one that broke it fails by itself and the others are committed.
#include <memory>
#include <optional>
#include <vector>

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include "store/sqlconnection.h"
#include "store/sqltransaction.h"
#include "store/writerqueue.h"

using namespace Vigil;

namespace {

constexpr int kWaitMs = 60'000;

std::unique_ptr<SqlConnection> openConnection(const QString &file, const QString &name)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(file);
    if (!db.open())
        return nullptr;
    auto c = std::make_unique<SqlConnection>(db, SqlConnection::Backend::Sqlite);
    c->setBusyTimeoutMs(kWaitMs);
    if (!c->exec(QStringLiteral("PRAGMA journal_mode=WAL")) || !c->exec(QStringLiteral("PRAGMA busy_timeout=60000")))
        return nullptr;
    return c;
}

QList<qint64> values(SqlConnection &c)
{
    QList<qint64> out;
    Result<QSqlQuery> q = c.query(QStringLiteral("SELECT v FROM t ORDER BY v"));
    if (!q)
        return out;
    while (q.value().next())
        out << q.value().value(0).toLongLong();
    return out;
}

} // namespace

class TestSqlTransaction final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void aWriteThatEndsTheSharedTransactionFailsAlone();
};

void TestSqlTransaction::aWriteThatEndsTheSharedTransactionFailsAlone()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("t.db"));
    std::unique_ptr<SqlConnection> holder = openConnection(file, QStringLiteral("holder"));
    QVERIFY(holder);
    QVERIFY(holder->exec(QStringLiteral("CREATE TABLE t (v INTEGER NOT NULL)")).ok());
    std::shared_ptr<WriterQueue> queue = holder->writerLock();
    QVERIFY(queue);

    // Hold the process's writer line so that the four writes queue and are run as one batch by the first of them.
    auto tx = std::make_unique<SqlTransaction>(*holder);
    QVERIFY(tx->begin(SqlTransaction::Mode::Write).ok());

    constexpr int kWriters = 4;
    constexpr int kBreaker = 2;
    std::vector<std::optional<Result<void>>> outcomes(kWriters);
    std::vector<std::unique_ptr<QThread>> threads;
    for (int i = 0; i < kWriters; ++i) {
        threads.emplace_back(QThread::create([&, i] {
            const QString name = QStringLiteral("writer-%1").arg(i);
            {
                std::unique_ptr<SqlConnection> c = openConnection(file, name);
                if (!c) {
                    outcomes[std::size_t(i)] = Error::make(ErrorKind::Storage, QStringLiteral("Open"), name);
                    return;
                }
                outcomes[std::size_t(i)] = SqlTransaction::write(*c, [i](SqlConnection &on) -> Result<void> {
                    if (i == kBreaker) // ends the whole transaction, savepoints included
                        return on.exec(QStringLiteral("ROLLBACK"));
                    Result<QSqlQuery> q = on.query(QStringLiteral("INSERT INTO t (v) VALUES (?)"), {i});
                    if (!q)
                        return q.error();
                    return {};
                });
                c->close();
            }
            QSqlDatabase::removeDatabase(name);
        }));
        threads.back()->start();
        // In line one after the other: the first of them leads the batch.
        QTRY_COMPARE_WITH_TIMEOUT(queue->stats().waiting, i + 1, kWaitMs);
    }
    const WriterQueue::Stats before = queue->stats();
    QVERIFY(tx->commit().ok());
    for (auto &t : threads)
        QVERIFY(t->wait(kWaitMs));

    for (int i = 0; i < kWriters; ++i) {
        QVERIFY(outcomes[std::size_t(i)].has_value());
        const Result<void> &r = *outcomes[std::size_t(i)];
        if (i == kBreaker)
            QVERIFY2(!r.ok(), "the write that broke the transaction has its own failure");
        else if (!r.ok())
            QFAIL(qPrintable(QStringLiteral("write %1: %2").arg(i).arg(r.error().toString())));
    }
    QCOMPARE(values(*holder), (QList<qint64>{0, 1, 3}));
    const WriterQueue::Stats after = queue->stats();
    QCOMPARE(after.writes - before.writes, quint64(kWriters));
    QCOMPARE(after.commits - before.commits, quint64(1)); // one batch, run by one leader
    QCOMPARE(after.waiting, 0);

    Result<QSqlQuery> integrity = holder->query(QStringLiteral("PRAGMA integrity_check"));
    QVERIFY(integrity.ok() && integrity.value().next());
    QCOMPARE(integrity.value().value(0).toString(), QStringLiteral("ok"));
    tx.reset();
    holder->close();
    holder.reset();
    QSqlDatabase::removeDatabase(QStringLiteral("holder"));
}

QTEST_GUILESS_MAIN(TestSqlTransaction)
#include "tst_sqltransaction.moc"
