// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include <QAbstractTableModel>

namespace Vigil {

class AccountLabels;
struct EngineEvent;

// The user-facing event log: EngineEvents, oldest first, at most `capacity` (the oldest drop out).
// Appends come in batches (ConsoleFeed::eventsArrived): one insertion per batch. GUI thread only.
class EventLogModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventLogModel)

public:
    enum Column { TimeColumn, LevelColumn, KindColumn, AccountColumn, BotColumn, MessageColumn, ColumnCount };
    enum Role {
        LevelRole = Qt::UserRole + 1, // int(EngineEvent::Level)
        KindRole,                     // int(EngineEvent::Kind)
        SearchTextRole,               // everything the search box matches against, lower case
        DetailsRole,                  // the event as indented JSON (full context)
    };

    explicit EventLogModel(int capacity = 10000, QObject *parent = nullptr);
    ~EventLogModel() override;

    void append(const QList<Vigil::EngineEvent> &events);
    void clear();
    // An event carries whichever id the engine knew when it happened; the column shows the console's name.
    void setAccountLabels(const AccountLabels &labels);
    QString accountLabel(const QString &account) const;
    const EngineEvent &event(int row) const;
    int capacity() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Vigil
