// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QWidget>

#include "engine/accountsnapshot.h"

class QHBoxLayout;
class QLabel;
class QTimer;

namespace Vigil {

// Status-bar widget: one entry per account, "connected / reconnecting N s / down N s", counting the
// seconds live between snapshots. GUI thread only.
class ConnectionStatus final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionStatus)

public:
    explicit ConnectionStatus(QWidget *parent = nullptr);
    ~ConnectionStatus() override;

    void setAccounts(const QList<Vigil::AccountSnapshot> &accounts);
    // The text of every entry, " · " separated (tests, accessibility).
    QString text() const;

private:
    void refresh();

    QHBoxLayout *m_layout;
    QList<AccountSnapshot> m_accounts;
    QList<QLabel *> m_labels;
    QTimer *m_timer;
};

} // namespace Vigil
