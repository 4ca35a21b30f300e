// SPDX-License-Identifier: GPL-3.0-or-later
#include "fixedentry.h"

#include <utility>

namespace Vigil {

FixedEntry::FixedEntry(EntryIntent intent) : m_intent(std::move(intent))
{
}

std::optional<EntryIntent> FixedEntry::onTick(const Tick &)
{
    return m_intent;
}

void FixedEntry::reset()
{
}

QString FixedEntry::name() const
{
    return QStringLiteral("fixed");
}

} // namespace Vigil
