// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>

#include "ui/overallstate.h"

class QAction;
class QMenu;
class QSystemTrayIcon;

namespace Vigil {

// The system-tray icon: shows the overall state (trading / halted / error) and carries a menu with the
// emergency stop. Only created where QSystemTrayIcon::isSystemTrayAvailable(); elsewhere the console
// shows its alerts in the in-app banner instead. GUI thread only; the actions are not owned.
class TrayController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayController)

public:
    TrayController(QAction *showWindow, QAction *emergencyStop, QAction *rearm, QAction *quit, QObject *parent = nullptr);
    ~TrayController() override;

    static bool isAvailable();
    void setState(OverallState state, const QString &tooltip);
    OverallState state() const { return m_state; }
    // A desktop notification; level as EngineEvent::Level.
    void notify(const QString &title, const QString &message, int level);

Q_SIGNALS:
    void activated();

private:
    QSystemTrayIcon *m_icon;
    QMenu *m_menu;
    OverallState m_state = OverallState::Idle;
};

} // namespace Vigil
