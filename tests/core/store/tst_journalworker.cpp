// SPDX-License-Identifier: GPL-3.0-or-later
#include <memory>

#include <QPointer>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include "store/journalworker.h"

using namespace Vigil;

namespace {

Trade sampleTrade(qint64 openedMs)
{
    Trade t;
    t.account = QStringLiteral("CR1");
    t.bot = QStringLiteral("bot-1");
    t.symbol = QStringLiteral("R_100");
    t.contractType = QStringLiteral("CALL");
    t.duration = 5;
    t.durationUnit = QStringLiteral("t");
    t.currency = QStringLiteral("USD");
    t.stake = Money::fromMinor(1000);
    t.openedMs = openedMs;
    return t;
}

} // namespace

class TestJournalWorker final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void runsJobsOnStoreThreadAndAnswersOnCallerThread();
    void jobsRunInSubmissionOrder();
    void openFailureIsReportedAndJobsGetNotOpen();
    void resultIsDroppedWhenContextIsDestroyed();
    void stopClosesTheJournal();

private:
    void startWorker(const QString &url);

    QTemporaryDir m_dir;
    QThread *m_thread = nullptr;
    QPointer<JournalWorker> m_worker;
};

void TestJournalWorker::init()
{
    QVERIFY(m_dir.isValid());
}

void TestJournalWorker::cleanup()
{
    if (m_thread) {
        m_thread->quit();
        QVERIFY(m_thread->wait(30'000));
        delete m_thread;
        m_thread = nullptr;
    }
    QTRY_VERIFY(m_worker.isNull()); // deleted on the store thread via finished -> deleteLater
}

void TestJournalWorker::startWorker(const QString &url)
{
    JournalConfig config;
    config.url = url;
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("store"));
    auto *worker = new JournalWorker(config);
    worker->moveToThread(m_thread);
    connect(m_thread, &QThread::started, worker, &JournalWorker::start);
    connect(m_thread, &QThread::finished, worker, &QObject::deleteLater);
    m_worker = worker;
}

void TestJournalWorker::runsJobsOnStoreThreadAndAnswersOnCallerThread()
{
    startWorker(m_dir.filePath(QStringLiteral("w1.db")));
    QSignalSpy opened(m_worker.data(), &JournalWorker::opened);
    m_thread->start();
    QVERIFY(opened.wait(30'000));
    QCOMPARE(opened.first().first().toInt(), Journal::kSchemaVersion);

    QThread *jobThread = nullptr;
    QThread *doneThread = nullptr;
    std::optional<Result<qint64>> inserted;
    m_worker->submit(
        this,
        [&jobThread](Journal &j) {
            jobThread = QThread::currentThread();
            return j.insertPending(sampleTrade(1'700'000'000'000));
        },
        [&](Result<qint64> r) {
            doneThread = QThread::currentThread();
            inserted = std::move(r);
        });
    QTRY_VERIFY(inserted.has_value());
    QVERIFY(inserted->ok());
    QCOMPARE(jobThread, m_thread);
    QCOMPARE(doneThread, QThread::currentThread());

    std::optional<Result<std::optional<Trade>>> read;
    const qint64 id = inserted->value();
    m_worker->submit(
        this, [id](Journal &j) { return j.trade(id); }, [&](Result<std::optional<Trade>> r) { read = std::move(r); });
    QTRY_VERIFY(read.has_value());
    QVERIFY(read->ok());
    QVERIFY(read->value().has_value());
    QCOMPARE(read->value()->status, TradeStatus::Pending);
}

void TestJournalWorker::jobsRunInSubmissionOrder()
{
    startWorker(m_dir.filePath(QStringLiteral("w2.db")));
    m_thread->start();
    QList<qint64> ids;
    constexpr int kJobs = 20;
    for (int i = 0; i < kJobs; ++i) {
        m_worker->submit(
            this, [i](Journal &j) { return j.insertPending(sampleTrade(1'700'000'000'000 + i)); },
            [&ids](Result<qint64> r) { ids << (r.ok() ? r.value() : -1); });
    }
    QTRY_COMPARE(ids.size(), kJobs);
    for (int i = 1; i < kJobs; ++i)
        QVERIFY(ids[i] > ids[i - 1]);
}

void TestJournalWorker::openFailureIsReportedAndJobsGetNotOpen()
{
    startWorker(QStringLiteral("mysql://nope/db"));
    QSignalSpy failed(m_worker.data(), &JournalWorker::openFailed);
    m_thread->start();
    QVERIFY(failed.wait(30'000));
    QCOMPARE(failed.first().first().value<Error>().code, QStringLiteral("BadUrl"));

    bool ran = false;
    std::optional<Result<qint64>> result;
    m_worker->submit(
        this,
        [&ran](Journal &j) {
            ran = true;
            return j.insertPending(sampleTrade(1));
        },
        [&](Result<qint64> r) { result = std::move(r); });
    QTRY_VERIFY(result.has_value());
    QVERIFY(!ran);
    QCOMPARE(result->error().code, QStringLiteral("NotOpen"));
}

void TestJournalWorker::resultIsDroppedWhenContextIsDestroyed()
{
    startWorker(m_dir.filePath(QStringLiteral("w3.db")));
    m_thread->start();
    QSemaphore jobStarted;
    QSemaphore release;
    bool firstDelivered = false;
    auto *context = new QObject;
    m_worker->submit(
        context,
        [&](Journal &j) {
            jobStarted.release();
            release.acquire();
            return j.insertPending(sampleTrade(1'700'000'000'000));
        },
        [&firstDelivered](Result<qint64>) { firstDelivered = true; });
    jobStarted.acquire();
    delete context; // the caller went away while its job ran
    release.release();

    std::optional<Result<qint64>> second;
    m_worker->submit(
        this, [](Journal &j) { return j.insertPending(sampleTrade(1'700'000'000'001)); },
        [&](Result<qint64> r) { second = std::move(r); });
    QTRY_VERIFY(second.has_value());
    QVERIFY(second->ok());
    QCoreApplication::processEvents();
    QVERIFY(!firstDelivered);
    // The job itself still ran: the journal does not lose a write because its caller left.
    std::optional<Result<QList<Trade>>> all;
    m_worker->submit(
        this, [](Journal &j) { return j.trades(TradeFilter()); }, [&](Result<QList<Trade>> r) { all = std::move(r); });
    QTRY_VERIFY(all.has_value());
    QCOMPARE(all->value().size(), 2);
}

void TestJournalWorker::stopClosesTheJournal()
{
    startWorker(m_dir.filePath(QStringLiteral("w4.db")));
    QSignalSpy opened(m_worker.data(), &JournalWorker::opened);
    m_thread->start();
    QVERIFY(opened.wait(30'000));
    QMetaObject::invokeMethod(m_worker.data(), &JournalWorker::stop, Qt::QueuedConnection);
    std::optional<Result<qint64>> result;
    m_worker->submit(
        this, [](Journal &j) { return j.insertPending(sampleTrade(1)); },
        [&](Result<qint64> r) { result = std::move(r); });
    QTRY_VERIFY(result.has_value());
    QCOMPARE(result->error().code, QStringLiteral("NotOpen"));
}

QTEST_GUILESS_MAIN(TestJournalWorker)
#include "tst_journalworker.moc"
