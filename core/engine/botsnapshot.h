// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaType>
#include <QString>

#include "engine/botstate.h"
#include "money/money.h"

namespace Vigil {

// What the console shows of one bot. A value type, sent to the GUI thread in batches.
struct BotSnapshot
{
    QString id;
    QString name;
    QString account;      // configured account id
    QString loginId;
    BotState state = BotState::Stopped;
    StateReason reason;   // why it is in that state (the halt reason when Halted)
    QString symbol;
    QString strategy;     // Strategy::describe()
    Money nextStake;
    int openContracts = 0;
    int tradesToday = 0;
    Money pnlToday;
    QString lastError;
    QString standby;      // while Starting: why it waits (another instance runs it); empty otherwise
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::BotSnapshot)
