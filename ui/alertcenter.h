// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QObject>
#include <QPointer>

namespace Vigil {

class AlertBanner;
class TrayController;
struct EngineEvent;

// Routes the alerts among the engine's events (EngineEvent::isAlert: a limit hit, a breaker opening, a
// token revoked, a reconciliation discrepancy, an emergency stop finished, a connection down, a lost lock,
// an unknown outcome, any error) to the tray's notifications, or, where there is no tray, to the in-app
// banner. Neither is owned. GUI thread only.
class AlertCenter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertCenter)

public:
    explicit AlertCenter(AlertBanner *banner, QObject *parent = nullptr);
    ~AlertCenter() override;

    // nullptr = no tray: the banner is used.
    void setTray(TrayController *tray);
    bool usesTray() const { return !m_tray.isNull(); }
    // Takes a batch of events; raises those that are alerts. Returns how many were raised.
    int post(const QList<Vigil::EngineEvent> &events);
    int raisedCount() const { return m_raised; }

Q_SIGNALS:
    void alertRaised(const Vigil::EngineEvent &event);

private:
    QPointer<AlertBanner> m_banner;
    QPointer<TrayController> m_tray;
    int m_raised = 0;
};

} // namespace Vigil
