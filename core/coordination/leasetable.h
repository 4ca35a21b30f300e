// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <mutex>

#include <QHash>
#include <QList>
#include <QPointer>
#include <QString>

#include "coordination/lease.h"
#include "health/clock.h"
#include "health/result.h"

namespace Vigil {

class LeaseKeeper;

// Internal to LeaseKeeper and TradeLockScope: the leases this process holds and the in-process arbiter
// (which bot holds which account's trading right), behind one mutex so that isValid() can be called from
// any thread while the coordination thread renews. Shared (std::shared_ptr) so a TradeLockScope can outlive
// its keeper safely: once the keeper is gone, releasing a scope does nothing (the keeper released everything).
class LeaseTable
{
public:
    struct Record
    {
        Lease lease;
        qint64 renewedAtMono = 0; // monotonic time BEFORE the last successful acquire/renew request left
        qint64 wallOffsetAtRenew = 0; // wall − monotonic at that moment: a change means a clock jump or a sleep
        bool mustReverify = false;
        bool released = false; // release requested: invalid at once, backend release pending
    };

    LeaseTable(const Clock &clock, qint64 driftMarginMs, qint64 clockSkewThresholdMs);

    const Clock &clock() const { return m_clock; }
    qint64 clockSkewThresholdMs() const { return m_skewMs; }
    qint64 marginFor(qint64 ttlMs) const;

    // Any thread.
    bool isValid(const Lease &lease) const;
    QList<Record> records() const;
    // Marks the leases released at once and asks the keeper (if any) to release them in the backend and to
    // drop the account claim. Idempotent.
    void requestRelease(const QList<Lease> &leases, const QString &account, quint64 claimId);
    void requestReleaseAll(const QString &reason);

    // Keeper thread.
    void attach(LeaseKeeper *keeper);
    void detach();
    void insert(const Lease &lease);
    void markRenewed(const Lease &lease, qint64 requestStartedMono);
    void markMustReverify(const QString &key);
    void markAllMustReverify();
    // Removes the record if it still belongs to this lease's token. Returns whether it did.
    bool remove(const Lease &lease);

    // In-process arbiter: one bot per account at a time. claim() fails with AccountBusy naming the holder.
    Result<quint64> claim(const QString &account, const QString &bot);
    void unclaim(const QString &account, quint64 claimId);
    void clearClaims();
    QString claimHolder(const QString &account) const;

private:
    struct Claim
    {
        QString bot;
        quint64 id = 0;
    };

    const Clock &m_clock;
    const qint64 m_marginMs;
    const qint64 m_skewMs;
    mutable std::mutex m_mutex;
    QHash<QString, Record> m_records;
    QHash<QString, Claim> m_claims;
    quint64 m_nextClaimId = 1;
    LeaseKeeper *m_keeper = nullptr;
};

} // namespace Vigil
