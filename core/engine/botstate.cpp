// SPDX-License-Identifier: GPL-3.0-or-later
#include "botstate.h"

#include <array>
#include <utility>

namespace Vigil {

namespace {
constexpr std::array<std::pair<BotState, QLatin1StringView>, BotStateCount> s_stateNames{{
    {BotState::Stopped, QLatin1StringView("stopped")},
    {BotState::Starting, QLatin1StringView("starting")},
    {BotState::Running, QLatin1StringView("running")},
    {BotState::Paused, QLatin1StringView("paused")},
    {BotState::Stopping, QLatin1StringView("stopping")},
    {BotState::Halted, QLatin1StringView("halted")},
    {BotState::Failed, QLatin1StringView("failed")},
}};

struct ReasonInfo
{
    HaltReason reason;
    QLatin1StringView name;
    const char *text;
};

constexpr std::array<ReasonInfo, 9> s_reasons{{
    {HaltReason::None, QLatin1StringView("none"), "Not halted"},
    {HaltReason::Limit, QLatin1StringView("limit"), "Trading limit reached"},
    {HaltReason::CircuitBreaker, QLatin1StringView("circuit_breaker"), "Repeated server faults (circuit breaker open)"},
    {HaltReason::TokenRevoked, QLatin1StringView("token_revoked"), "API token revoked or not permitted"},
    {HaltReason::KillSwitch, QLatin1StringView("kill_switch"), "Emergency stop"},
    {HaltReason::CoordinationUnavailable, QLatin1StringView("coordination_unavailable"),
     "Coordination unavailable (cannot check locks)"},
    {HaltReason::Reconciling, QLatin1StringView("reconciling"), "Waiting for reconciliation"},
    {HaltReason::LeaseLost, QLatin1StringView("lease_lost"), "Bot lease lost to another instance"},
    {HaltReason::Other, QLatin1StringView("other"), "Halted"},
}};
} // namespace

QString botStateName(BotState state)
{
    for (const auto &[s, name] : s_stateNames) {
        if (s == state)
            return name;
    }
    Q_UNREACHABLE();
    return {};
}

std::optional<BotState> parseBotState(QStringView name)
{
    for (const auto &[s, n] : s_stateNames) {
        if (name == n)
            return s;
    }
    return std::nullopt;
}

QString haltReasonName(HaltReason reason)
{
    for (const ReasonInfo &r : s_reasons) {
        if (r.reason == reason)
            return r.name;
    }
    Q_UNREACHABLE();
    return {};
}

std::optional<HaltReason> parseHaltReason(QStringView name)
{
    for (const ReasonInfo &r : s_reasons) {
        if (name == r.name)
            return r.reason;
    }
    return std::nullopt;
}

QString haltReasonText(HaltReason reason)
{
    for (const ReasonInfo &r : s_reasons) {
        if (r.reason == reason)
            return QString::fromUtf8(r.text);
    }
    Q_UNREACHABLE();
    return {};
}

StateReason StateReason::because(const QString &text)
{
    StateReason r;
    r.text = text;
    return r;
}

StateReason StateReason::halted(HaltReason reason, const QString &text, const QString &code)
{
    StateReason r;
    r.halt = reason;
    r.code = code;
    r.text = text;
    return r;
}

StateReason StateReason::failure(const Error &error)
{
    StateReason r;
    r.code = error.code;
    r.text = error.toString();
    return r;
}

QString StateReason::toString() const
{
    if (halt == HaltReason::None)
        return text;
    if (text.isEmpty())
        return haltReasonText(halt);
    return haltReasonText(halt) + QStringLiteral(": ") + text;
}

} // namespace Vigil
