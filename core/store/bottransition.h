// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace Vigil {

// One bot state-machine transition (Journal::recordBotTransition). States are the engine's names.
struct BotTransition
{
    qint64 id = 0;
    QString bot;
    QString account;
    QString from;
    QString to;
    QString reason;
    qint64 atMs = 0;
};

} // namespace Vigil
