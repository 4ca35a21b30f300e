// SPDX-License-Identifier: GPL-3.0-or-later
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include "coordination/coordinationerror.h"
#include "coordination/leasekeeper.h"
#include "coordination/lockkey.h"
#include "coordination/memorylockbackend.h"
#include "support/fakeclock.h"
#include "support/resultcheck.h"

using namespace Vigil;

namespace {
InstanceIdentity identity(const QString &id)
{
    InstanceIdentity i;
    i.instanceId = id;
    i.host = QStringLiteral("host");
    i.pid = 1;
    return i;
}

// A keeper over a memory store plus a second instance's backend on the same store.
struct Rig
{
    explicit Rig(const Clock &clock, LeaseKeeperOptions options = {})
    {
        auto mine = std::make_unique<MemoryLockBackend>(identity(QStringLiteral("me")), clock);
        backend = mine.get();
        other = mine->sharingStoreWith(identity(QStringLiteral("other")));
        keeper = std::make_unique<LeaseKeeper>(std::move(mine), clock, options);
    }
    MemoryLockBackend *backend = nullptr; // owned by keeper
    std::unique_ptr<MemoryLockBackend> other;
    std::unique_ptr<LeaseKeeper> keeper;
};

// Side-effect free, so it can sit inside QTRY_VERIFY (which evaluates its expression once more at the end).
bool isFree(LockBackend &backend, const QString &key)
{
    auto r = backend.holderInfo(key);
    return r.ok() && !r->has_value();
}

// A keeper on its own coordination thread, stopped (and the keeper deleted there) on every exit path.
struct KeeperThread
{
    explicit KeeperThread(std::unique_ptr<LockBackend> backend)
        : keeper(new LeaseKeeper(std::move(backend)))
    {
        thread.setObjectName(QStringLiteral("coordination"));
        keeper->moveToThread(&thread);
        QObject::connect(&thread, &QThread::started, keeper, &LeaseKeeper::start);
        QObject::connect(&thread, &QThread::finished, keeper, &QObject::deleteLater);
        thread.start();
    }
    ~KeeperThread()
    {
        thread.quit();
        thread.wait();
    }
    // Returns once the keeper has handled everything posted to it before.
    void barrier()
    {
        QMetaObject::invokeMethod(
            keeper, [] {}, Qt::BlockingQueuedConnection);
    }
    Q_DISABLE_COPY_MOVE(KeeperThread)

    QThread thread;
    LeaseKeeper *keeper;
};
} // namespace

class TestLeaseKeeper final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init() { qRegisterMetaType<Vigil::Error>(); }
    void validUntilDeadlineMinusMargin();
    void renewsEveryThirdOfTtl();
    void refusedRenewalLosesLeaseAtOnce();
    void backendDownLosesLeasesAndStatusGoesDown();
    void backendBackEmitsRestored();
    void wallClockJumpForcesReverification_data();
    void wallClockJumpForcesReverification();
    void sleepLongerThanTtlLosesLease();
    void monotonicGapBeyondTtlForcesReverification();
    void releaseIsInvalidAtOnce();
    void releaseAllIsInvalidAtOnce();
    void destroyingKeeperReleasesLeases();
    void asyncAcquireDeliversOnContextThread();
    void undeliveredLeaseIsReleased();
    void renewalsSurviveABusyCaller();
};

void TestLeaseKeeper::validUntilDeadlineMinusMargin()
{
    Test::FakeClock clock;
    Rig rig(clock); // margin: ttl/10 = 100 ms
    auto lease = rig.keeper->acquireNow(LockKey::account(QStringLiteral("CR1")), 1000);
    QVERIFY2(lease.ok(), Test::describe(lease));
    QVERIFY(rig.keeper->isValid(lease.value()));
    clock.advance(899);
    QVERIFY(rig.keeper->isValid(lease.value()));
    clock.advance(1); // acquired + ttl - margin reached, no renewal happened
    QVERIFY(!rig.keeper->isValid(lease.value()));

    Lease forged = lease.value();
    forged.token = Lease::newToken();
    QVERIFY(!rig.keeper->isValid(forged));
    QVERIFY(!rig.keeper->isValid(Lease()));
}

void TestLeaseKeeper::renewsEveryThirdOfTtl()
{
    Test::FakeClock clock;
    Rig rig(clock);
    const QString key = LockKey::account(QStringLiteral("CR1"));
    auto lease = rig.keeper->acquireNow(key, 900);
    QVERIFY(lease.ok());
    clock.advance(200);
    rig.keeper->renewDueLeases(); // not due yet (< ttl/3)
    clock.advance(100); // 300 = ttl/3
    rig.keeper->renewDueLeases();
    clock.advance(650); // 950 ms after acquire: only alive because it was renewed at 300
    QVERIFY(rig.keeper->isValid(lease.value()));
    QVERIFY(!rig.other->acquire(key, 900).ok());
    rig.keeper->renewDueLeases();
    clock.advance(850); // 1800 after acquire, 850 after the last renewal: past ttl - margin
    QVERIFY(!rig.keeper->isValid(lease.value()));
}

void TestLeaseKeeper::refusedRenewalLosesLeaseAtOnce()
{
    Test::FakeClock clock;
    Rig rig(clock);
    QSignalSpy lost(rig.keeper.get(), &LeaseKeeper::leaseLost);
    const QString key = LockKey::account(QStringLiteral("CR1"));
    auto lease = rig.keeper->acquireNow(key, 900);
    QVERIFY(lease.ok());
    rig.backend->removeKey(key); // an operator deleted it...
    QVERIFY(rig.other->acquire(key, 900).ok()); // ...and another instance took it
    QVERIFY(rig.keeper->isValid(lease.value())); // we cannot know before asking
    clock.advance(300);
    rig.keeper->renewDueLeases();
    QCOMPARE(lost.count(), 1); // synchronously, within the renewal pass
    QVERIFY(!rig.keeper->isValid(lease.value()));
    QCOMPARE(lost.at(0).at(0).toString(), key);
    const auto reason = lost.at(0).at(1).value<Error>();
    QCOMPARE(reason.code, QString(CoordinationError::LeaseLost));
    QCOMPARE(reason.account, QStringLiteral("CR1"));
    QCOMPARE(reason.details.value(QStringLiteral("cause")).toObject().value(QStringLiteral("code")).toString(),
        QString(CoordinationError::NotOwner));
    QVERIFY(rig.keeper->heldLeases().isEmpty());
    // The loss is final: later passes neither resurrect nor report it again.
    clock.advance(300);
    rig.keeper->renewDueLeases();
    QCOMPARE(lost.count(), 1);
    QVERIFY(!rig.keeper->isValid(lease.value()));
}

void TestLeaseKeeper::backendDownLosesLeasesAndStatusGoesDown()
{
    Test::FakeClock clock;
    Rig rig(clock);
    QSignalSpy lost(rig.keeper.get(), &LeaseKeeper::leaseLost);
    QSignalSpy status(rig.keeper.get(), &LeaseKeeper::statusChanged);
    auto a = rig.keeper->acquireNow(LockKey::account(QStringLiteral("CR1")), 900);
    auto b = rig.keeper->acquireNow(LockKey::bot(QStringLiteral("b1")), 900);
    QVERIFY(a.ok() && b.ok());
    QVERIFY(rig.keeper->status().up);
    QCOMPARE(rig.keeper->status().backend, CoordinationBackendKind::Memory);

    rig.backend->setAvailable(false);
    clock.advance(300);
    rig.keeper->renewDueLeases();
    QCOMPARE(lost.count(), 2);
    QVERIFY(!rig.keeper->isValid(a.value()));
    QVERIFY(!rig.keeper->isValid(b.value()));
    QCOMPARE(lost.at(0)
                 .at(1)
                 .value<Error>()
                 .details.value(QStringLiteral("cause"))
                 .toObject()
                 .value(QStringLiteral("code"))
                 .toString(),
        QString(CoordinationError::Unavailable));
    QCOMPARE(status.count(), 1);
    const auto down = status.at(0).at(0).value<CoordinationStatus>();
    QVERIFY(!down.up);
    QCOMPARE(down.lastError.code, QString(CoordinationError::Unavailable));
    QVERIFY(!rig.keeper->status().up);

    auto again = rig.keeper->acquireNow(LockKey::account(QStringLiteral("CR2")), 900);
    QVERIFY(!again.ok());
    QCOMPARE(again.error().code, QString(CoordinationError::Unavailable));
    QCOMPARE(status.count(), 1); // still down: no repeated signal
}

void TestLeaseKeeper::backendBackEmitsRestored()
{
    Test::FakeClock clock;
    Rig rig(clock);
    QSignalSpy restored(rig.keeper.get(), &LeaseKeeper::coordinationRestored);
    QSignalSpy status(rig.keeper.get(), &LeaseKeeper::statusChanged);
    rig.backend->setAvailable(false);
    QVERIFY(!rig.keeper->acquireNow(LockKey::account(QStringLiteral("CR1")), 900).ok());
    QVERIFY(!rig.keeper->status().up);
    rig.keeper->probeBackend(); // still down
    QCOMPARE(restored.count(), 0);
    rig.backend->setAvailable(true);
    rig.keeper->probeBackend();
    QCOMPARE(restored.count(), 1);
    QVERIFY(rig.keeper->status().up);
    QCOMPARE(status.count(), 2);
    QVERIFY(status.at(1).at(0).value<CoordinationStatus>().up);
    QVERIFY(rig.keeper->acquireNow(LockKey::account(QStringLiteral("CR1")), 900).ok());
}

void TestLeaseKeeper::wallClockJumpForcesReverification_data()
{
    QTest::addColumn<qint64>("jumpMs");
    QTest::newRow("forward 5 s") << qint64(5000);
    QTest::newRow("backward 5 s") << qint64(-5000);
}

void TestLeaseKeeper::wallClockJumpForcesReverification()
{
    QFETCH(qint64, jumpMs);
    Test::FakeClock clock;
    Rig rig(clock); // skew threshold 2000 ms
    QSignalSpy lost(rig.keeper.get(), &LeaseKeeper::leaseLost);
    auto lease = rig.keeper->acquireNow(LockKey::account(QStringLiteral("CR1")), 60'000);
    QVERIFY(lease.ok());
    clock.jumpWall(jumpMs);
    // Invalid at once, before the keeper's timer has had a chance to notice.
    QVERIFY(!rig.keeper->isValid(lease.value()));
    rig.keeper->renewDueLeases(); // re-verifies with the backend: still ours
    QVERIFY(rig.keeper->isValid(lease.value()));
    QCOMPARE(lost.count(), 0);
}

void TestLeaseKeeper::sleepLongerThanTtlLosesLease()
{
    Test::FakeClock clock;
    Rig rig(clock);
    QSignalSpy lost(rig.keeper.get(), &LeaseKeeper::leaseLost);
    const QString key = LockKey::account(QStringLiteral("CR1"));
    auto lease = rig.keeper->acquireNow(key, 5000);
    QVERIFY(lease.ok());
    // A laptop suspend: the monotonic clock stood still, the wall clock (and the server) went on for a minute.
    clock.jumpWall(60'000);
    QVERIFY(!rig.keeper->isValid(lease.value()));
    QVERIFY(rig.other->acquire(key, 5000).ok()); // someone took over meanwhile
    rig.keeper->renewDueLeases();
    QCOMPARE(lost.count(), 1);
    QVERIFY(!rig.keeper->isValid(lease.value()));
}

void TestLeaseKeeper::monotonicGapBeyondTtlForcesReverification()
{
    Test::FakeClock clock;
    LeaseKeeperOptions options;
    options.clockSkewThresholdMs = 1'000'000; // rule out the wall-clock check
    Rig rig(clock, options);
    QSignalSpy lost(rig.keeper.get(), &LeaseKeeper::leaseLost);
    const QString key = LockKey::account(QStringLiteral("CR1"));
    auto lease = rig.keeper->acquireNow(key, 1000);
    QVERIFY(lease.ok());
    clock.advance(1500); // the keeper's thread did not run for longer than the ttl
    QVERIFY(!rig.keeper->isValid(lease.value()));
    rig.keeper->renewDueLeases(); // verify says gone (expired): lost, not blindly renewed
    QCOMPARE(lost.count(), 1);
}

void TestLeaseKeeper::releaseIsInvalidAtOnce()
{
    Test::FakeClock clock;
    Rig rig(clock);
    const QString key = LockKey::account(QStringLiteral("CR1"));
    auto lease = rig.keeper->acquireNow(key, 60'000);
    QVERIFY(lease.ok());
    rig.keeper->release(lease.value());
    QVERIFY(!rig.keeper->isValid(lease.value())); // before the coordination thread has run
    QVERIFY(!rig.other->acquire(key, 1000).ok()); // the backend release is still queued
    QTRY_VERIFY(isFree(*rig.other, key));
    QVERIFY(rig.other->acquire(key, 1000).ok());
    QVERIFY(rig.keeper->heldLeases().isEmpty());
}

void TestLeaseKeeper::releaseAllIsInvalidAtOnce()
{
    Test::FakeClock clock;
    Rig rig(clock);
    auto a = rig.keeper->acquireNow(LockKey::account(QStringLiteral("CR1")), 60'000);
    auto b = rig.keeper->acquireNow(LockKey::account(QStringLiteral("CR2")), 60'000);
    QVERIFY(a.ok() && b.ok());
    rig.keeper->releaseAll(QStringLiteral("emergency stop"));
    QVERIFY(!rig.keeper->isValid(a.value()));
    QVERIFY(!rig.keeper->isValid(b.value()));
    QVERIFY(rig.keeper->heldLeases().isEmpty());
    QTRY_VERIFY(isFree(*rig.other, LockKey::account(QStringLiteral("CR1"))));
    QVERIFY(isFree(*rig.other, LockKey::account(QStringLiteral("CR2"))));
    QVERIFY(rig.other->acquire(LockKey::account(QStringLiteral("CR1")), 1000).ok());
    QVERIFY(rig.other->acquire(LockKey::account(QStringLiteral("CR2")), 1000).ok());
}

void TestLeaseKeeper::destroyingKeeperReleasesLeases()
{
    Test::FakeClock clock;
    Rig rig(clock);
    const QString key = LockKey::account(QStringLiteral("CR1"));
    QVERIFY(rig.keeper->acquireNow(key, 60'000).ok());
    rig.keeper.reset();
    QVERIFY(rig.other->acquire(key, 1000).ok());
}

void TestLeaseKeeper::asyncAcquireDeliversOnContextThread()
{
    KeeperThread kt(std::make_unique<MemoryLockBackend>(identity(QStringLiteral("me"))));
    LeaseKeeper *keeper = kt.keeper;

    QObject context;
    bool called = false;
    QThread *calledOn = nullptr;
    Lease got;
    keeper->acquire(LockKey::account(QStringLiteral("CR1")), 60'000, &context, [&](Result<Lease> r) {
        called = true;
        calledOn = QThread::currentThread();
        if (r)
            got = r.value();
    });
    QVERIFY(!called); // never inside the call
    QTRY_VERIFY(called);
    QCOMPARE(calledOn, QThread::currentThread());
    QVERIFY(!got.isNull());
    QVERIFY(keeper->isValid(got)); // from this (non-keeper) thread

    bool refused = false;
    keeper->acquire(LockKey::account(QStringLiteral("CR1")), 60'000, &context,
        [&](Result<Lease> r) { refused = !r.ok() && r.error().code == CoordinationError::LockHeld; });
    QTRY_VERIFY(refused);
}

void TestLeaseKeeper::undeliveredLeaseIsReleased()
{
    auto mine = std::make_unique<MemoryLockBackend>(identity(QStringLiteral("me")));
    auto other = mine->sharingStoreWith(identity(QStringLiteral("other")));
    KeeperThread kt(std::move(mine));

    const QString key = LockKey::account(QStringLiteral("CR1"));
    bool called = false;
    {
        QObject context; // the requester goes away before the answer can arrive
        kt.keeper->acquire(key, 60'000, &context, [&](Result<Lease>) { called = true; });
    }
    kt.barrier(); // the acquire has run on the coordination thread
    QTRY_VERIFY(isFree(*other, key));
    QTRY_VERIFY(kt.keeper->heldLeases().isEmpty());
    auto after = other->acquire(key, 1000);
    QVERIFY2(after.ok(), Test::describe(after));
    QCOMPARE(after->fence, 2); // fence 1 went to the keeper's (released) lease
    QCoreApplication::processEvents();
    QVERIFY(!called);
}

void TestLeaseKeeper::renewalsSurviveABusyCaller()
{
    auto mine = std::make_unique<MemoryLockBackend>(identity(QStringLiteral("me")));
    auto other = mine->sharingStoreWith(identity(QStringLiteral("other")));
    KeeperThread kt(std::move(mine));

    const QString key = LockKey::account(QStringLiteral("CR1"));
    QObject context;
    Lease lease;
    kt.keeper->acquire(key, 1500, &context, [&](Result<Lease> r) {
        if (r)
            lease = r.value();
    });
    QTRY_VERIFY(!lease.isNull());
    // This (trading) thread is stuck for ~3 ttls and processes no events; the coordination thread renews anyway.
    QThread::msleep(4000);
    QVERIFY(kt.keeper->isValid(lease));
    QVERIFY(!other->acquire(key, 1500).ok());
}

QTEST_GUILESS_MAIN(TestLeaseKeeper)
#include "tst_leasekeeper.moc"
