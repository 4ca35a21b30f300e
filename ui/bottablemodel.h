// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include <QAbstractTableModel>

namespace Vigil {

struct AccountSnapshot;
struct BotSnapshot;

// Every bot of every account, one row each, fed by AccountSnapshot batches (ConsoleFeed). Rows keep the
// order in which bots first appeared; an update changes values in place (one dataChanged per contiguous
// range of changed rows), new bots are inserted, bots gone from their account's snapshot are removed.
// The model is never reset by an update. GUI thread only.
class BotTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BotTableModel)

public:
    // The figures a trader watches come before the long strategy description.
    enum Column { AccountColumn, BotColumn, StateColumn, SymbolColumn, StakeColumn, OpenColumn, TradesColumn,
                  PnlColumn, StrategyColumn, LastErrorColumn, ColumnCount };
    enum Role {
        BotIdRole = Qt::UserRole + 1, // QString: the configured bot id
        AccountIdRole,                // QString: the configured account id
        StateRole,                    // int(BotState)
        HaltReasonRole,               // int(HaltReason)
        SortRole,                     // a value that sorts naturally (numbers as numbers)
    };

    explicit BotTableModel(QObject *parent = nullptr);
    ~BotTableModel() override;

    void applySnapshots(const QList<Vigil::AccountSnapshot> &snapshots);

    int rowOf(const QString &botId) const;
    // The bot's latest snapshot; row must be valid.
    const BotSnapshot &bot(int row) const;
    QString currency(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Vigil
