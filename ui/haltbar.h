// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFrame>
#include <QList>

class QLabel;
class QPushButton;

namespace Vigil {

// Says that trading is halted, why, and that nothing is bought until the user re-arms; offers the Re-arm
// and the last emergency-stop report. Hidden while every gate is open. GUI thread only.
class HaltBar final : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HaltBar)

public:
    struct HaltedAccount
    {
        QString accountId;
        QString label;
        QString reason;
    };

    explicit HaltBar(QWidget *parent = nullptr);
    ~HaltBar() override;

    // stopRunning: an emergency stop was triggered and its report has not come back yet.
    void setState(bool globalHalted, const QString &globalReason, const QList<HaltedAccount> &accounts, bool stopRunning);
    void setReportAvailable(bool available);
    QString text() const;

Q_SIGNALS:
    // Empty = every account and the global gate.
    void rearmRequested(const QString &accountId);
    void reportRequested();

private:
    QLabel *m_text;
    QPushButton *m_rearm;
    QPushButton *m_report;
    QString m_rearmAccount;
};

} // namespace Vigil
