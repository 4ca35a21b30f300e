// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include <QAbstractTableModel>

namespace Vigil {

struct AccountSnapshot;

// One row per account: connection, balance, gate, breaker, reconciliation, open contracts, last error.
// Fed by AccountSnapshot batches; rows appear in first-seen order, values change in place (one dataChanged
// per contiguous range), never a reset. GUI thread only.
class AccountTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccountTableModel)

public:
    enum Column { AccountColumn, TypeColumn, ConnectionColumn, BalanceColumn, GateColumn, BreakerColumn,
                  OpenColumn, ReconcileColumn, LastErrorColumn, ColumnCount };
    enum Role { AccountIdRole = Qt::UserRole + 1, LoginIdRole, GateRole };

    explicit AccountTableModel(QObject *parent = nullptr);
    ~AccountTableModel() override;

    void applySnapshots(const QList<Vigil::AccountSnapshot> &snapshots);
    // Drops the row of an account the engine no longer runs, if there is one.
    void removeAccount(const QString &accountId);
    int rowOf(const QString &accountId) const;
    const AccountSnapshot &account(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QString text(const AccountSnapshot &a, int column) const;

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Vigil
