// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "strategy/entrysignal.h"

namespace Vigil {

// Deriv-bot style: propose the configured contract on every tick, so the bot trades again as soon as it
// is idle.
class FixedEntry final : public EntrySignal
{
public:
    explicit FixedEntry(EntryIntent intent);

    std::optional<EntryIntent> onTick(const Tick &tick) override;
    void reset() override;
    QString name() const override;

private:
    EntryIntent m_intent;
};

} // namespace Vigil
