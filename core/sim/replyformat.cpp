// SPDX-License-Identifier: GPL-3.0-or-later
#include "replyformat.h"

#include <cmath>

#include <QDateTime>
#include <QHash>
#include <QJsonArray>

namespace Vigil::Sim {

namespace {

// The currencies the simulator offers: code and name.
struct CurrencyName
{
    const char *code;
    const char *name;
};
constexpr CurrencyName s_currencies[] = {
    {"AUD", "Australian Dollar"}, {"EUR", "Euro"}, {"GBP", "Pound Sterling"}, {"USD", "US Dollar"}};

QJsonValue quote(const SymbolSpec &spec, const Tick &t)
{
    return spec.quoteToDouble(t.pips);
}

// active_symbols' submarket_display_name, and the submarket trading_times lists the symbol under.
QString submarketName(const SymbolSpec &spec)
{
    return spec.jumpsPerHour > 0.0 ? QStringLiteral("Jump Indices") : QStringLiteral("Continuous Indices");
}

QJsonArray scopesArray(const QStringList &scopes)
{
    return QJsonArray::fromStringList(scopes);
}
} // namespace

QJsonObject ReplyFormat::echoRequest(const QJsonObject &request)
{
    QJsonObject echo = request;
    for (const char *key : {"authorize", "tokens"}) {
        if (echo.contains(QLatin1String(key)))
            echo.insert(QLatin1String(key), QStringLiteral("<not shown>"));
    }
    return echo;
}

QJsonObject ReplyFormat::envelope(const QJsonObject &request, const QString &msgType)
{
    QJsonObject o{{QStringLiteral("echo_req"), echoRequest(request)}, {QStringLiteral("msg_type"), msgType}};
    const QJsonValue reqId = request.value(QLatin1String("req_id"));
    if (!reqId.isUndefined())
        o.insert(QStringLiteral("req_id"), reqId);
    const QJsonValue passthrough = request.value(QLatin1String("passthrough"));
    if (!passthrough.isUndefined())
        o.insert(QStringLiteral("passthrough"), passthrough);
    return o;
}

QJsonObject ReplyFormat::error(const QJsonObject &request, const QString &msgType, const QString &code,
                               const QString &message, const QJsonObject &details)
{
    QJsonObject o = envelope(request, msgType);
    QJsonObject e{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}};
    if (!details.isEmpty())
        e.insert(QStringLiteral("details"), details);
    o.insert(QStringLiteral("error"), e);
    return o;
}

QJsonObject ReplyFormat::tick(const SymbolSpec &spec, const Tick &t, const QString &subscriptionId)
{
    // ask/bid one pip either side of the quote.
    const Tick ask{t.epoch, t.pips + 1};
    const Tick bid{t.epoch, t.pips - 1};
    QJsonObject o{
        {QStringLiteral("ask"), quote(spec, ask)},
        {QStringLiteral("bid"), quote(spec, bid)},
        {QStringLiteral("epoch"), t.epoch},
        {QStringLiteral("pip_size"), spec.pipDecimals},
        {QStringLiteral("quote"), quote(spec, t)},
        {QStringLiteral("symbol"), spec.symbol},
    };
    if (!subscriptionId.isEmpty())
        o.insert(QStringLiteral("id"), subscriptionId);
    return o;
}

QJsonObject ReplyFormat::activeSymbol(const SymbolSpec &spec, const Tick &last, bool full)
{
    QJsonObject o{
        {QStringLiteral("allow_forward_starting"), 0},
        {QStringLiteral("display_name"), spec.displayName},
        {QStringLiteral("display_order"), spec.displayOrder},
        {QStringLiteral("exchange_is_open"), 1},
        {QStringLiteral("is_trading_suspended"), 0},
        {QStringLiteral("market"), QStringLiteral("synthetic_index")},
        {QStringLiteral("market_display_name"), QStringLiteral("Derived")},
        {QStringLiteral("pip"), spec.pip()},
        {QStringLiteral("subgroup"), QStringLiteral("synthetics")},
        {QStringLiteral("subgroup_display_name"), QStringLiteral("Synthetics")},
        {QStringLiteral("submarket"), spec.submarket()},
        {QStringLiteral("submarket_display_name"), submarketName(spec)},
        {QStringLiteral("symbol"), spec.symbol},
        {QStringLiteral("symbol_type"), QStringLiteral("stockindex")},
    };
    if (full) {
        o.insert(QStringLiteral("delay_amount"), 0);
        o.insert(QStringLiteral("exchange_name"), QStringLiteral("RANDOM"));
        o.insert(QStringLiteral("intraday_interval_minutes"), 1);
        o.insert(QStringLiteral("quoted_currency_symbol"), QString());
        o.insert(QStringLiteral("spot"), quote(spec, last));
        o.insert(QStringLiteral("spot_age"), QStringLiteral("0"));
        o.insert(QStringLiteral("spot_percentage_change"), QStringLiteral("0.00"));
        o.insert(QStringLiteral("spot_time"), QString::number(last.epoch));
    }
    return o;
}

QJsonObject ReplyFormat::websiteStatus(const RateLimits &l, const QString &siteStatus)
{
    auto limit = [](const char *appliesTo, int hourly, int minutely) {
        return QJsonObject{{QStringLiteral("applies_to"), QLatin1String(appliesTo)},
                           {QStringLiteral("hourly"), hourly},
                           {QStringLiteral("minutely"), minutely}};
    };
    const QJsonObject limits{
        {QStringLiteral("max_proposal_subscription"),
         QJsonObject{{QStringLiteral("applies_to"), QStringLiteral("subscribing to proposal concurrently")},
                     {QStringLiteral("max"), l.maxProposalSubscriptions}}},
        {QStringLiteral("max_requestes_general"), limit("rest of calls", l.generalPerHour, l.generalPerMinute)},
        {QStringLiteral("max_requests_outcome"),
         limit("portfolio, statement and profit table", l.outcomePerHour, l.outcomePerMinute)},
        {QStringLiteral("max_requests_pricing"),
         limit("proposal and proposal open contract", l.pricingPerHour, l.pricingPerMinute)},
    };
    auto currency = [](const char *name) {
        return QJsonObject{
            {QStringLiteral("fractional_digits"), 2},
            {QStringLiteral("is_deposit_suspended"), 0},
            {QStringLiteral("is_suspended"), 0},
            {QStringLiteral("is_withdrawal_suspended"), 0},
            {QStringLiteral("name"), QLatin1String(name)},
            {QStringLiteral("stake_default"), 10},
            {QStringLiteral("transfer_between_accounts"),
             QJsonObject{{QStringLiteral("fees"), QJsonObject{}},
                         {QStringLiteral("limits"), QJsonObject{{QStringLiteral("max"), 2500}, {QStringLiteral("min"), 1}}}}},
            {QStringLiteral("type"), QStringLiteral("fiat")},
        };
    };
    QJsonObject currenciesConfig;
    for (const auto &[code, name] : s_currencies)
        currenciesConfig.insert(QLatin1String(code), currency(name));
    return QJsonObject{
        {QStringLiteral("api_call_limits"), limits},
        {QStringLiteral("broker_codes"), QJsonArray{QStringLiteral("CR"), QStringLiteral("VRTC")}},
        {QStringLiteral("clients_country"), QString()},
        {QStringLiteral("currencies_config"), currenciesConfig},
        {QStringLiteral("site_status"), siteStatus},
        {QStringLiteral("supported_languages"), QJsonArray{QStringLiteral("EN")}},
        {QStringLiteral("terms_conditions_version"), QStringLiteral("Version 1")},
    };
}

QStringList ReplyFormat::currencies()
{
    QStringList codes;
    for (const auto &[code, name] : s_currencies)
        codes.append(QLatin1String(code));
    return codes;
}

QJsonObject ReplyFormat::accountStatus(const QString &currency)
{
    // A virtual account: nothing to authenticate, cashier not applicable, no P2P.
    return QJsonObject{
        {QStringLiteral("authentication"),
         QJsonObject{{QStringLiteral("document"), QJsonObject{{QStringLiteral("status"), QStringLiteral("none")}}},
                     {QStringLiteral("identity"), QJsonObject{{QStringLiteral("status"), QStringLiteral("none")}}},
                     {QStringLiteral("needs_verification"), QJsonArray{}}}},
        {QStringLiteral("currency_config"),
         QJsonObject{{currency, QJsonObject{{QStringLiteral("is_deposit_suspended"), 0},
                                            {QStringLiteral("is_withdrawal_suspended"), 0}}}}},
        {QStringLiteral("p2p_poa_required"), 0},
        {QStringLiteral("p2p_status"), QStringLiteral("none")},
        {QStringLiteral("prompt_client_to_authenticate"), 0},
        {QStringLiteral("risk_classification"), QStringLiteral("low")},
        {QStringLiteral("status"), QJsonArray{QStringLiteral("financial_information_not_complete"),
                                              QStringLiteral("trading_experience_not_complete")}},
    };
}

QJsonObject ReplyFormat::tradingTimes()
{
    const QJsonArray days{QStringLiteral("Sun"), QStringLiteral("Mon"), QStringLiteral("Tue"), QStringLiteral("Wed"),
                          QStringLiteral("Thu"), QStringLiteral("Fri"), QStringLiteral("Sat")};
    const QJsonObject times{{QStringLiteral("close"), QJsonArray{QStringLiteral("23:59:59")}},
                            {QStringLiteral("open"), QJsonArray{QStringLiteral("00:00:00")}},
                            {QStringLiteral("settlement"), QStringLiteral("23:59:59")}};
    QStringList order; // submarkets in the order their first symbol comes
    QHash<QString, QJsonArray> bySubmarket;
    for (const SymbolSpec &s : symbolTable()) {
        const QString submarket = submarketName(s);
        if (!bySubmarket.contains(submarket))
            order.append(submarket);
        bySubmarket[submarket].append(QJsonObject{{QStringLiteral("events"), QJsonArray{}},
                                                  {QStringLiteral("name"), s.displayName},
                                                  {QStringLiteral("symbol"), s.symbol},
                                                  {QStringLiteral("times"), times},
                                                  {QStringLiteral("trading_days"), days}});
    }
    QJsonArray submarkets;
    for (const QString &name : std::as_const(order))
        submarkets.append(QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("symbols"), bySubmarket.value(name)}});
    return QJsonObject{{QStringLiteral("markets"),
                        QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("Derived")},
                                               {QStringLiteral("submarkets"), submarkets}}}}};
}

QJsonObject ReplyFormat::proposal(const ContractTerms &terms, const Tick &spot, qint64 nowSec, const QString &id)
{
    QJsonObject o{
        {QStringLiteral("ask_price"), terms.stake.toJson()},
        {QStringLiteral("date_expiry"), nowSec + terms.expectedLengthSec()},
        {QStringLiteral("date_start"), nowSec},
        {QStringLiteral("display_value"), terms.stake.toString()},
        {QStringLiteral("id"), id},
        {QStringLiteral("longcode"), terms.longcode()},
        {QStringLiteral("payout"), terms.payout.toJson()},
        {QStringLiteral("spot"), quote(*terms.symbol, spot)},
        {QStringLiteral("spot_time"), spot.epoch},
        {QStringLiteral("validation_params"),
         QJsonObject{{QStringLiteral("payout"), QJsonObject{{QStringLiteral("max"), QStringLiteral("50000.00")}}},
                     {QStringLiteral("stake"), QJsonObject{{QStringLiteral("max"), QStringLiteral("50000.00")},
                                                           {QStringLiteral("min"), QStringLiteral("0.35")}}}}},
    };
    QJsonObject details{{QStringLiteral("last_tick_epoch"), spot.epoch}};
    if (terms.isDigit() && terms.barrierDigit >= 0)
        details.insert(QStringLiteral("barrier"), QString::number(terms.barrierDigit));
    if (terms.ticks)
        details.insert(QStringLiteral("maximum_ticks"), 10);
    o.insert(QStringLiteral("contract_details"), details);
    return o;
}

QJsonObject ReplyFormat::openContract(const Contract &c, const QString &currency, const Tick &marketSpot, qint64 nowMs,
                                      const ResaleRules &resale)
{
    const SymbolSpec &s = c.symbol();
    const ContractTerms &t = c.terms();
    const Money bid = c.bidPrice(nowMs);
    const Money profit = c.profit(nowMs);
    const SaleCheck sale = c.saleCheck(resale);
    QJsonObject o{
        {QStringLiteral("account_id"), double(accountId(c.loginid()))},
        {QStringLiteral("barrier_count"), 1},
        {QStringLiteral("bid_price"), bid.toJson()},
        {QStringLiteral("buy_price"), c.buyPrice().toJson()},
        {QStringLiteral("contract_id"), c.id()},
        {QStringLiteral("contract_type"), t.contractType},
        {QStringLiteral("currency"), currency},
        {QStringLiteral("date_expiry"), c.dateExpiry()},
        {QStringLiteral("date_settlement"), c.dateExpiry()},
        {QStringLiteral("date_start"), c.dateStart()},
        {QStringLiteral("display_name"), s.displayName},
        {QStringLiteral("expiry_time"), c.dateExpiry()},
        {QStringLiteral("is_expired"), c.isExpired() ? 1 : 0},
        {QStringLiteral("is_forward_starting"), 0},
        {QStringLiteral("is_intraday"), 1},
        {QStringLiteral("is_path_dependent"), 0},
        {QStringLiteral("is_settleable"), (c.isExpired() && c.isOpen()) ? 1 : 0},
        {QStringLiteral("is_sold"), c.isSold() ? 1 : 0},
        {QStringLiteral("is_valid_to_cancel"), 0},
        {QStringLiteral("is_valid_to_sell"), sale.ok() ? 1 : 0},
        {QStringLiteral("longcode"), t.longcode()},
        {QStringLiteral("payout"), c.payout().toJson()},
        {QStringLiteral("profit"), profit.toJson()},
        {QStringLiteral("profit_percentage"),
         std::round(double(profit.minor()) * 10000.0 / double(c.buyPrice().minor())) / 100.0},
        {QStringLiteral("purchase_time"), c.purchaseTime()},
        {QStringLiteral("shortcode"), t.shortcode(c.dateStart(), c.dateExpiry())},
        {QStringLiteral("status"), c.statusName()},
        {QStringLiteral("underlying"), s.symbol},
    };
    if (!sale.ok()) {
        o.insert(QStringLiteral("validation_error"), sale.message);
        o.insert(QStringLiteral("validation_error_code"), sale.code);
    }
    if (t.isDigit()) {
        o.insert(QStringLiteral("barrier"), t.barrierDigit >= 0 ? QJsonValue(QString::number(t.barrierDigit)) : QJsonValue());
    } else {
        o.insert(QStringLiteral("barrier"), c.entry().isValid() ? QJsonValue(s.formatQuote(c.entry().pips)) : QJsonValue());
    }
    Tick spot = marketSpot;
    if (c.isSold())
        spot = c.sellSpot().isValid() ? c.sellSpot() : c.current();
    else if (c.isExpired())
        spot = c.exit();
    if (spot.isValid()) {
        o.insert(QStringLiteral("current_spot"), quote(s, spot));
        o.insert(QStringLiteral("current_spot_display_value"), s.formatQuote(spot.pips));
        o.insert(QStringLiteral("current_spot_time"), spot.epoch);
    }
    if (c.entry().isValid()) {
        o.insert(QStringLiteral("entry_spot"), quote(s, c.entry()));
        o.insert(QStringLiteral("entry_spot_display_value"), s.formatQuote(c.entry().pips));
        o.insert(QStringLiteral("entry_tick"), quote(s, c.entry()));
        o.insert(QStringLiteral("entry_tick_display_value"), s.formatQuote(c.entry().pips));
        o.insert(QStringLiteral("entry_tick_time"), c.entry().epoch);
    } else {
        o.insert(QStringLiteral("entry_spot"), QJsonValue());
        o.insert(QStringLiteral("entry_spot_display_value"), QJsonValue());
    }
    if (c.exit().isValid()) {
        o.insert(QStringLiteral("exit_tick"), quote(s, c.exit()));
        o.insert(QStringLiteral("exit_tick_display_value"), s.formatQuote(c.exit().pips));
        o.insert(QStringLiteral("exit_tick_time"), c.exit().epoch);
    }
    if (c.isSold()) {
        o.insert(QStringLiteral("sell_price"), c.sellPrice().toJson());
        o.insert(QStringLiteral("sell_time"), c.sellTime());
        if (c.sellSpot().isValid()) {
            o.insert(QStringLiteral("sell_spot"), quote(s, c.sellSpot()));
            o.insert(QStringLiteral("sell_spot_display_value"), s.formatQuote(c.sellSpot().pips));
            o.insert(QStringLiteral("sell_spot_time"), c.sellSpot().epoch);
        }
    }
    if (t.ticks) {
        o.insert(QStringLiteral("tick_count"), t.duration);
        QJsonArray stream;
        for (const Tick &k : c.tickStream()) {
            stream.append(QJsonObject{{QStringLiteral("epoch"), k.epoch},
                                      {QStringLiteral("tick"), quote(s, k)},
                                      {QStringLiteral("tick_display_value"), s.formatQuote(k.pips)}});
        }
        o.insert(QStringLiteral("tick_stream"), stream);
    }
    QJsonObject ids{{QStringLiteral("buy"), c.buyTransactionId()}};
    if (c.sellTransactionId())
        ids.insert(QStringLiteral("sell"), c.sellTransactionId());
    o.insert(QStringLiteral("transaction_ids"), ids);
    return o;
}

QJsonObject ReplyFormat::buyReceipt(const Contract &c, Money balanceAfter)
{
    return QJsonObject{
        {QStringLiteral("balance_after"), balanceAfter.toJson()},
        {QStringLiteral("buy_price"), c.buyPrice().toJson()},
        {QStringLiteral("contract_id"), c.id()},
        {QStringLiteral("longcode"), c.terms().longcode()},
        {QStringLiteral("payout"), c.payout().toJson()},
        {QStringLiteral("purchase_time"), c.purchaseTime()},
        {QStringLiteral("shortcode"), c.terms().shortcode(c.dateStart(), c.dateExpiry())},
        {QStringLiteral("start_time"), c.dateStart()},
        {QStringLiteral("transaction_id"), c.buyTransactionId()},
    };
}

QJsonObject ReplyFormat::portfolioItem(const Contract &c, const QString &currency)
{
    return QJsonObject{
        {QStringLiteral("buy_price"), c.buyPrice().toJson()},
        {QStringLiteral("contract_id"), c.id()},
        {QStringLiteral("contract_type"), c.terms().contractType},
        {QStringLiteral("currency"), currency},
        {QStringLiteral("date_start"), c.dateStart()},
        {QStringLiteral("expiry_time"), c.dateExpiry()},
        {QStringLiteral("longcode"), c.terms().longcode()},
        {QStringLiteral("payout"), c.payout().toJson()},
        {QStringLiteral("purchase_time"), c.purchaseTime()},
        {QStringLiteral("shortcode"), c.terms().shortcode(c.dateStart(), c.dateExpiry())},
        {QStringLiteral("symbol"), c.symbol().symbol},
        {QStringLiteral("transaction_id"), c.buyTransactionId()},
    };
}

QJsonObject ReplyFormat::profitTableItem(const Contract &c, bool description)
{
    QJsonObject o{
        {QStringLiteral("buy_price"), c.buyPrice().toJson()},
        {QStringLiteral("contract_id"), c.id()},
        {QStringLiteral("contract_type"), c.terms().contractType},
        {QStringLiteral("duration_type"), c.terms().durationType()},
        {QStringLiteral("payout"), c.payout().toJson()},
        {QStringLiteral("purchase_time"), c.purchaseTime()},
        {QStringLiteral("sell_price"), c.sellPrice().toJson()},
        {QStringLiteral("sell_time"), c.sellTime()},
        {QStringLiteral("shortcode"), c.terms().shortcode(c.dateStart(), c.dateExpiry())},
        {QStringLiteral("transaction_id"), c.buyTransactionId()},
        {QStringLiteral("underlying_symbol"), c.symbol().symbol},
    };
    if (description)
        o.insert(QStringLiteral("longcode"), c.terms().longcode());
    return o;
}

QJsonObject ReplyFormat::statementItem(const Transaction &t, const Contract *c, bool description)
{
    QJsonObject o{
        {QStringLiteral("action_type"), t.action},
        {QStringLiteral("amount"), t.amount.toJson()},
        {QStringLiteral("balance_after"), t.balanceAfter.toJson()},
        {QStringLiteral("contract_id"), c ? QJsonValue(c->id()) : QJsonValue()},
        {QStringLiteral("payout"), c ? c->payout().toJson() : QJsonValue()},
        {QStringLiteral("reference_id"), t.referenceId ? QJsonValue(t.referenceId) : QJsonValue()},
        {QStringLiteral("transaction_id"), t.id},
        {QStringLiteral("transaction_time"), t.time},
    };
    if (c) {
        o.insert(QStringLiteral("purchase_time"), c->purchaseTime());
        o.insert(QStringLiteral("shortcode"), c->terms().shortcode(c->dateStart(), c->dateExpiry()));
        if (description)
            o.insert(QStringLiteral("longcode"), c->terms().longcode());
    } else {
        o.insert(QStringLiteral("shortcode"), QJsonValue());
        if (description)
            o.insert(QStringLiteral("longcode"), QStringLiteral("Virtual money credit to account"));
    }
    return o;
}

QJsonObject ReplyFormat::transactionEvent(const Transaction &t, const Contract *c, const QString &currency,
                                          const QString &subscriptionId)
{
    QJsonObject o{
        {QStringLiteral("action"), t.action},
        {QStringLiteral("amount"), t.amount.toJson()},
        {QStringLiteral("balance"), t.balanceAfter.toJson()},
        {QStringLiteral("contract_id"), c ? QJsonValue(c->id()) : QJsonValue()},
        {QStringLiteral("currency"), currency},
        {QStringLiteral("id"), subscriptionId},
        {QStringLiteral("transaction_id"), t.id},
        {QStringLiteral("transaction_time"), t.time},
    };
    if (c) {
        o.insert(QStringLiteral("date_expiry"), c->dateExpiry());
        o.insert(QStringLiteral("display_name"), c->symbol().displayName);
        o.insert(QStringLiteral("longcode"), c->terms().longcode());
        o.insert(QStringLiteral("purchase_time"), c->purchaseTime());
        o.insert(QStringLiteral("symbol"), c->symbol().symbol);
        o.insert(QStringLiteral("barrier"), c->terms().isDigit() && c->terms().barrierDigit >= 0
                     ? QJsonValue(QString::number(c->terms().barrierDigit))
                     : (c->entry().isValid() ? QJsonValue(c->symbol().formatQuote(c->entry().pips)) : QJsonValue(QStringLiteral("S0P"))));
    }
    return o;
}

QJsonObject ReplyFormat::apiToken(const ApiToken &token)
{
    return QJsonObject{
        {QStringLiteral("display_name"), token.displayName},
        {QStringLiteral("last_used"), token.lastUsed ? dateTime(token.lastUsed) : QString()},
        {QStringLiteral("scopes"), scopesArray(token.scopes)},
        {QStringLiteral("token"), token.token},
        {QStringLiteral("valid_for_ip"), QString()},
    };
}

qint64 ReplyFormat::accountId(const QString &loginid)
{
    QString digits;
    for (QChar ch : loginid) {
        if (ch.isDigit())
            digits += ch;
    }
    return digits.toLongLong();
}

QString ReplyFormat::dateTime(qint64 epoch)
{
    return QDateTime::fromSecsSinceEpoch(epoch, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

} // namespace Vigil::Sim
