// SPDX-License-Identifier: GPL-3.0-or-later
#include "botstatemachine.h"

#include <array>

namespace Vigil {

namespace {
constexpr int index(BotState s)
{
    return static_cast<int>(s);
}

// s_allowed[from][to], in the order of the enum (Stopped, Starting, Running, Paused, Stopping, Halted, Failed).
constexpr std::array<std::array<bool, BotStateCount>, BotStateCount> s_allowed{{
    //   Stop   Start  Run    Pause  Stopg  Halt   Fail
    {{false, true, false, false, false, false, true}},  // Stopped
    {{false, false, true, false, true, true, true}},    // Starting
    {{false, false, false, true, true, true, true}},    // Running
    {{false, false, true, false, true, true, true}},    // Paused
    {{true, false, false, false, false, false, true}},  // Stopping
    {{true, true, false, false, false, false, true}},   // Halted
    {{true, false, false, false, false, false, false}}, // Failed
}};

QString stateTitle(BotState s)
{
    QString n = botStateName(s);
    n[0] = n[0].toUpper();
    return n;
}
} // namespace

BotStateMachine::BotStateMachine(const QString &botId, Clock &clock, QObject *parent)
    : QObject(parent), m_botId(botId), m_clock(clock), m_changedAtMs(clock.nowMs())
{
}

BotStateMachine::~BotStateMachine() = default;

bool BotStateMachine::isAllowed(BotState from, BotState to)
{
    return s_allowed[std::size_t(index(from))][std::size_t(index(to))];
}

QList<BotState> BotStateMachine::allowedFrom(BotState from)
{
    QList<BotState> out;
    for (int to = 0; to < BotStateCount; ++to) {
        if (isAllowed(from, static_cast<BotState>(to)))
            out.append(static_cast<BotState>(to));
    }
    return out;
}

Result<void> BotStateMachine::transition(BotState to, const StateReason &reason)
{
    const BotState from = m_state;
    if (!isAllowed(from, to)) {
        QStringList allowed;
        for (BotState s : allowedFrom(from))
            allowed.append(stateTitle(s));
        Error e = Error::make(ErrorKind::InvalidInput, QStringLiteral("InvalidBotTransition"),
                              QStringLiteral("bot %1 cannot go from %2 to %3 (from %2 it may go to: %4)")
                                  .arg(m_botId, stateTitle(from), stateTitle(to), allowed.join(QStringLiteral(", "))));
        e.bot = m_botId;
        e.details.insert(QStringLiteral("from"), botStateName(from));
        e.details.insert(QStringLiteral("to"), botStateName(to));
        return e;
    }
    if ((to == BotState::Halted) != (reason.halt != HaltReason::None)) {
        Error e = Error::make(ErrorKind::InvalidInput, QStringLiteral("MissingHaltReason"),
                              to == BotState::Halted
                                  ? QStringLiteral("bot %1: a halt needs a reason").arg(m_botId)
                                  : QStringLiteral("bot %1: a halt reason (%2) given for a move to %3, which is not a halt")
                                        .arg(m_botId, haltReasonName(reason.halt), stateTitle(to)));
        e.bot = m_botId;
        return e;
    }

    m_state = to;
    m_reason = reason;
    m_changedAtMs = m_clock.nowMs();
    m_pending.append(Change{from, to, reason, m_changedAtMs});
    flush();
    return {};
}

Result<void> BotStateMachine::halt(HaltReason reason, const QString &text, const QString &code)
{
    return transition(BotState::Halted, StateReason::halted(reason, text, code));
}

Result<void> BotStateMachine::fail(const Error &error)
{
    return transition(BotState::Failed, StateReason::failure(error));
}

void BotStateMachine::flush()
{
    // A transition made by a listener while we are emitting is queued behind the current one.
    if (m_emitting)
        return;
    m_emitting = true;
    while (!m_pending.isEmpty()) {
        const Change c = m_pending.takeFirst();
        Q_EMIT stateChanged(c.from, c.to, c.reason, c.atMs);
    }
    m_emitting = false;
}

} // namespace Vigil
