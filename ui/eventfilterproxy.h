// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QSortFilterProxyModel>

namespace Vigil {

// Filters an EventLogModel by minimum level and a case-insensitive search over message, account, bot and
// event kind. GUI thread only.
class EventFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventFilterProxy)

public:
    explicit EventFilterProxy(QObject *parent = nullptr);

    // int(EngineEvent::Level): events below it are hidden.
    void setMinimumLevel(int level);
    int minimumLevel() const { return m_minimumLevel; }
    void setSearchText(const QString &text);
    QString searchText() const { return m_search; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    int m_minimumLevel = 0;
    QString m_search;
};

} // namespace Vigil
