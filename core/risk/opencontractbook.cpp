// SPDX-License-Identifier: GPL-3.0-or-later
#include "opencontractbook.h"

#include <QStringList>

namespace Vigil {

void OpenContractBook::add(const QString &account, qint64 contractId)
{
    QMutexLocker lock(&m_mutex);
    QList<qint64> &list = m_open[account];
    if (!list.contains(contractId))
        list.append(contractId);
}

void OpenContractBook::remove(const QString &account, qint64 contractId)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_open.find(account);
    if (it == m_open.end())
        return;
    it->removeAll(contractId);
    if (it->isEmpty())
        m_open.erase(it);
}

QList<qint64> OpenContractBook::contracts(const QString &account) const
{
    QMutexLocker lock(&m_mutex);
    return m_open.value(account);
}

QStringList OpenContractBook::accounts() const
{
    QMutexLocker lock(&m_mutex);
    return m_open.keys();
}

void OpenContractBook::beginBuy(const QString &account)
{
    QMutexLocker lock(&m_mutex);
    ++m_buying[account];
}

void OpenContractBook::endBuy(const QString &account)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_buying.find(account);
    if (it == m_buying.end())
        return;
    if (--it.value() <= 0)
        m_buying.erase(it);
}

int OpenContractBook::buysInFlight(const QString &account) const
{
    QMutexLocker lock(&m_mutex);
    return m_buying.value(account);
}

int OpenContractBook::count() const
{
    QMutexLocker lock(&m_mutex);
    int n = 0;
    for (const QList<qint64> &l : m_open)
        n += int(l.size());
    return n;
}

} // namespace Vigil
