// SPDX-License-Identifier: GPL-3.0-or-later
#include "derivcall.h"

namespace Vigil {

namespace {

struct CallInfo
{
    const char16_t *name;
    bool read;
    bool auth;
};

// Sorted by nothing in particular; a few dozen entries, looked up linearly.
constexpr CallInfo s_calls[] = {
    {u"active_symbols", true, false},
    {u"api_token", false, true},
    {u"authorize", false, false},
    {u"balance", true, true},
    {u"buy", false, true},
    {u"buy_contract_for_multiple_accounts", false, true},
    {u"cancel", false, true},
    {u"contract_update", false, true},
    {u"contract_update_history", true, true},
    {u"contracts_for", true, false},
    {u"exchange_rates", true, false},
    {u"forget", false, false},
    {u"forget_all", false, false},
    {u"get_account_status", true, true},
    {u"get_limits", true, true},
    {u"get_self_exclusion", true, true},
    {u"get_settings", true, true},
    {u"landing_company", true, false},
    {u"login_history", true, true},
    {u"logout", false, false},
    {u"payout_currencies", true, false},
    {u"ping", true, false},
    {u"portfolio", true, true},
    {u"profit_table", true, true},
    {u"proposal", true, false},
    {u"proposal_open_contract", true, true},
    {u"reality_check", true, true},
    {u"sell", false, true},
    {u"sell_contract_for_multiple_accounts", false, true},
    {u"sell_expired", false, true},
    {u"statement", true, true},
    {u"ticks", true, false},
    {u"ticks_history", true, false},
    {u"time", true, false},
    {u"topup_virtual", false, true},
    {u"trading_durations", true, false},
    {u"trading_times", true, false},
    {u"transaction", true, true},
    {u"website_status", true, false},
};

const CallInfo *find(QStringView call)
{
    for (const CallInfo &c : s_calls) {
        if (call == QStringView(c.name))
            return &c;
    }
    return nullptr;
}

} // namespace

QString DerivCall::nameOf(const QJsonObject &request)
{
    // Parameters never share a name with a call, so the first key that is a call is the call.
    for (auto it = request.begin(); it != request.end(); ++it) {
        if (find(it.key()))
            return it.key();
    }
    return {};
}

bool DerivCall::isKnown(QStringView call)
{
    return find(call) != nullptr;
}

bool DerivCall::isRead(QStringView call)
{
    const CallInfo *c = find(call);
    return c && c->read;
}

bool DerivCall::needsAuthorization(QStringView call)
{
    const CallInfo *c = find(call);
    return c && c->auth;
}

RateLimiter::Group DerivCall::rateGroup(QStringView call)
{
    return RateLimiter::groupFor(call);
}

} // namespace Vigil
