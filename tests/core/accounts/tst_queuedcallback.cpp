// SPDX-License-Identifier: GPL-3.0-or-later
#include <atomic>
#include <memory>

#include <QCoreApplication>
#include <QTest>
#include <QThread>

#include "accounts/queuedcallback.h"

using namespace Vigil;

class TestQueuedCallback final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void neverRunsInsideTheInvokingCall();
    void runsOnTheContextThreadWhenInvokedElsewhere();
    void onlyTheFirstInvocationCounts();
    void droppedWhenContextDies();
    void deliveredAfterEveryCopyIsGone();
    void contextDyingWhileInvokedFromAnotherThread();
};

void TestQueuedCallback::neverRunsInsideTheInvokingCall()
{
    QObject context;
    int calls = 0;
    int value = 0;
    QueuedCallback<int> cb(&context, [&](int v) {
        ++calls;
        value = v;
    });
    cb(7);
    QCOMPARE(calls, 0);
    QTRY_COMPARE(calls, 1);
    QCOMPARE(value, 7);
}

void TestQueuedCallback::runsOnTheContextThreadWhenInvokedElsewhere()
{
    QObject context;
    std::atomic<QThread *> ranOn{nullptr};
    QueuedCallback<QString> cb(&context, [&](const QString &) { ranOn = QThread::currentThread(); });
    std::unique_ptr<QThread> worker(QThread::create([cb] { cb(QStringLiteral("from worker")); }));
    worker->start();
    QVERIFY(worker->wait(5000));
    QTRY_VERIFY(ranOn.load() != nullptr);
    QCOMPARE(ranOn.load(), QThread::currentThread());
}

void TestQueuedCallback::onlyTheFirstInvocationCounts()
{
    QObject context;
    QList<int> got;
    QueuedCallback<int> cb(&context, [&](int v) { got << v; });
    const QueuedCallback<int> copy = cb;
    cb(1);
    copy(2);
    cb(3);
    QTRY_COMPARE(got.size(), 1);
    QCoreApplication::processEvents();
    QCOMPARE(got, QList<int>{1});
    QVERIFY(copy.hasFired());
}

void TestQueuedCallback::droppedWhenContextDies()
{
    auto context = std::make_unique<QObject>();
    int calls = 0;
    {
        QueuedCallback<int> cb(context.get(), [&](int) { ++calls; });
        cb(1);
    }
    context.reset();
    QCoreApplication::processEvents();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    QCoreApplication::processEvents();
    QCOMPARE(calls, 0);
}

void TestQueuedCallback::deliveredAfterEveryCopyIsGone()
{
    QObject context;
    int value = 0;
    {
        QueuedCallback<int> cb(&context, [&](int v) { value = v; });
        cb(42);
    } // the relay is disposed of, the queued call is not
    QTRY_COMPARE(value, 42);
}

void TestQueuedCallback::contextDyingWhileInvokedFromAnotherThread()
{
    // A context on a worker thread is destroyed there while this thread fires at it: no crash, and the
    // callback never runs after the context is gone.
    for (int round = 0; round < 50; ++round) {
        QThread thread;
        thread.start();
        auto *context = new QObject;
        context->moveToThread(&thread);
        std::atomic_bool alive{true};
        std::atomic_bool ranAfterDeath{false};
        QueuedCallback<int> cb(context, [&](int) {
            if (!alive)
                ranAfterDeath = true;
        });
        QMetaObject::invokeMethod(
            context,
            [context, &alive] {
                alive = false;
                delete context;
            },
            Qt::QueuedConnection);
        cb(round);
        thread.quit();
        QVERIFY(thread.wait(5000));
        QVERIFY(!ranAfterDeath);
    }
}

QTEST_GUILESS_MAIN(TestQueuedCallback)
#include "tst_queuedcallback.moc"
