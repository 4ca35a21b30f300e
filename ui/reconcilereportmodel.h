// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include <QAbstractTableModel>

namespace Vigil {

class AccountLabels;
struct ReconcileReport;

// The reconciliation runs this session (Engine::reconcileFinished), newest last, at most `capacity`.
// GUI thread only.
class ReconcileReportModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReconcileReportModel)

public:
    enum Column { FinishedColumn, AccountColumn, TriggerColumn, DurationColumn, ResultColumn, AdoptedColumn,
                  FailedColumn, SettledColumn, StaleColumn, OrphansColumn, MismatchesColumn, ColumnCount };

    explicit ReconcileReportModel(int capacity = 500, QObject *parent = nullptr);
    ~ReconcileReportModel() override;

    void append(const Vigil::ReconcileReport &report);
    // Reports carry the login id; the account column shows the console's name for it.
    void setAccountLabels(const AccountLabels &labels);
    QString accountLabel(const QString &account) const;
    const ReconcileReport &report(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace Vigil
