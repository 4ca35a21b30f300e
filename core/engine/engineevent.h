// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QString>

namespace Vigil {

// A user-facing event: what the log view lists and what the tray/banner alerts on. A value type.
struct EngineEvent
{
    enum class Level { Info, Warning, Error };
    enum class Kind {
        General,
        TradeOpened,
        TradeClosed,
        BuyFailed,
        OutcomeUnknown,
        LimitReached,
        BreakerOpened,
        TokenRevoked,
        ReconcileDiscrepancy,
        ReconcileFinished,
        EmergencyStopFinished,
        ConnectionDown,
        ConnectionRestored,
        LockLost,
        BotStateChanged,
    };
    Level level = Level::Info;
    Kind kind = Kind::General;
    QString account;
    QString bot;
    QString message;     // one line for people; never a secret
    QJsonObject details; // full context (the Error's JSON for failures)
    qint64 atMs = 0;

    // Whether the tray/banner should raise it.
    bool isAlert() const;
    QJsonObject toJson() const;
    static QString kindName(Kind kind);
    static QString levelName(Level level);
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::EngineEvent)
