// SPDX-License-Identifier: GPL-3.0-or-later
#include "bot.h"

namespace Vigil {

Bot::Bot(BotConfig config, std::unique_ptr<Strategy> strategy, Clock &clock, QObject *parent)
    : QObject(parent), m_config(std::move(config)), m_strategy(std::move(strategy)), m_machine(m_config.id, clock)
{
}

Bot::~Bot() = default;

BotSnapshot Bot::snapshot() const
{
    BotSnapshot s;
    s.id = m_config.id;
    s.name = m_config.name;
    s.account = m_config.account;
    s.state = m_machine.state();
    s.reason = m_machine.reason();
    s.symbol = m_strategy->spec().symbol;
    s.strategy = m_strategy->describe();
    const Result<Money> next = m_strategy->nextStake();
    s.nextStake = next.ok() ? next.value() : m_strategy->maxStake();
    s.openContracts = m_activeTrade != 0 ? 1 : 0;
    s.tradesToday = m_tradesToday;
    s.pnlToday = m_pnlToday;
    s.lastError = m_lastError;
    return s;
}

void Bot::reconfigure(BotConfig config, std::unique_ptr<Strategy> strategy)
{
    Q_ASSERT(m_activeTrade == 0);
    Q_ASSERT(config.id == m_config.id);
    m_config = std::move(config);
    m_strategy = std::move(strategy);
}

} // namespace Vigil
