// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include <QAbstractTableModel>

namespace Vigil {

class AccountLabels;
struct Trade;

// Journal trades, one row each (open contracts and history alike: the view filters). Fed with whole
// query results (Engine::queryTrades); setTrades() keeps rows by journal id, so an unchanged row is not
// touched, a changed one gets one dataChanged, new ones are appended and vanished ones removed: the
// view keeps its selection and scroll position across refreshes. Amounts are shown from Money, never
// through a double. GUI thread only.
class TradeTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TradeTableModel)

public:
    enum Column { AccountColumn, BotColumn, ContractColumn, SymbolColumn, TypeColumn, StakeColumn, BuyPriceColumn,
                  PayoutColumn, StatusColumn, ProfitColumn, OpenedColumn, ClosedColumn, CloseReasonColumn,
                  ColumnCount };
    enum Role {
        LocalIdRole = Qt::UserRole + 1, // qint64: the journal's id
        StatusRole,                     // int(TradeStatus)
        AccountIdRole,                  // QString: the login id
        SortRole,                       // a value that sorts naturally (amounts and times as integers)
        SearchRole,                     // QString: the row's searchable text
    };

    explicit TradeTableModel(QObject *parent = nullptr);
    ~TradeTableModel() override;

    void setTrades(const QList<Vigil::Trade> &trades);
    // Trades carry the login id; the account column shows the console's name for it.
    void setAccountLabels(const AccountLabels &labels);
    QString accountLabel(const QString &account) const;
    const Trade &trade(int row) const; // row must be valid
    int rowOfLocalId(qint64 localId) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Vigil
