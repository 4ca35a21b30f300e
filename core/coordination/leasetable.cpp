// SPDX-License-Identifier: GPL-3.0-or-later
#include "leasetable.h"

#include <algorithm>

#include "coordination/coordinationerror.h"
#include "coordination/leasekeeper.h"

namespace Vigil {

LeaseTable::LeaseTable(const Clock &clock, qint64 driftMarginMs, qint64 clockSkewThresholdMs)
    : m_clock(clock)
    , m_marginMs(driftMarginMs)
    , m_skewMs(clockSkewThresholdMs)
{
}

qint64 LeaseTable::marginFor(qint64 ttlMs) const
{
    if (m_marginMs > 0)
        return m_marginMs;
    return std::clamp<qint64>(ttlMs / 10, 50, 2000);
}

bool LeaseTable::isValid(const Lease &lease) const
{
    if (lease.isNull())
        return false;
    const qint64 mono = m_clock.monotonicMs();
    const qint64 wallOffset = m_clock.nowMs() - mono;
    std::lock_guard lock(m_mutex);
    auto it = m_records.constFind(lease.key);
    if (it == m_records.cend())
        return false;
    const Record &r = *it;
    if (r.lease.token != lease.token || r.released || r.mustReverify)
        return false;
    if (mono >= r.renewedAtMono + r.lease.ttlMs - marginFor(r.lease.ttlMs))
        return false;
    // Checked here too, not only on the keeper's timer: after a resume the trading thread may ask before the
    // keeper has run, and the backend's ttl may have run out while the monotonic clock stood still.
    return std::abs(wallOffset - r.wallOffsetAtRenew) <= m_skewMs;
}

QList<LeaseTable::Record> LeaseTable::records() const
{
    std::lock_guard lock(m_mutex);
    return m_records.values();
}

void LeaseTable::requestRelease(const QList<Lease> &leases, const QString &account, quint64 claimId)
{
    std::lock_guard lock(m_mutex);
    for (const Lease &l : leases) {
        auto it = m_records.find(l.key);
        if (it != m_records.end() && it->lease.token == l.token)
            it->released = true;
    }
    // Posting under the mutex: ~LeaseKeeper detaches under it first, so the keeper cannot go away meanwhile.
    if (m_keeper) {
        LeaseKeeper *keeper = m_keeper;
        QMetaObject::invokeMethod(
            keeper, [keeper, leases, account, claimId] { keeper->finishRelease(leases, account, claimId); },
            Qt::QueuedConnection);
    } else if (auto c = m_claims.find(account); c != m_claims.end() && c->id == claimId) {
        m_claims.erase(c);
    }
}

void LeaseTable::requestReleaseAll(const QString &reason)
{
    std::lock_guard lock(m_mutex);
    for (Record &r : m_records)
        r.released = true;
    if (m_keeper) {
        LeaseKeeper *keeper = m_keeper;
        QMetaObject::invokeMethod(
            keeper, [keeper, reason] { keeper->finishReleaseAll(reason); }, Qt::QueuedConnection);
    }
}

void LeaseTable::attach(LeaseKeeper *keeper)
{
    std::lock_guard lock(m_mutex);
    m_keeper = keeper;
}

void LeaseTable::detach()
{
    std::lock_guard lock(m_mutex);
    m_keeper = nullptr;
}

void LeaseTable::insert(const Lease &lease)
{
    const qint64 wallOffset = m_clock.nowMs() - m_clock.monotonicMs();
    std::lock_guard lock(m_mutex);
    m_records.insert(lease.key, Record { lease, lease.acquiredMonotonicMs, wallOffset, false, false });
}

void LeaseTable::markRenewed(const Lease &lease, qint64 requestStartedMono)
{
    const qint64 wallOffset = m_clock.nowMs() - m_clock.monotonicMs();
    std::lock_guard lock(m_mutex);
    auto it = m_records.find(lease.key);
    if (it == m_records.end() || it->lease.token != lease.token)
        return;
    it->renewedAtMono = requestStartedMono;
    it->wallOffsetAtRenew = wallOffset;
    it->mustReverify = false;
}

void LeaseTable::markMustReverify(const QString &key)
{
    std::lock_guard lock(m_mutex);
    auto it = m_records.find(key);
    if (it != m_records.end())
        it->mustReverify = true;
}

void LeaseTable::markAllMustReverify()
{
    std::lock_guard lock(m_mutex);
    for (Record &r : m_records)
        r.mustReverify = true;
}

bool LeaseTable::remove(const Lease &lease)
{
    std::lock_guard lock(m_mutex);
    auto it = m_records.find(lease.key);
    if (it == m_records.end() || it->lease.token != lease.token)
        return false;
    m_records.erase(it);
    return true;
}

Result<quint64> LeaseTable::claim(const QString &account, const QString &bot)
{
    std::lock_guard lock(m_mutex);
    auto it = m_claims.constFind(account);
    if (it != m_claims.cend()) {
        Error e = Error::make(ErrorKind::Coordination, CoordinationError::AccountBusy,
            QStringLiteral("account %1 is being traded by bot %2 in this instance").arg(account, it->bot));
        e.details.insert(QStringLiteral("holder_bot"), it->bot);
        return e;
    }
    const quint64 id = m_nextClaimId++;
    m_claims.insert(account, Claim { bot, id });
    return id;
}

void LeaseTable::unclaim(const QString &account, quint64 claimId)
{
    std::lock_guard lock(m_mutex);
    auto it = m_claims.find(account);
    if (it != m_claims.end() && it->id == claimId)
        m_claims.erase(it);
}

void LeaseTable::clearClaims()
{
    std::lock_guard lock(m_mutex);
    m_claims.clear();
}

QString LeaseTable::claimHolder(const QString &account) const
{
    std::lock_guard lock(m_mutex);
    return m_claims.value(account).bot;
}

} // namespace Vigil
