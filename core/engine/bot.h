// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include <QObject>

#include "engine/botconfig.h"
#include "engine/botsnapshot.h"
#include "engine/botstatemachine.h"
#include "strategy/strategy.h"

namespace Vigil {

// One bot on its account's thread: its configuration, strategy and guarded state machine, plus the
// bookkeeping the console shows. It decides nothing about sending: the AccountExecutor does.
class Bot final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Bot)

public:
    Bot(BotConfig config, std::unique_ptr<Strategy> strategy, Clock &clock, QObject *parent = nullptr);
    ~Bot() override;

    const QString &id() const { return m_config.id; }
    const BotConfig &config() const { return m_config; }
    Strategy &strategy() { return *m_strategy; }
    const Strategy &strategy() const { return *m_strategy; }
    BotStateMachine &machine() { return m_machine; }
    BotState state() const { return m_machine.state(); }
    bool isTrading() const { return m_machine.state() == BotState::Running; }

    // The bot's trade in progress (pending, unknown or open), 0 when none: one at a time per bot.
    qint64 activeTrade() const { return m_activeTrade; }
    void setActiveTrade(qint64 localId) { m_activeTrade = localId; }

    void recordOpened() { ++m_tradesToday; }
    void recordClosed(Money profit) { m_pnlToday += profit; }
    void resetDay() { m_tradesToday = 0; m_pnlToday = Money::zero(m_pnlToday.digits()); }
    void setDayFigures(int trades, Money pnl) { m_tradesToday = trades; m_pnlToday = pnl; }
    void setLastError(const QString &text) { m_lastError = text; }

    BotSnapshot snapshot() const;
    // A new configuration and strategy (the old strategy's sequence state is dropped). Only while flat:
    // activeTrade() must be 0, or the settlement of the open trade would reach a strategy that never bought it.
    void reconfigure(BotConfig config, std::unique_ptr<Strategy> strategy);

private:
    BotConfig m_config;
    std::unique_ptr<Strategy> m_strategy;
    BotStateMachine m_machine;
    qint64 m_activeTrade = 0;
    int m_tradesToday = 0;
    Money m_pnlToday;
    QString m_lastError;
};

} // namespace Vigil
