// SPDX-License-Identifier: GPL-3.0-or-later
#include "eventfilterproxy.h"

#include "ui/eventlogmodel.h"

namespace Vigil {

EventFilterProxy::EventFilterProxy(QObject *parent) : QSortFilterProxyModel(parent) {}

void EventFilterProxy::setMinimumLevel(int level)
{
    if (level == m_minimumLevel)
        return;
    m_minimumLevel = level;
    invalidateRowsFilter();
}

void EventFilterProxy::setSearchText(const QString &text)
{
    const QString lowered = text.trimmed().toLower();
    if (lowered == m_search)
        return;
    m_search = lowered;
    invalidateRowsFilter();
}

bool EventFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex idx = sourceModel()->index(sourceRow, 0, sourceParent);
    if (idx.data(EventLogModel::LevelRole).toInt() < m_minimumLevel)
        return false;
    if (m_search.isEmpty())
        return true;
    return idx.data(EventLogModel::SearchTextRole).toString().contains(m_search);
}

} // namespace Vigil
