// SPDX-License-Identifier: GPL-3.0-or-later
#include "traycontroller.h"

#include <QAction>
#include <QMenu>
#include <QSystemTrayIcon>

#include "engine/engineevent.h"
#include "ui/iconfactory.h"

namespace Vigil {

TrayController::TrayController(QAction *showWindow, QAction *emergencyStop, QAction *rearm, QAction *quit, QObject *parent)
    : QObject(parent), m_icon(new QSystemTrayIcon(this)), m_menu(new QMenu)
{
    m_menu->addAction(showWindow);
    m_menu->addSeparator();
    m_menu->addAction(emergencyStop);
    m_menu->addAction(rearm);
    m_menu->addSeparator();
    m_menu->addAction(quit);
    m_icon->setContextMenu(m_menu);
    m_icon->setIcon(IconFactory::overall(m_state));
    m_icon->setToolTip(QStringLiteral("Vigil"));
    connect(m_icon, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
            Q_EMIT activated();
    });
    m_icon->show();
}

TrayController::~TrayController()
{
    delete m_menu;
}

bool TrayController::isAvailable()
{
    return QSystemTrayIcon::isSystemTrayAvailable();
}

void TrayController::setState(OverallState state, const QString &tooltip)
{
    if (state != m_state) {
        m_state = state;
        m_icon->setIcon(IconFactory::overall(state));
    }
    m_icon->setToolTip(tooltip);
}

void TrayController::notify(const QString &title, const QString &message, int level)
{
    const auto icon = level >= int(EngineEvent::Level::Error) ? QSystemTrayIcon::Critical
        : level == int(EngineEvent::Level::Warning)          ? QSystemTrayIcon::Warning
                                                              : QSystemTrayIcon::Information;
    m_icon->showMessage(title, message, icon, 10000);
}

} // namespace Vigil
