// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include <QAbstractTableModel>

namespace Vigil {

struct Discrepancy;

// The discrepancies of one reconciliation report: what differed, the row before and after, the action.
// GUI thread only.
class DiscrepancyModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DiscrepancyModel)

public:
    enum Column { KindColumn, ContractColumn, LocalIdColumn, ActionColumn, BeforeColumn, AfterColumn, ColumnCount };

    explicit DiscrepancyModel(QObject *parent = nullptr);
    ~DiscrepancyModel() override;

    // Replaces the list (a different report was selected): a model reset is right here.
    void setDiscrepancies(const QList<Vigil::Discrepancy> &discrepancies);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Vigil
