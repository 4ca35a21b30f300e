// SPDX-License-Identifier: GPL-3.0-or-later
#include <QSignalSpy>
#include <QTest>

#include "coordination/coordinationerror.h"
#include "coordination/leasekeeper.h"
#include "coordination/lockkey.h"
#include "coordination/memorylockbackend.h"
#include "coordination/tradelockscope.h"
#include "support/fakeclock.h"
#include "support/resultcheck.h"

using namespace Vigil;

namespace {
InstanceIdentity identity(const QString &id)
{
    InstanceIdentity i;
    i.instanceId = id;
    return i;
}

bool isFree(LockBackend &backend, const QString &key)
{
    auto r = backend.holderInfo(key);
    return r.ok() && !r->has_value();
}

using ScopeResult = Result<std::shared_ptr<TradeLockScope>>;
} // namespace

class TestTradeLockScope final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void takesAccountThenBotLock();
    void oneBotPerAccountInProcess();
    void releasesEverythingWhenTheLastReferenceGoes();
    void explicitReleaseIsImmediateAndIdempotent();
    void botLockHeldElsewhereUndoesTheAccountLock();
    void accountLockHeldElsewhereFreesTheClaim();
    void emergencyStopInvalidatesScopes();
    void oldScopeDestroyedLateDoesNotHurtANewOne();
    void lostAccountLeaseInvalidatesScope();
    void scopeMayOutliveItsKeeper();

private:
    // Runs acquireTradeLocks with this test object as context and waits for the answer.
    ScopeResult acquire(const QString &account, const QString &bot);

    std::unique_ptr<Test::FakeClock> m_clock;
    MemoryLockBackend *m_backend = nullptr;
    std::unique_ptr<MemoryLockBackend> m_other;
    std::unique_ptr<LeaseKeeper> m_keeper;
};

void TestTradeLockScope::init()
{
    m_clock = std::make_unique<Test::FakeClock>();
    auto mine = std::make_unique<MemoryLockBackend>(identity(QStringLiteral("me")), *m_clock);
    m_backend = mine.get();
    m_other = mine->sharingStoreWith(identity(QStringLiteral("other")));
    m_keeper = std::make_unique<LeaseKeeper>(std::move(mine), *m_clock);
    m_keeper->start();
}

void TestTradeLockScope::cleanup()
{
    m_keeper.reset();
    m_other.reset();
    m_clock.reset();
}

ScopeResult TestTradeLockScope::acquire(const QString &account, const QString &bot)
{
    std::optional<ScopeResult> got;
    m_keeper->acquireTradeLocks(account, bot, 30'000, this, [&](ScopeResult r) { got.emplace(std::move(r)); });
    if (!QTest::qWaitFor([&] { return got.has_value(); }, 5000))
        return Error::make(ErrorKind::Internal, QStringLiteral("TestTimeout"), QStringLiteral("no answer"));
    return std::move(*got);
}

void TestTradeLockScope::takesAccountThenBotLock()
{
    auto scope = acquire(QStringLiteral("CR1"), QStringLiteral("bot-a"));
    QVERIFY2(scope.ok(), Test::describe(scope));
    const auto &s = *scope.value();
    QCOMPARE(s.account(), QStringLiteral("CR1"));
    QCOMPARE(s.bot(), QStringLiteral("bot-a"));
    QCOMPARE(s.accountLease().key, LockKey::account(QStringLiteral("CR1")));
    QCOMPARE(s.botLease().key, LockKey::bot(QStringLiteral("bot-a")));
    QCOMPARE(s.fence(), s.accountLease().fence);
    QVERIFY(s.isValid());
    QVERIFY(!isFree(*m_other, s.accountLease().key));
    QVERIFY(!isFree(*m_other, s.botLease().key));
}

void TestTradeLockScope::oneBotPerAccountInProcess()
{
    auto first = acquire(QStringLiteral("CR1"), QStringLiteral("bot-a"));
    QVERIFY(first.ok());
    auto second = acquire(QStringLiteral("CR1"), QStringLiteral("bot-b"));
    QVERIFY(!second.ok());
    QCOMPARE(second.error().code, QString(CoordinationError::AccountBusy));
    QCOMPARE(second.error().details.value(QStringLiteral("holder_bot")).toString(), QStringLiteral("bot-a"));
    QCOMPARE(second.error().account, QStringLiteral("CR1"));
    QCOMPARE(second.error().bot, QStringLiteral("bot-b"));
    // The refused bot did not take its bot lock either.
    QVERIFY(isFree(*m_other, LockKey::bot(QStringLiteral("bot-b"))));
    // The same bot asking twice is refused too.
    QCOMPARE(
        acquire(QStringLiteral("CR1"), QStringLiteral("bot-a")).error().code, QString(CoordinationError::AccountBusy));
    // Another account is independent.
    QVERIFY(acquire(QStringLiteral("CR2"), QStringLiteral("bot-b")).ok());
}

void TestTradeLockScope::releasesEverythingWhenTheLastReferenceGoes()
{
    auto scope = acquire(QStringLiteral("CR1"), QStringLiteral("bot-a"));
    QVERIFY(scope.ok());
    std::shared_ptr<TradeLockScope> held = scope.value();
    const Lease accountLease = held->accountLease();
    scope = Error(); // drop the copy in the result
    std::shared_ptr<TradeLockScope> copy = held;
    held.reset();
    QVERIFY(m_keeper->isValid(accountLease)); // a reference is left
    copy.reset();
    QVERIFY(!m_keeper->isValid(accountLease));
    QTRY_VERIFY(isFree(*m_other, LockKey::account(QStringLiteral("CR1"))));
    QVERIFY(isFree(*m_other, LockKey::bot(QStringLiteral("bot-a"))));
    QVERIFY(acquire(QStringLiteral("CR1"), QStringLiteral("bot-b")).ok());
}

void TestTradeLockScope::explicitReleaseIsImmediateAndIdempotent()
{
    auto scope = acquire(QStringLiteral("CR1"), QStringLiteral("bot-a"));
    QVERIFY(scope.ok());
    auto s = scope.value();
    s->release();
    QVERIFY(!s->isValid());
    QVERIFY(s->isReleased());
    s->release();
    QTRY_VERIFY(isFree(*m_other, LockKey::account(QStringLiteral("CR1"))));
    QVERIFY(acquire(QStringLiteral("CR1"), QStringLiteral("bot-b")).ok());
}

void TestTradeLockScope::botLockHeldElsewhereUndoesTheAccountLock()
{
    QVERIFY(m_other->acquire(LockKey::bot(QStringLiteral("bot-a")), 30'000).ok()); // bot runs on another instance
    auto scope = acquire(QStringLiteral("CR1"), QStringLiteral("bot-a"));
    QVERIFY(!scope.ok());
    QCOMPARE(scope.error().code, QString(CoordinationError::LockHeld));
    QCOMPARE(scope.error().bot, QStringLiteral("bot-a"));
    QVERIFY(isFree(*m_other, LockKey::account(QStringLiteral("CR1"))));
    QVERIFY(m_keeper->heldLeases().isEmpty());
    QVERIFY(acquire(QStringLiteral("CR1"), QStringLiteral("bot-b")).ok()); // claim was dropped too
}

void TestTradeLockScope::accountLockHeldElsewhereFreesTheClaim()
{
    QVERIFY(m_other->acquire(LockKey::account(QStringLiteral("CR1")), 30'000).ok());
    auto scope = acquire(QStringLiteral("CR1"), QStringLiteral("bot-a"));
    QVERIFY(!scope.ok());
    QCOMPARE(scope.error().code, QString(CoordinationError::LockHeld));
    QVERIFY(isFree(*m_other, LockKey::bot(QStringLiteral("bot-a")))); // never reached the bot lock
    // Not AccountBusy: the failed attempt left no in-process claim behind.
    QCOMPARE(
        acquire(QStringLiteral("CR1"), QStringLiteral("bot-b")).error().code, QString(CoordinationError::LockHeld));
}

void TestTradeLockScope::emergencyStopInvalidatesScopes()
{
    auto a = acquire(QStringLiteral("CR1"), QStringLiteral("bot-a"));
    auto b = acquire(QStringLiteral("CR2"), QStringLiteral("bot-b"));
    QVERIFY(a.ok() && b.ok());
    m_keeper->releaseAll(QStringLiteral("emergency stop"));
    QVERIFY(!a.value()->isValid());
    QVERIFY(!b.value()->isValid());
    QTRY_VERIFY(isFree(*m_other, LockKey::account(QStringLiteral("CR1"))));
    QVERIFY(isFree(*m_other, LockKey::account(QStringLiteral("CR2"))));
    QVERIFY(isFree(*m_other, LockKey::bot(QStringLiteral("bot-a"))));
}

void TestTradeLockScope::oldScopeDestroyedLateDoesNotHurtANewOne()
{
    auto old = acquire(QStringLiteral("CR1"), QStringLiteral("bot-a"));
    QVERIFY(old.ok());
    m_keeper->releaseAll(QStringLiteral("emergency stop"));
    QTRY_VERIFY(isFree(*m_other, LockKey::account(QStringLiteral("CR1"))));
    auto fresh = acquire(QStringLiteral("CR1"), QStringLiteral("bot-b"));
    QVERIFY2(fresh.ok(), Test::describe(fresh));
    old = Error(); // the stale scope goes away only now
    QCoreApplication::processEvents();
    QVERIFY(fresh.value()->isValid());
    QVERIFY(!isFree(*m_other, LockKey::account(QStringLiteral("CR1"))));
    QCOMPARE(
        acquire(QStringLiteral("CR1"), QStringLiteral("bot-c")).error().code, QString(CoordinationError::AccountBusy));
}

void TestTradeLockScope::lostAccountLeaseInvalidatesScope()
{
    QSignalSpy lost(m_keeper.get(), &LeaseKeeper::leaseLost);
    auto scope = acquire(QStringLiteral("CR1"), QStringLiteral("bot-a"));
    QVERIFY(scope.ok());
    m_backend->removeKey(LockKey::account(QStringLiteral("CR1")));
    m_clock->advance(10'000);
    m_keeper->renewDueLeases();
    QCOMPARE(lost.count(), 1);
    QVERIFY(!scope.value()->isValid());
    QVERIFY(m_keeper->isValid(scope.value()->botLease())); // the bot lease itself is fine
}

void TestTradeLockScope::scopeMayOutliveItsKeeper()
{
    auto scope = acquire(QStringLiteral("CR1"), QStringLiteral("bot-a"));
    QVERIFY(scope.ok());
    auto s = scope.value();
    m_keeper.reset(); // releases everything
    QVERIFY(isFree(*m_other, LockKey::account(QStringLiteral("CR1"))));
    QVERIFY(!s->isValid());
    s.reset();
    scope = Error(); // destroying the scope now must be harmless
}

QTEST_GUILESS_MAIN(TestTradeLockScope)
#include "tst_tradelockscope.moc"
