// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Builders for the value types the console is fed, so widget tests can state only what matters to them.

#include "engine/accountsnapshot.h"
#include "engine/engineevent.h"

namespace Vigil::Test {

inline BotSnapshot bot(const QString &id, const QString &account, BotState state = BotState::Running)
{
    BotSnapshot b;
    b.id = id;
    b.name = id + QStringLiteral(" name");
    b.account = account;
    b.state = state;
    b.symbol = QStringLiteral("R_100");
    b.strategy = QStringLiteral("R_100 CALL 5t, flat 1.00");
    b.nextStake = Money::fromMinor(100);
    return b;
}

inline AccountSnapshot account(const QString &id, QList<BotSnapshot> bots = {})
{
    AccountSnapshot a;
    a.id = id;
    a.loginId = QStringLiteral("VRTC") + QString::number(qHash(id) % 100000);
    a.currency = QStringLiteral("USD");
    a.balance = Money::fromMinor(10'000'00);
    a.connection = AccountSnapshot::Connection::Connected;
    a.gate = QStringLiteral("active");
    a.breaker = QStringLiteral("closed");
    a.reconciled = true;
    a.bots = std::move(bots);
    a.limits.account = a.loginId;
    a.limits.seeded = true;
    a.limits.maxTradesPerDay = 100;
    a.limits.maxConcurrentOpen = 5;
    return a;
}

inline EngineEvent event(EngineEvent::Kind kind, EngineEvent::Level level, const QString &message,
                         const QString &account = QStringLiteral("VRTC1"), const QString &botId = {})
{
    EngineEvent e;
    e.kind = kind;
    e.level = level;
    e.message = message;
    e.account = account;
    e.bot = botId;
    e.atMs = 1'700'000'000'000;
    return e;
}

} // namespace Vigil::Test
