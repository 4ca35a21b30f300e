// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

class QLabel;
class QTabWidget;
class QTableWidget;

namespace Vigil {

struct EmergencyStopReport;

// The report of an emergency stop: what was sold, what could not be sold and when it expires, what failed,
// whether the server confirmed the accounts flat, and that trading stays halted until re-armed.
// Non-modal: it never stands between the trader and the rest of the console. GUI thread only.
class EmergencyStopDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EmergencyStopDialog)

public:
    explicit EmergencyStopDialog(QWidget *parent = nullptr);
    ~EmergencyStopDialog() override;

    void setReport(const Vigil::EmergencyStopReport &report);
    int soldCount() const;
    int unsellableCount() const;
    QString headline() const;

Q_SIGNALS:
    void rearmRequested();

private:
    QLabel *m_headline;
    QLabel *m_timing;
    QLabel *m_summary;
    QTabWidget *m_tabs = nullptr;
    QTableWidget *m_sold;
    QTableWidget *m_unsellable;
    QTableWidget *m_failed;
};

} // namespace Vigil
