// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include <QList>
#include <QObject>

#include "coordination/coordinationstatus.h"
#include "coordination/lease.h"
#include "coordination/lockbackend.h"
#include "health/clock.h"
#include "health/result.h"

class QTimer;

namespace Vigil {

class LeaseTable;
class TradeLockScope;

struct LeaseKeeperOptions
{
    // A lease counts as valid until acquired/renewed + ttl − margin (monotonic). 0 = ttl/10 within [50, 2000] ms.
    qint64 driftMarginMs = 0;
    // A change of (wall − monotonic) beyond this means the wall clock jumped or the machine slept: every lease
    // must be re-verified with the backend before it is valid again.
    qint64 clockSkewThresholdMs = 2000;
    // While the backend is down, how often to ping it to notice it is back.
    int probeIntervalMs = 1000;
};

// Holds this process's leases and keeps them alive: the one place that answers "may this account buy now?".
//
// Lives on the dedicated coordination thread (create without parent, moveToThread, connect QThread::started to
// start(), finished to deleteLater). It owns the backend and makes every backend call there, so a slow or dead
// backend never blocks the GUI or a trading thread, and a busy trading thread cannot starve renewals.
//
// - Renews every lease each ttl/3 on its own timer. A renewal that is refused or fails loses the lease AT ONCE:
//   isValid() turns false and leaseLost() is emitted; the lease is never silently re-acquired.
// - isValid() is the check right before every buy; thread-safe and cheap (a mutex and a hash lookup).
// - Clock jumps and sleeps: when wall and monotonic time drift apart beyond clockSkewThresholdMs, or the
//   monotonic gap since a lease's last renewal exceeds its ttl, the lease is invalid until the backend confirms
//   the token still holds the key (GET == token) and the lease has been renewed.
// - Status: an Unavailable error from the backend turns status() down (statusChanged); the keeper then pings the
//   backend every probeIntervalMs, and the first success turns it up and emits coordinationRestored() so halted
//   bots may re-acquire. Nothing is re-acquired automatically.
// - In-process arbiter: acquireTradeLocks() lets one bot per account hold the account's trading right.
//
// Destroy it on its own thread (deleteLater after the thread's finished); it releases every lease it holds.
class LeaseKeeper final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LeaseKeeper)

public:
    template <typename T> using Callback = std::function<void(Result<T>)>;

    explicit LeaseKeeper(
        std::unique_ptr<LockBackend> backend, const Clock &clock = Clock::system(), LeaseKeeperOptions options = {});
    ~LeaseKeeper() override;

    // ---- Any thread. Callbacks run on `context`'s thread, queued, never inside the call. If `context` is
    // destroyed before the result arrives, a lease that was acquired for it is released, never orphaned.
    void acquire(const QString &key, qint64 ttlMs, QObject *context, Callback<Lease> done);
    // Claims the account for `bot` in this process (AccountBusy if another bot has it), then takes the account
    // lock, then the bot lock. On any failure everything taken so far is released before `done` runs.
    void acquireTradeLocks(const QString &account, const QString &bot, qint64 ttlMs, QObject *context,
        Callback<std::shared_ptr<TradeLockScope>> done);
    void queryHolder(const QString &key, QObject *context, Callback<std::optional<HolderInfo>> done);
    // Invalid at once; the backend release follows on the coordination thread.
    void release(const Lease &lease);
    // Emergency stop: every lease invalid at once, all released, in-process claims dropped.
    void releaseAll(const QString &reason);
    bool isValid(const Lease &lease) const;
    CoordinationStatus status() const;
    QList<Lease> heldLeases() const;
    CoordinationBackendKind backendKind() const { return m_backendKind; }

    // ---- The keeper's thread only (and tests running it on the test thread).
    Result<Lease> acquireNow(const QString &key, qint64 ttlMs);
    Result<void> releaseNow(const Lease &lease);
    Result<std::optional<HolderInfo>> holderInfoNow(const QString &key);

public Q_SLOTS:
    // Creates the timers. Call on the keeper's thread (QThread::started).
    void start();
    // Renewal/clock check pass; the timer calls it every min(ttl)/6. Tests with a FakeClock call it directly.
    void renewDueLeases();
    // While down: ping the backend; up again on success. The probe timer calls it.
    void probeBackend();

Q_SIGNALS:
    // Emitted on the keeper's thread the moment a lease stops being ours or stops being renewable
    // (reason.code LeaseLost; reason.details.cause holds the backend error). Halt the account's gate.
    void leaseLost(const QString &key, const Vigil::Error &reason);
    void statusChanged(const Vigil::CoordinationStatus &status);
    // The backend answers again after being down: halted bots may try to acquire again.
    void coordinationRestored();

private:
    friend class LeaseTable;

    template <typename T>
    void runAsync(QObject *context, Callback<T> done, std::function<Result<T>()> work,
        std::function<void(const T &)> onUndelivered);
    void noteResult(const Error *error);
    void renewOne(const Lease &lease);
    void reverifyOne(const Lease &lease);
    void lose(const Lease &lease, const Error &cause);
    void updateRenewInterval();
    void finishRelease(const QList<Lease> &leases, const QString &account, quint64 claimId);
    void finishReleaseAll(const QString &reason);
    void releaseEverything();

    std::unique_ptr<LockBackend> m_backend;
    const CoordinationBackendKind m_backendKind;
    const Clock &m_clock;
    const LeaseKeeperOptions m_options;
    std::shared_ptr<LeaseTable> m_table;
    QTimer *m_renewTimer = nullptr;
    QTimer *m_probeTimer = nullptr;
    qint64 m_lastWallOffset = 0;

    mutable std::mutex m_statusMutex;
    CoordinationStatus m_status;
};

} // namespace Vigil
