// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include "engine/accountsnapshot.h"
#include "engine/botsnapshot.h"

namespace Vigil::DisplayText {

// How the console words things. Pure functions, shared by the models and widgets so a state reads the
// same everywhere.

// "1.00 USD"; the currency is left out when unknown.
QString money(Money amount, const QString &currency = {});
// "+1.25" / "-0.35" / "0.00"
QString signedMoney(Money amount);
// "Running", "Halted", ...
QString botState(BotState state);
// "Halted: Emergency stop", "Failed: <error>", or just the state.
QString botStateWithReason(const BotSnapshot &bot);
// The full reason for a tooltip: "Trading limit reached: daily loss 20.00 of 20.00 used".
QString botStateTooltip(const BotSnapshot &bot);
// "connected", "connecting", "reconnecting 12 s", "down 40 s" (N from downSinceMs to nowMs).
QString connection(const AccountSnapshot &account, qint64 nowMs);
// "VRTC1234 (demo)" or the configured id until the login id is known.
QString accountLabel(const AccountSnapshot &account);
// Local wall-clock time "14:03:07".
QString clockTime(qint64 msSinceEpoch, bool withMillis = false);
// "1 min 5 s", "850 ms"
QString duration(qint64 ms);

} // namespace Vigil::DisplayText
