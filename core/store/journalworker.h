// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

#include <QObject>

#include "health/error.h"
#include "store/journal.h"
#include "store/journalconfig.h"

namespace Vigil {

// Runs a Journal on a "store" thread for callers on other threads (the GUI, the reconciler, ...).
//
// Setup (owner's thread):
//     auto *thread = new QThread; thread->setObjectName("store");
//     auto *worker = new JournalWorker(config);          // no parent
//     worker->moveToThread(thread);
//     connect(thread, &QThread::started, worker, &JournalWorker::start);
//     connect(thread, &QThread::finished, worker, &QObject::deleteLater);
//     thread->start();
// Teardown: thread->quit(); thread->wait(); (the worker and its connection die on the store thread).
//
// Work: submit(context, job, done) from any thread. `job(Journal &)` runs on the store thread, in submission
// order, and returns a Result<T>; `done(Result<T>)` runs on `context`'s thread via a queued connection, and
// is dropped if `context` is destroyed first. If the journal is not open (start() failed, or stop() ran),
// done receives ErrorKind::Storage / "NotOpen" and job does not run.
//
// The alternative, for synchronous trade writes on an account thread: open a Journal of your own on that
// thread (Journal::open); SQLite serializes the writers of one file, PostgreSQL its connections.
class JournalWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JournalWorker)

public:
    explicit JournalWorker(JournalConfig config);
    ~JournalWorker() override;

    template <typename Job, typename Done> void submit(QObject *context, Job job, Done done);

public Q_SLOTS:
    // Opens the journal on the thread this object lives on; emits opened() or openFailed().
    void start();
    // Closes the journal (on the store thread); later jobs get "NotOpen".
    void stop();

Q_SIGNALS:
    // Emitted on the store thread.
    void opened(int schemaVersion);
    void openFailed(const Vigil::Error &error);
    // Internal: carries a finished job's result to its submitter. Not for use by others.
    void jobFinished(quint64 ticket, const std::shared_ptr<void> &result);

private:
    using Runner = std::function<std::shared_ptr<void>(Journal *)>;
    void enqueue(quint64 ticket, Runner runner);
    static Error notOpen();

    JournalConfig m_config;
    std::unique_ptr<Journal> m_journal;
    std::atomic<quint64> m_nextTicket { 1 };
};

template <typename Job, typename Done> void JournalWorker::submit(QObject *context, Job job, Done done)
{
    using R = std::invoke_result_t<Job &, Journal &>;
    static_assert(std::is_constructible_v<R, Error>, "a journal job must return a Vigil::Result<T>");
    Q_ASSERT(context);
    const quint64 ticket = m_nextTicket.fetch_add(1);
    // One connection per job, made before the job is queued so its result cannot be missed; a connection
    // (unlike a raw pointer) is cut safely if the context dies on its own thread meanwhile.
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = connect(
        this, &JournalWorker::jobFinished, context,
        [connection, ticket, done = std::move(done)](quint64 finished, const std::shared_ptr<void> &result) mutable {
            if (finished != ticket)
                return;
            QObject::disconnect(*connection);
            done(std::move(*std::static_pointer_cast<R>(result)));
        },
        Qt::QueuedConnection);
    enqueue(ticket, [job = std::move(job)](Journal *journal) mutable -> std::shared_ptr<void> {
        if (!journal)
            return std::make_shared<R>(notOpen());
        return std::make_shared<R>(job(*journal));
    });
}

} // namespace Vigil
