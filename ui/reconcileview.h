// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableView;

namespace Vigil {

class DiscrepancyModel;
class ReconcileReportModel;

// The reconciliation runs and, for the selected one, each discrepancy with the row before and after and
// the action taken; "Reconcile now" with a busy indicator while any account is reconciling.
// GUI thread only.
class ReconcileView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ReconcileView)

public:
    // The report model is not owned.
    explicit ReconcileView(ReconcileReportModel *reports, QWidget *parent = nullptr);
    ~ReconcileView() override;

    void setReconciling(bool reconciling);
    bool isReconciling() const { return m_reconciling; }
    DiscrepancyModel *discrepancies() const { return m_discrepancies; }
    QTableView *reportView() const { return m_reportView; }
    QPushButton *reconcileButton() const { return m_now; }
    QString lastRunText() const;

Q_SIGNALS:
    void reconcileNowRequested();

private:
    void showReport();

    ReconcileReportModel *m_reports;
    DiscrepancyModel *m_discrepancies;
    QPushButton *m_now;
    QProgressBar *m_busy;
    QLabel *m_state;
    QTableView *m_reportView;
    QTableView *m_discrepancyView;
    bool m_reconciling = false;
};

} // namespace Vigil
