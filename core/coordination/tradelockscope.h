// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <memory>

#include <QString>

#include "coordination/lease.h"

namespace Vigil {

class LeaseTable;

// The right of one bot to trade one account: the in-process claim, the account lease and the bot lease,
// taken in that order by LeaseKeeper::acquireTradeLocks() and released together: by release() (success,
// error, emergency-stop paths) or, whatever happened, when the last shared_ptr to it goes away.
// Releasing never blocks: the leases turn invalid at once and the backend release runs on the coordination
// thread. Thread-safe; safe to outlive the LeaseKeeper (then releasing does nothing: the keeper released all).
class TradeLockScope final
{
public:
    ~TradeLockScope();
    Q_DISABLE_COPY_MOVE(TradeLockScope)

    const QString &account() const { return m_account; }
    const QString &bot() const { return m_bot; }
    const Lease &accountLease() const { return m_accountLease; }
    const Lease &botLease() const { return m_botLease; }
    // The account lease's fencing token: write it with the journal row of every trade made under this scope.
    qint64 fence() const { return m_accountLease.fence; }

    // Both leases still held and valid (see LeaseKeeper::isValid). Check right before each buy.
    bool isValid() const;
    // Idempotent; any thread.
    void release();
    bool isReleased() const { return m_released.load(); }

private:
    friend class LeaseKeeper;
    TradeLockScope(std::shared_ptr<LeaseTable> table, QString account, QString bot, Lease accountLease, Lease botLease,
        quint64 claimId);

    std::shared_ptr<LeaseTable> m_table;
    QString m_account;
    QString m_bot;
    Lease m_accountLease;
    Lease m_botLease;
    quint64 m_claimId;
    std::atomic<bool> m_released { false };
};

} // namespace Vigil
