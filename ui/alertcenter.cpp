// SPDX-License-Identifier: GPL-3.0-or-later
#include "alertcenter.h"

#include "engine/engineevent.h"
#include "ui/alertbanner.h"
#include "ui/traycontroller.h"

namespace Vigil {

namespace {
QString title(const EngineEvent &e)
{
    switch (e.kind) {
    case EngineEvent::Kind::LimitReached: return QObject::tr("Limit reached");
    case EngineEvent::Kind::BreakerOpened: return QObject::tr("Circuit breaker opened");
    case EngineEvent::Kind::TokenRevoked: return QObject::tr("API token revoked");
    case EngineEvent::Kind::ReconcileDiscrepancy: return QObject::tr("Reconciliation found differences");
    case EngineEvent::Kind::EmergencyStopFinished: return QObject::tr("Emergency stop finished");
    case EngineEvent::Kind::ConnectionDown: return QObject::tr("Connection down");
    case EngineEvent::Kind::LockLost: return QObject::tr("Lock lost");
    case EngineEvent::Kind::OutcomeUnknown: return QObject::tr("Trade outcome unknown");
    default: break;
    }
    return e.level == EngineEvent::Level::Error ? QObject::tr("Error") : QObject::tr("Vigil");
}
} // namespace

AlertCenter::AlertCenter(AlertBanner *banner, QObject *parent) : QObject(parent), m_banner(banner) {}

AlertCenter::~AlertCenter() = default;

void AlertCenter::setTray(TrayController *tray)
{
    m_tray = tray;
}

int AlertCenter::post(const QList<EngineEvent> &events)
{
    QList<EngineEvent> alerts;
    for (const EngineEvent &e : events) {
        if (e.isAlert())
            alerts.append(e);
    }
    if (alerts.isEmpty())
        return 0;
    m_raised += int(alerts.size());
    if (m_tray) {
        // One notification per batch: a burst must not bury the desktop in bubbles.
        const EngineEvent &last = alerts.last();
        int worst = 0;
        for (const EngineEvent &e : std::as_const(alerts))
            worst = qMax(worst, int(e.level));
        const QString who = last.bot.isEmpty() ? last.account : last.account + u'/' + last.bot;
        QString message = who.isEmpty() ? last.message : who + QStringLiteral(": ") + last.message;
        if (alerts.size() > 1)
            message += tr(" (+%1 more alerts)").arg(alerts.size() - 1);
        m_tray->notify(title(last), message, worst);
    } else if (m_banner) {
        for (const EngineEvent &e : std::as_const(alerts))
            m_banner->showAlert(e);
    }
    for (const EngineEvent &e : std::as_const(alerts))
        Q_EMIT alertRaised(e);
    return int(alerts.size());
}

} // namespace Vigil
