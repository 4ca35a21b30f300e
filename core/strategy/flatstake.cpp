// SPDX-License-Identifier: GPL-3.0-or-later
#include "flatstake.h"

namespace Vigil {

FlatStake::FlatStake(Money stake) : m_stake(stake)
{
    Q_ASSERT(stake.minor() > 0);
}

Money FlatStake::nextStake() const
{
    return m_stake;
}

void FlatStake::onResult(const ClosedContract &)
{
}

void FlatStake::reset()
{
}

QString FlatStake::name() const
{
    return QStringLiteral("flat");
}

QString FlatStake::describe() const
{
    return QStringLiteral("Flat stake ") + m_stake.toString();
}

} // namespace Vigil
