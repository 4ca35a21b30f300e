// SPDX-License-Identifier: GPL-3.0-or-later
#include "leasekeeper.h"

#include <algorithm>
#include <atomic>

#include <QDateTime>
#include <QThread>
#include <QTimer>

#include "coordination/coordinationerror.h"
#include "coordination/leasetable.h"
#include "coordination/lockkey.h"
#include "coordination/tradelockscope.h"
#include "health/logcategories.h"

namespace Vigil {

namespace {

// Carries one async result to the caller's context through a queued signal. Unlike invokeMethod(context, ...),
// a queued connection is safe against the context being destroyed concurrently on its own thread: Qt drops the
// call, and dropping it destroys the slot functor, which is what releases an undelivered lease (see Pending).
class CoordinationRelay final : public QObject
{
    Q_OBJECT
public:
    CoordinationRelay() = default;
Q_SIGNALS:
    void finished();
};

template <typename T> struct Pending
{
    std::optional<Result<T>> result;
    std::atomic<bool> delivered { false };
    std::function<void(const T &)> onUndelivered;

    Pending() = default;
    Q_DISABLE_COPY_MOVE(Pending)
    ~Pending()
    {
        if (!delivered.load() && result && result->ok() && onUndelivered)
            onUndelivered(result->value());
    }
};

void assertKeeperThread(const QObject *keeper)
{
    Q_ASSERT_X(QThread::currentThread() == keeper->thread(), "LeaseKeeper", "called off the coordination thread");
    Q_UNUSED(keeper);
}

} // namespace

LeaseKeeper::LeaseKeeper(std::unique_ptr<LockBackend> backend, const Clock &clock, LeaseKeeperOptions options)
    : m_backend(std::move(backend))
    , m_backendKind(m_backend->kind())
    , m_clock(clock)
    , m_options(options)
    , m_table(std::make_shared<LeaseTable>(clock, options.driftMarginMs, options.clockSkewThresholdMs))
    , m_lastWallOffset(clock.nowMs() - clock.monotonicMs())
{
    Q_ASSERT(m_backend);
    m_status.backend = m_backendKind;
    m_status.up = true;
    m_status.changedAtMs = clock.nowMs();
    m_table->attach(this);
}

LeaseKeeper::~LeaseKeeper()
{
    m_table->detach();
    releaseEverything();
    m_table->clearClaims();
}

template <typename T>
void LeaseKeeper::runAsync(
    QObject *context, Callback<T> done, std::function<Result<T>()> work, std::function<void(const T &)> onUndelivered)
{
    Q_ASSERT(context);
    auto pending = std::make_shared<Pending<T>>();
    pending->onUndelivered = std::move(onUndelivered);
    // Never receives events, so it may be deleted on whichever thread drops it last.
    auto relay = std::make_shared<CoordinationRelay>();
    connect(
        relay.get(), &CoordinationRelay::finished, context,
        [pending, done = std::move(done)] {
            pending->delivered.store(true);
            done(std::move(*pending->result));
        },
        Qt::QueuedConnection);
    QMetaObject::invokeMethod(
        this,
        [relay, pending, work = std::move(work)] {
            pending->result.emplace(work());
            Q_EMIT relay->finished();
        },
        Qt::QueuedConnection);
}

void LeaseKeeper::acquire(const QString &key, qint64 ttlMs, QObject *context, Callback<Lease> done)
{
    std::weak_ptr<LeaseTable> table = m_table;
    runAsync<Lease>(
        context, std::move(done), [this, key, ttlMs] { return acquireNow(key, ttlMs); },
        [table](const Lease &lease) {
            if (auto t = table.lock())
                t->requestRelease({ lease }, {}, 0);
        });
}

void LeaseKeeper::acquireTradeLocks(const QString &account, const QString &bot, qint64 ttlMs, QObject *context,
    Callback<std::shared_ptr<TradeLockScope>> done)
{
    runAsync<std::shared_ptr<TradeLockScope>>(context, std::move(done),
        [this, account, bot, ttlMs]() -> Result<std::shared_ptr<TradeLockScope>> {
            auto tag = [&](Error e) {
                e.account = account;
                e.bot = bot;
                return e;
            };
            auto claim = m_table->claim(account, bot);
            if (!claim)
                return tag(claim.error());
            auto accountLease = acquireNow(LockKey::account(account), ttlMs);
            if (!accountLease) {
                m_table->unclaim(account, claim.value());
                return tag(accountLease.error());
            }
            auto botLease = acquireNow(LockKey::bot(bot), ttlMs);
            if (!botLease) {
                (void)releaseNow(accountLease.value());
                m_table->unclaim(account, claim.value());
                return tag(botLease.error());
            }
            // An undelivered scope needs no extra handling: dropping the last shared_ptr releases it.
            return std::shared_ptr<TradeLockScope>(
                new TradeLockScope(m_table, account, bot, accountLease.value(), botLease.value(), claim.value()));
        },
        {});
}

void LeaseKeeper::queryHolder(const QString &key, QObject *context, Callback<std::optional<HolderInfo>> done)
{
    runAsync<std::optional<HolderInfo>>(context, std::move(done), [this, key] { return holderInfoNow(key); }, {});
}

void LeaseKeeper::release(const Lease &lease)
{
    m_table->requestRelease({ lease }, {}, 0);
}

void LeaseKeeper::releaseAll(const QString &reason)
{
    m_table->requestReleaseAll(reason);
}

bool LeaseKeeper::isValid(const Lease &lease) const
{
    return m_table->isValid(lease);
}

CoordinationStatus LeaseKeeper::status() const
{
    std::lock_guard lock(m_statusMutex);
    return m_status;
}

QList<Lease> LeaseKeeper::heldLeases() const
{
    QList<Lease> out;
    for (const LeaseTable::Record &r : m_table->records()) {
        if (!r.released)
            out.append(r.lease);
    }
    return out;
}

Result<Lease> LeaseKeeper::acquireNow(const QString &key, qint64 ttlMs)
{
    assertKeeperThread(this);
    auto r = m_backend->acquire(key, ttlMs);
    noteResult(r.ok() ? nullptr : &r.error());
    if (r) {
        m_table->insert(r.value());
        updateRenewInterval();
        qCDebug(lcCoordination) << "acquired" << key << "fence" << r->fence;
    }
    return r;
}

Result<void> LeaseKeeper::releaseNow(const Lease &lease)
{
    assertKeeperThread(this);
    m_table->remove(lease);
    auto r = m_backend->release(lease);
    noteResult(r.ok() ? nullptr : &r.error());
    updateRenewInterval();
    return r;
}

Result<std::optional<HolderInfo>> LeaseKeeper::holderInfoNow(const QString &key)
{
    assertKeeperThread(this);
    auto r = m_backend->holderInfo(key);
    noteResult(r.ok() ? nullptr : &r.error());
    return r;
}

void LeaseKeeper::start()
{
    assertKeeperThread(this);
    if (m_renewTimer)
        return;
    m_renewTimer = new QTimer(this);
    m_renewTimer->setTimerType(Qt::PreciseTimer);
    connect(m_renewTimer, &QTimer::timeout, this, &LeaseKeeper::renewDueLeases);
    m_probeTimer = new QTimer(this);
    m_probeTimer->setInterval(m_options.probeIntervalMs);
    connect(m_probeTimer, &QTimer::timeout, this, &LeaseKeeper::probeBackend);
    m_lastWallOffset = m_clock.nowMs() - m_clock.monotonicMs();
    updateRenewInterval();
    m_renewTimer->start();
    if (!status().up)
        m_probeTimer->start();
}

void LeaseKeeper::updateRenewInterval()
{
    if (!m_renewTimer)
        return;
    qint64 interval = 1000; // with no lease, still watch the clocks
    for (const LeaseTable::Record &r : m_table->records())
        interval = std::min(interval, r.lease.ttlMs / 6);
    interval = std::max<qint64>(interval, 10);
    if (m_renewTimer->interval() != interval)
        m_renewTimer->setInterval(static_cast<int>(interval));
}

void LeaseKeeper::renewDueLeases()
{
    assertKeeperThread(this);
    const qint64 mono = m_clock.monotonicMs();
    const qint64 wallOffset = m_clock.nowMs() - mono;
    const qint64 threshold = m_options.clockSkewThresholdMs;
    if (std::abs(wallOffset - m_lastWallOffset) > threshold) {
        qCWarning(lcCoordination) << "wall clock moved" << (wallOffset - m_lastWallOffset)
                                  << "ms against the monotonic clock (clock change or sleep): re-verifying leases";
        m_table->markAllMustReverify();
    }
    m_lastWallOffset = wallOffset;

    for (const LeaseTable::Record &r : m_table->records()) {
        if (r.released)
            continue;
        const qint64 sinceRenewal = mono - r.renewedAtMono;
        const bool skewed = std::abs(wallOffset - r.wallOffsetAtRenew) > threshold;
        if (r.mustReverify || skewed || sinceRenewal > r.lease.ttlMs)
            reverifyOne(r.lease);
        else if (sinceRenewal >= r.lease.ttlMs / 3)
            renewOne(r.lease);
    }
}

void LeaseKeeper::renewOne(const Lease &lease)
{
    const qint64 started = m_clock.monotonicMs();
    auto r = m_backend->renew(lease);
    noteResult(r.ok() ? nullptr : &r.error());
    if (r)
        m_table->markRenewed(lease, started);
    else
        lose(lease, r.error());
}

void LeaseKeeper::reverifyOne(const Lease &lease)
{
    m_table->markMustReverify(lease.key);
    auto still = m_backend->verify(lease);
    noteResult(still.ok() ? nullptr : &still.error());
    if (!still) {
        lose(lease, still.error());
        return;
    }
    if (!still.value()) {
        Error e = CoordinationError::notOwner(lease.key);
        e.message = QStringLiteral("after a clock jump or sleep the token no longer holds ") + lease.key;
        lose(lease, e);
        return;
    }
    qCInfo(lcCoordination) << "lease on" << lease.key << "re-verified after a clock jump or sleep";
    renewOne(lease);
}

void LeaseKeeper::lose(const Lease &lease, const Error &cause)
{
    if (!m_table->remove(lease))
        return; // released meanwhile
    Error reason = CoordinationError::leaseLost(lease.key, cause.message);
    reason.details.insert(QStringLiteral("cause"), cause.toJson());
    reason.account = LockKey::accountOf(lease.key);
    qCWarning(lcCoordination).noquote() << reason.toString();
    Q_EMIT leaseLost(lease.key, reason);
    // Compare-then-delete, so harmless if it is someone else's now; lets Redis forget it sooner when it is back.
    (void)m_backend->release(lease);
    updateRenewInterval();
}

void LeaseKeeper::noteResult(const Error *error)
{
    const bool down = error && CoordinationError::isUnavailable(*error);
    CoordinationStatus changed;
    {
        std::lock_guard lock(m_statusMutex);
        if (down)
            m_status.lastError = *error;
        if (m_status.up == !down)
            return;
        m_status.up = !down;
        m_status.changedAtMs = m_clock.nowMs();
        changed = m_status;
    }
    if (m_probeTimer) {
        if (down)
            m_probeTimer->start();
        else
            m_probeTimer->stop();
    }
    if (down)
        qCWarning(lcCoordination).noquote() << "coordination down:" << changed.describe();
    else
        qCInfo(lcCoordination).noquote() << "coordination up again:" << changed.describe();
    Q_EMIT statusChanged(changed);
    if (!down)
        Q_EMIT coordinationRestored();
}

void LeaseKeeper::probeBackend()
{
    assertKeeperThread(this);
    if (status().up) {
        if (m_probeTimer)
            m_probeTimer->stop();
        return;
    }
    auto r = m_backend->ping();
    noteResult(r.ok() ? nullptr : &r.error());
}

void LeaseKeeper::finishRelease(const QList<Lease> &leases, const QString &account, quint64 claimId)
{
    for (const Lease &lease : leases) {
        if (!m_table->remove(lease))
            continue; // lost or released already
        auto r = m_backend->release(lease);
        noteResult(r.ok() ? nullptr : &r.error());
        if (!r)
            qCWarning(lcCoordination).noquote() << "releasing" << lease.key << "failed:" << r.error().toString();
    }
    if (claimId != 0)
        m_table->unclaim(account, claimId);
    updateRenewInterval();
}

void LeaseKeeper::finishReleaseAll(const QString &reason)
{
    qCWarning(lcCoordination).noquote() << "releasing every lease:" << reason;
    releaseEverything();
    m_table->clearClaims();
    updateRenewInterval();
}

void LeaseKeeper::releaseEverything()
{
    for (const LeaseTable::Record &r : m_table->records()) {
        if (!m_table->remove(r.lease))
            continue;
        auto res = m_backend->release(r.lease);
        if (!res)
            qCWarning(lcCoordination).noquote() << "releasing" << r.lease.key << "failed:" << res.error().toString();
    }
}

} // namespace Vigil

#include "leasekeeper.moc"
