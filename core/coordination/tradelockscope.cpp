// SPDX-License-Identifier: GPL-3.0-or-later
#include "tradelockscope.h"

#include "coordination/leasetable.h"

namespace Vigil {

TradeLockScope::TradeLockScope(std::shared_ptr<LeaseTable> table, QString account, QString bot, Lease accountLease,
    Lease botLease, quint64 claimId)
    : m_table(std::move(table))
    , m_account(std::move(account))
    , m_bot(std::move(bot))
    , m_accountLease(std::move(accountLease))
    , m_botLease(std::move(botLease))
    , m_claimId(claimId)
{
}

TradeLockScope::~TradeLockScope()
{
    release();
}

bool TradeLockScope::isValid() const
{
    return !m_released.load() && m_table->isValid(m_accountLease) && m_table->isValid(m_botLease);
}

void TradeLockScope::release()
{
    if (m_released.exchange(true))
        return;
    // Bot lock first, account lock last: the reverse of the acquisition order.
    m_table->requestRelease({ m_botLease, m_accountLease }, m_account, m_claimId);
}

} // namespace Vigil
