// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QObject>
#include <QString>

#include "engine/botstate.h"
#include "health/clock.h"
#include "health/result.h"

namespace Vigil {

// Guards a bot's state: only the transitions of this table are applied, anything else is refused with an
// Error and leaves the state as it was.
//
//   from \ to   Stopped Starting Running Paused Stopping Halted Failed
//   Stopped        -       ✓        -       -       -       -      ✓
//   Starting       -       -        ✓       -       ✓       ✓      ✓
//   Running        -       -        -       ✓       ✓       ✓      ✓
//   Paused         -       -        ✓       -       ✓       ✓      ✓
//   Stopping       ✓       -        -       -       -       -      ✓
//   Halted         ✓       ✓        -       -       -       -      ✓
//   Failed         ✓       -        -       -       -       -      -
//
// Starting → Stopping lets the user cancel a start that hangs. Halted → Starting is the resume (re-arm);
// Halted → Stopped gives up. Every state except Failed may fail; Failed only resets to Stopped.
// No state goes to itself: a second halt while Halted is refused (the first reason stays on record).
// A transition to Halted needs a HaltReason other than None; any other target must carry None.
//
// Lives on the bot's thread and is used from there only (not thread-safe). stateChanged is emitted
// synchronously on that thread after the state has changed; a transition requested from a slot connected
// to stateChanged is applied at once, and its signal follows the current one, so every listener (the
// journal) sees the changes in the order they happened.
class BotStateMachine final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BotStateMachine)

public:
    explicit BotStateMachine(const QString &botId, Clock &clock = Clock::system(), QObject *parent = nullptr);
    ~BotStateMachine() override;

    // Applies an allowed transition and emits stateChanged; otherwise an Error (kind InvalidInput,
    // code "InvalidBotTransition" or "MissingHaltReason", bot = the bot id) and nothing changes.
    Result<void> transition(BotState to, const StateReason &reason = {});
    Result<void> halt(HaltReason reason, const QString &text, const QString &code = {});
    Result<void> fail(const Error &error);

    BotState state() const { return m_state; }
    const StateReason &reason() const { return m_reason; } // of the transition into the current state
    qint64 changedAtMs() const { return m_changedAtMs; }   // wall clock
    const QString &botId() const { return m_botId; }

    static bool isAllowed(BotState from, BotState to);
    static QList<BotState> allowedFrom(BotState from);

Q_SIGNALS:
    // atMs: wall-clock time of the change (Clock::nowMs).
    void stateChanged(Vigil::BotState from, Vigil::BotState to, const Vigil::StateReason &reason, qint64 atMs);

private:
    struct Change
    {
        BotState from;
        BotState to;
        StateReason reason;
        qint64 atMs;
    };

    void flush();

    QString m_botId;
    Clock &m_clock;
    BotState m_state = BotState::Stopped;
    StateReason m_reason;
    qint64 m_changedAtMs = 0;
    QList<Change> m_pending;
    bool m_emitting = false;
};

} // namespace Vigil
