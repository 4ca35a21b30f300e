// SPDX-License-Identifier: GPL-3.0-or-later
// Shape of every reply type: required fields present with Deriv's JSON types, and no field a
// strict client would reject (payload objects Deriv declares closed only carry known names).
// The expectations are written out here from Deriv's published receive schemas.
#include <memory>

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include "sim/simserver.h"
#include "simtestclient.h"

using namespace Vigil;
using namespace Vigil::Sim;
using Vigil::Test::SimTestClient;

namespace {
constexpr qint64 s_start = 1'700'000'000'000;
const QString s_token = QStringLiteral("schemaToken01");

// "integer", "number", "string", "object", "array", "flag" (integer 0/1), "null"; alternatives with '|'.
bool hasType(const QJsonValue &v, const QString &spec)
{
    for (const QString &t : spec.split(u'|')) {
        if (t == QLatin1String("null") && v.isNull())
            return true;
        if (t == QLatin1String("string") && v.isString())
            return true;
        if (t == QLatin1String("object") && v.isObject())
            return true;
        if (t == QLatin1String("array") && v.isArray())
            return true;
        if (t == QLatin1String("number") && v.isDouble())
            return true;
        if (t == QLatin1String("integer") && v.isDouble() && v.toDouble() == double(v.toInteger()))
            return true;
        if (t == QLatin1String("flag") && v.isDouble() && (v.toInt() == 0 || v.toInt() == 1) && v.toDouble() == double(v.toInt()))
            return true;
    }
    return false;
}

struct Field
{
    const char *name;
    const char *type;
    bool required = true;
};

// Checks `o` against `fields`; with `closed`, any other member is an error.
QString shapeProblem(const QJsonObject &o, const QList<Field> &fields, bool closed)
{
    for (const Field &f : fields) {
        const QJsonValue v = o.value(QLatin1String(f.name));
        if (v.isUndefined()) {
            if (f.required)
                return QStringLiteral("missing %1").arg(QLatin1String(f.name));
            continue;
        }
        if (!hasType(v, QLatin1String(f.type)))
            return QStringLiteral("%1 is not %2: %3").arg(QLatin1String(f.name), QLatin1String(f.type),
                                                          QString::fromUtf8(QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact)));
    }
    if (closed) {
        for (const QString &key : o.keys()) {
            bool known = false;
            for (const Field &f : fields)
                known = known || key == QLatin1String(f.name);
            if (!known)
                return QStringLiteral("unexpected field %1").arg(key);
        }
    }
    return QString();
}

#define CHECK_SHAPE(object, fields, closed)                                                                            \
    do {                                                                                                               \
        const QString problem = shapeProblem(object, fields, closed);                                                  \
        QVERIFY2(problem.isEmpty(), qPrintable(problem));                                                              \
    } while (false)

// The envelope: echo_req object, msg_type string, req_id integer when sent.
void checkEnvelope(const QJsonObject &reply, const QString &msgType)
{
    QVERIFY2(!reply.contains(QLatin1String("error")), QJsonDocument(reply).toJson().constData());
    QVERIFY(reply.value(QLatin1String("echo_req")).isObject());
    QCOMPARE(reply.value(QLatin1String("msg_type")).toString(), msgType);
    QVERIFY(hasType(reply.value(QLatin1String("req_id")), QStringLiteral("integer")));
    if (reply.contains(QLatin1String("subscription"))) {
        const QJsonObject s = reply.value(QLatin1String("subscription")).toObject();
        QCOMPARE(s.keys(), QStringList{QStringLiteral("id")});
        QVERIFY(s.value(QLatin1String("id")).toString().size() >= 32);
    }
}

const QList<Field> s_pocFields{
    {"account_id", "number"}, {"barrier", "string|null"}, {"barrier_count", "number"}, {"bid_price", "number"},
    {"buy_price", "number"}, {"contract_id", "integer"}, {"contract_type", "string"}, {"currency", "string"},
    {"current_spot", "number"}, {"current_spot_display_value", "string"}, {"current_spot_time", "integer"},
    {"date_expiry", "integer"}, {"date_settlement", "integer"}, {"date_start", "integer"}, {"display_name", "string"},
    {"entry_spot", "number|null", false}, {"entry_spot_display_value", "string|null", false}, {"entry_tick", "number", false},
    {"entry_tick_display_value", "string", false}, {"entry_tick_time", "integer", false}, {"exit_tick", "number", false},
    {"exit_tick_display_value", "string", false}, {"exit_tick_time", "integer", false}, {"expiry_time", "integer"},
    {"id", "string", false}, {"is_expired", "flag"}, {"is_forward_starting", "flag"}, {"is_intraday", "flag"},
    {"is_path_dependent", "flag"}, {"is_settleable", "flag"}, {"is_sold", "flag"}, {"is_valid_to_cancel", "flag"},
    {"is_valid_to_sell", "flag"}, {"longcode", "string"}, {"payout", "number"}, {"profit", "number"},
    {"profit_percentage", "number"}, {"purchase_time", "integer"}, {"sell_price", "number", false},
    {"sell_spot", "number", false}, {"sell_spot_display_value", "string", false}, {"sell_spot_time", "integer", false},
    {"sell_time", "integer|null", false}, {"shortcode", "string"}, {"status", "string|null"}, {"tick_count", "integer", false},
    {"tick_stream", "array", false}, {"transaction_ids", "object"}, {"underlying", "string"},
    {"validation_error", "string", false}, {"validation_error_code", "string", false},
};
} // namespace

class TestSimSchema final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void authorize();
    void publicCalls();
    void tickAndHistory();
    void proposal();
    void buyAndContractStream();
    void sell();
    void accountQueries();
    void streams();
    void apiTokenAndForget();
    void errors();

private:
    std::unique_ptr<SimServer> m_server;
    std::unique_ptr<SimTestClient> m_client;
};

void TestSimSchema::initTestCase()
{
    SimConfig config;
    config.manualClock = true;
    config.startEpochMs = s_start;
    config.historyTicks = 200;
    m_server = std::make_unique<SimServer>(config);
    QVERIFY(m_server->addAccount(s_token).ok());
    QVERIFY(m_server->listen().ok());
    m_client = std::make_unique<SimTestClient>();
    QVERIFY(m_client->open(m_server->url()));
}

void TestSimSchema::cleanupTestCase()
{
    m_client.reset();
    m_server.reset();
}

void TestSimSchema::authorize()
{
    const QJsonObject r = m_client->call({{QStringLiteral("authorize"), s_token}});
    checkEnvelope(r, QStringLiteral("authorize"));
    const QJsonObject a = r.value(QLatin1String("authorize")).toObject();
    CHECK_SHAPE(a,
                (QList<Field>{{"account_list", "array"}, {"balance", "number"}, {"country", "string"}, {"currency", "string"},
                              {"email", "string"}, {"fullname", "string"}, {"is_virtual", "flag"},
                              {"landing_company_fullname", "string"}, {"landing_company_name", "string"},
                              {"linked_to", "array"}, {"local_currencies", "object"}, {"loginid", "string"},
                              {"preferred_language", "string|null"}, {"scopes", "array"},
                              {"upgradeable_landing_companies", "array"}, {"user_id", "integer"}}),
                true);
    CHECK_SHAPE(a.value(QLatin1String("account_list")).toArray().at(0).toObject(),
                (QList<Field>{{"account_category", "string"}, {"account_type", "string"}, {"broker", "string"},
                              {"created_at", "integer"}, {"currency", "string"}, {"currency_type", "string"},
                              {"is_disabled", "flag"}, {"is_virtual", "flag"}, {"landing_company_name", "string"},
                              {"linked_to", "array"}, {"loginid", "string"}}),
                true);
}

void TestSimSchema::publicCalls()
{
    QJsonObject r = m_client->call({{QStringLiteral("ping"), 1}});
    checkEnvelope(r, QStringLiteral("ping"));
    QCOMPARE(r.value(QLatin1String("ping")).toString(), QStringLiteral("pong"));
    r = m_client->call({{QStringLiteral("time"), 1}});
    checkEnvelope(r, QStringLiteral("time"));
    QVERIFY(hasType(r.value(QLatin1String("time")), QStringLiteral("integer")));

    r = m_client->call({{QStringLiteral("website_status"), 1}});
    checkEnvelope(r, QStringLiteral("website_status"));
    const QJsonObject ws = r.value(QLatin1String("website_status")).toObject();
    CHECK_SHAPE(ws,
                (QList<Field>{{"api_call_limits", "object"}, {"broker_codes", "array", false}, {"clients_country", "string", false},
                              {"currencies_config", "object"}, {"site_status", "string"},
                              {"supported_languages", "array", false}, {"terms_conditions_version", "string", false}}),
                true);
    const QJsonObject limits = ws.value(QLatin1String("api_call_limits")).toObject();
    CHECK_SHAPE(limits.value(QLatin1String("max_proposal_subscription")).toObject(),
                (QList<Field>{{"applies_to", "string"}, {"max", "number"}}), true);
    for (const char *k : {"max_requestes_general", "max_requests_outcome", "max_requests_pricing"})
        CHECK_SHAPE(limits.value(QLatin1String(k)).toObject(),
                    (QList<Field>{{"applies_to", "string"}, {"hourly", "number"}, {"minutely", "number"}}), true);
    CHECK_SHAPE(ws.value(QLatin1String("currencies_config")).toObject().value(QLatin1String("USD")).toObject(),
                (QList<Field>{{"fractional_digits", "number"}, {"is_deposit_suspended", "flag"}, {"is_suspended", "flag"},
                              {"is_withdrawal_suspended", "flag"}, {"name", "string", false}, {"stake_default", "number"},
                              {"transfer_between_accounts", "object"}, {"type", "string"}}),
                true);

    for (const char *mode : {"brief", "full"}) {
        r = m_client->call({{QStringLiteral("active_symbols"), QLatin1String(mode)}});
        checkEnvelope(r, QStringLiteral("active_symbols"));
        for (const QJsonValue &v : r.value(QLatin1String("active_symbols")).toArray()) {
            CHECK_SHAPE(v.toObject(),
                        (QList<Field>{{"allow_forward_starting", "flag", false}, {"delay_amount", "integer", false},
                                      {"display_name", "string"}, {"display_order", "integer"}, {"exchange_is_open", "flag"},
                                      {"exchange_name", "string", false}, {"intraday_interval_minutes", "integer", false},
                                      {"is_trading_suspended", "flag"}, {"market", "string"}, {"market_display_name", "string"},
                                      {"pip", "number"}, {"quoted_currency_symbol", "string", false}, {"spot", "number|null", false},
                                      {"spot_age", "string", false}, {"spot_percentage_change", "string", false},
                                      {"spot_time", "string", false}, {"subgroup", "string"}, {"subgroup_display_name", "string"},
                                      {"submarket", "string"}, {"submarket_display_name", "string"}, {"symbol", "string"},
                                      {"symbol_type", "string"}}),
                        true);
        }
    }

    r = m_client->call({{QStringLiteral("contracts_for"), QStringLiteral("R_100")}});
    checkEnvelope(r, QStringLiteral("contracts_for"));
    const QJsonArray available = r.value(QLatin1String("contracts_for")).toObject().value(QLatin1String("available")).toArray();
    QVERIFY(!available.isEmpty());
    for (const QJsonValue &v : available) {
        CHECK_SHAPE(v.toObject(),
                    (QList<Field>{{"barrier_category", "string"}, {"barriers", "number"}, {"contract_category", "string"},
                                  {"contract_category_display", "string"}, {"contract_type", "string"}, {"exchange_name", "string"},
                                  {"expiry_type", "string"}, {"market", "string"}, {"max_contract_duration", "string"},
                                  {"min_contract_duration", "string"}, {"sentiment", "string"}, {"start_type", "string"},
                                  {"submarket", "string"}, {"underlying_symbol", "string"}, {"last_digit_range", "array", false}}),
                    true);
    }
}

void TestSimSchema::tickAndHistory()
{
    const qint64 reqId = m_client->send({{QStringLiteral("ticks"), QStringLiteral("R_75")}, {QStringLiteral("subscribe"), 1}});
    QTRY_VERIFY(m_server->stats().connections.value(0).subscriptionsByType.value(QStringLiteral("ticks")) == 1);
    m_server->advanceTime(2'000);
    const QJsonObject t = m_client->reply(reqId);
    checkEnvelope(t, QStringLiteral("tick"));
    QVERIFY(t.contains(QLatin1String("subscription")));
    CHECK_SHAPE(t.value(QLatin1String("tick")).toObject(),
                (QList<Field>{{"ask", "number"}, {"bid", "number"}, {"epoch", "integer"}, {"id", "string"}, {"pip_size", "number"},
                              {"quote", "number"}, {"symbol", "string"}}),
                true);
    m_client->call({{QStringLiteral("forget_all"), QStringLiteral("ticks")}});

    QJsonObject r = m_client->call({{QStringLiteral("ticks_history"), QStringLiteral("R_75")}, {QStringLiteral("end"), QStringLiteral("latest")},
                                    {QStringLiteral("count"), 5}});
    checkEnvelope(r, QStringLiteral("history"));
    CHECK_SHAPE(r.value(QLatin1String("history")).toObject(), (QList<Field>{{"prices", "array"}, {"times", "array"}}), true);
    QVERIFY(hasType(r.value(QLatin1String("pip_size")), QStringLiteral("number")));
    for (const QJsonValue &v : r.value(QLatin1String("history")).toObject().value(QLatin1String("times")).toArray())
        QVERIFY(hasType(v, QStringLiteral("integer")));
    r = m_client->call({{QStringLiteral("ticks_history"), QStringLiteral("R_75")}, {QStringLiteral("end"), QStringLiteral("latest")},
                        {QStringLiteral("count"), 5}, {QStringLiteral("style"), QStringLiteral("candles")}});
    checkEnvelope(r, QStringLiteral("candles"));
    for (const QJsonValue &v : r.value(QLatin1String("candles")).toArray())
        CHECK_SHAPE(v.toObject(),
                    (QList<Field>{{"close", "number"}, {"epoch", "integer"}, {"high", "number"}, {"low", "number"}, {"open", "number"}}),
                    true);
}

void TestSimSchema::proposal()
{
    const QJsonObject r = m_client->call({{QStringLiteral("proposal"), 1}, {QStringLiteral("contract_type"), QStringLiteral("DIGITOVER")},
                                          {QStringLiteral("barrier"), QStringLiteral("4")}, {QStringLiteral("currency"), QStringLiteral("USD")},
                                          {QStringLiteral("symbol"), QStringLiteral("R_10")}, {QStringLiteral("amount"), 10},
                                          {QStringLiteral("basis"), QStringLiteral("stake")}, {QStringLiteral("duration"), 5},
                                          {QStringLiteral("duration_unit"), QStringLiteral("t")}});
    checkEnvelope(r, QStringLiteral("proposal"));
    const QJsonObject p = r.value(QLatin1String("proposal")).toObject();
    CHECK_SHAPE(p,
                (QList<Field>{{"ask_price", "number"}, {"contract_details", "object", false}, {"date_expiry", "integer", false},
                              {"date_start", "integer"}, {"display_value", "string"}, {"id", "string"}, {"longcode", "string"},
                              {"payout", "number"}, {"spot", "number"}, {"spot_time", "integer"},
                              {"validation_params", "object", false}}),
                true);
    CHECK_SHAPE(p.value(QLatin1String("contract_details")).toObject(),
                (QList<Field>{{"barrier", "string", false}, {"last_tick_epoch", "integer", false}, {"maximum_ticks", "integer", false}}),
                true);
}

void TestSimSchema::buyAndContractStream()
{
    const QJsonObject r = m_client->call({{QStringLiteral("buy"), QStringLiteral("1")}, {QStringLiteral("price"), 5}, {QStringLiteral("subscribe"), 1},
                                          {QStringLiteral("parameters"), QJsonObject{{QStringLiteral("contract_type"), QStringLiteral("CALL")},
                                                                                     {QStringLiteral("currency"), QStringLiteral("USD")},
                                                                                     {QStringLiteral("symbol"), QStringLiteral("R_100")},
                                                                                     {QStringLiteral("amount"), 5},
                                                                                     {QStringLiteral("basis"), QStringLiteral("stake")},
                                                                                     {QStringLiteral("duration"), 2},
                                                                                     {QStringLiteral("duration_unit"), QStringLiteral("t")}}}});
    checkEnvelope(r, QStringLiteral("buy"));
    CHECK_SHAPE(r.value(QLatin1String("buy")).toObject(),
                (QList<Field>{{"balance_after", "number"}, {"buy_price", "number"}, {"contract_id", "integer"}, {"longcode", "string"},
                              {"payout", "number"}, {"purchase_time", "integer"}, {"shortcode", "string"}, {"start_time", "integer"},
                              {"transaction_id", "integer"}}),
                true);
    const QString sub = r.value(QLatin1String("subscription")).toObject().value(QLatin1String("id")).toString();
    m_server->advanceTime(6'000);
    const QList<QJsonObject> frames = m_client->takeStream(sub, 5);
    QCOMPARE(frames.size(), 5); // open, entry, tick, expired, sold
    for (const QJsonObject &f : frames) {
        QVERIFY(f.value(QLatin1String("echo_req")).isObject());
        QCOMPARE(f.value(QLatin1String("msg_type")).toString(), QStringLiteral("proposal_open_contract"));
        const QJsonObject poc = f.value(QLatin1String("proposal_open_contract")).toObject();
        CHECK_SHAPE(poc, s_pocFields, true);
        const QString status = poc.value(QLatin1String("status")).toString();
        QVERIFY(QStringList({"open", "won", "lost", "sold"}).contains(status));
        CHECK_SHAPE(poc.value(QLatin1String("transaction_ids")).toObject(),
                    (QList<Field>{{"buy", "integer"}, {"sell", "integer", false}}), true);
        for (const QJsonValue &t : poc.value(QLatin1String("tick_stream")).toArray())
            CHECK_SHAPE(t.toObject(), (QList<Field>{{"epoch", "integer"}, {"tick", "number|null"}, {"tick_display_value", "string|null"}}), true);
    }
    const QJsonObject last = frames.last().value(QLatin1String("proposal_open_contract")).toObject();
    CHECK_SHAPE(last, (QList<Field>{{"sell_price", "number"}, {"sell_time", "integer"}, {"exit_tick", "number"}, {"entry_tick", "number"}}), false);
}

void TestSimSchema::sell()
{
    ResaleRules rules;
    rules.riseFallTicks = true;
    m_server->setResaleRules(rules);
    const QJsonObject b = m_client->call({{QStringLiteral("buy"), QStringLiteral("1")}, {QStringLiteral("price"), 5},
                                          {QStringLiteral("parameters"), QJsonObject{{QStringLiteral("contract_type"), QStringLiteral("PUT")},
                                                                                     {QStringLiteral("currency"), QStringLiteral("USD")},
                                                                                     {QStringLiteral("symbol"), QStringLiteral("R_100")},
                                                                                     {QStringLiteral("amount"), 5},
                                                                                     {QStringLiteral("basis"), QStringLiteral("stake")},
                                                                                     {QStringLiteral("duration"), 10},
                                                                                     {QStringLiteral("duration_unit"), QStringLiteral("t")}}}});
    m_server->advanceTime(4'000);
    const QJsonObject r = m_client->call({{QStringLiteral("sell"), b.value(QLatin1String("buy")).toObject().value(QLatin1String("contract_id"))},
                                          {QStringLiteral("price"), 0}});
    checkEnvelope(r, QStringLiteral("sell"));
    CHECK_SHAPE(r.value(QLatin1String("sell")).toObject(),
                (QList<Field>{{"balance_after", "number"}, {"contract_id", "integer"}, {"reference_id", "integer"}, {"sold_for", "number"},
                              {"transaction_id", "integer"}}),
                true);
    m_server->setResaleRules(ResaleRules());
}

void TestSimSchema::accountQueries()
{
    QJsonObject r = m_client->call({{QStringLiteral("balance"), 1}, {QStringLiteral("account"), QStringLiteral("all")}});
    checkEnvelope(r, QStringLiteral("balance"));
    const QJsonObject b = r.value(QLatin1String("balance")).toObject();
    CHECK_SHAPE(b, (QList<Field>{{"accounts", "object", false}, {"balance", "number"}, {"currency", "string"}, {"id", "string", false},
                                 {"loginid", "string"}, {"total", "object", false}}),
                true);
    for (const QJsonValue &acc : b.value(QLatin1String("accounts")).toObject())
        CHECK_SHAPE(acc.toObject(), (QList<Field>{{"balance", "number"}, {"converted_amount", "number"}, {"currency", "string"},
                                                  {"demo_account", "flag"}, {"status", "flag"}, {"type", "string"}}),
                    true);

    m_client->call({{QStringLiteral("buy"), QStringLiteral("1")}, {QStringLiteral("price"), 1},
                    {QStringLiteral("parameters"), QJsonObject{{QStringLiteral("contract_type"), QStringLiteral("CALL")},
                                                               {QStringLiteral("currency"), QStringLiteral("USD")},
                                                               {QStringLiteral("symbol"), QStringLiteral("R_100")},
                                                               {QStringLiteral("amount"), 1}, {QStringLiteral("basis"), QStringLiteral("stake")},
                                                               {QStringLiteral("duration"), 60},
                                                               {QStringLiteral("duration_unit"), QStringLiteral("s")}}}});
    r = m_client->call({{QStringLiteral("portfolio"), 1}});
    checkEnvelope(r, QStringLiteral("portfolio"));
    const QJsonArray contracts = r.value(QLatin1String("portfolio")).toObject().value(QLatin1String("contracts")).toArray();
    QVERIFY(!contracts.isEmpty());
    for (const QJsonValue &v : contracts) {
        CHECK_SHAPE(v.toObject(),
                    (QList<Field>{{"app_id", "integer|null", false}, {"buy_price", "number"}, {"contract_id", "integer"},
                                  {"contract_type", "string"}, {"currency", "string"}, {"date_start", "integer"}, {"expiry_time", "integer"},
                                  {"longcode", "string"}, {"payout", "number"}, {"purchase_time", "integer"}, {"shortcode", "string"},
                                  {"symbol", "string"}, {"transaction_id", "integer"}}),
                    true);
    }

    r = m_client->call({{QStringLiteral("profit_table"), 1}, {QStringLiteral("description"), 1}});
    checkEnvelope(r, QStringLiteral("profit_table"));
    QVERIFY(hasType(r.value(QLatin1String("profit_table")).toObject().value(QLatin1String("count")), QStringLiteral("number")));
    const QJsonArray rows = r.value(QLatin1String("profit_table")).toObject().value(QLatin1String("transactions")).toArray();
    QVERIFY(rows.size() >= 2);
    for (const QJsonValue &v : rows) {
        CHECK_SHAPE(v.toObject(),
                    (QList<Field>{{"app_id", "integer|null", false}, {"buy_price", "number"}, {"contract_id", "integer|null"},
                                  {"contract_type", "string"}, {"duration_type", "string|null", false}, {"longcode", "string"},
                                  {"payout", "number"}, {"purchase_time", "integer"}, {"sell_price", "number"},
                                  {"sell_time", "integer|null"}, {"shortcode", "string"}, {"transaction_id", "integer"},
                                  {"underlying_symbol", "string"}}),
                    true);
    }

    r = m_client->call({{QStringLiteral("statement"), 1}, {QStringLiteral("description"), 1}});
    checkEnvelope(r, QStringLiteral("statement"));
    const QJsonArray lines = r.value(QLatin1String("statement")).toObject().value(QLatin1String("transactions")).toArray();
    QVERIFY(lines.size() >= 5);
    for (const QJsonValue &v : lines) {
        CHECK_SHAPE(v.toObject(),
                    (QList<Field>{{"action_type", "string"}, {"amount", "number"}, {"app_id", "integer|null", false},
                                  {"balance_after", "number"}, {"contract_id", "integer|null"}, {"longcode", "string"},
                                  {"payout", "number|null"}, {"purchase_time", "integer", false}, {"reference_id", "integer|null"},
                                  {"shortcode", "string|null"}, {"transaction_id", "integer"}, {"transaction_time", "integer"}}),
                    true);
        QVERIFY(QStringList({"buy", "sell", "deposit"}).contains(v.toObject().value(QLatin1String("action_type")).toString()));
    }
}

void TestSimSchema::streams()
{
    QJsonObject r = m_client->call({{QStringLiteral("transaction"), 1}, {QStringLiteral("subscribe"), 1}});
    checkEnvelope(r, QStringLiteral("transaction"));
    const QString tx = r.value(QLatin1String("subscription")).toObject().value(QLatin1String("id")).toString();
    r = m_client->call({{QStringLiteral("balance"), 1}, {QStringLiteral("subscribe"), 1}});
    checkEnvelope(r, QStringLiteral("balance"));
    const QString bal = r.value(QLatin1String("subscription")).toObject().value(QLatin1String("id")).toString();
    r = m_client->call({{QStringLiteral("proposal_open_contract"), 1}, {QStringLiteral("subscribe"), 1}});
    checkEnvelope(r, QStringLiteral("proposal_open_contract"));
    CHECK_SHAPE(r.value(QLatin1String("proposal_open_contract")).toObject(), s_pocFields, true);
    m_server->advanceTime(60'000); // the 60 s contract settles
    const QJsonObject event = m_client->takeStream(tx, 1).value(0);
    QCOMPARE(event.value(QLatin1String("msg_type")).toString(), QStringLiteral("transaction"));
    CHECK_SHAPE(event.value(QLatin1String("transaction")).toObject(),
                (QList<Field>{{"action", "string"}, {"amount", "number"}, {"balance", "number"}, {"barrier", "null|number|string", false},
                              {"contract_id", "integer|null"}, {"currency", "string"}, {"date_expiry", "integer"},
                              {"display_name", "string"}, {"id", "string"}, {"longcode", "string"}, {"purchase_time", "integer"},
                              {"symbol", "string"}, {"transaction_id", "integer"}, {"transaction_time", "integer"}}),
                true);
    const QJsonObject balance = m_client->takeStream(bal, 1).value(0);
    CHECK_SHAPE(balance.value(QLatin1String("balance")).toObject(),
                (QList<Field>{{"balance", "number"}, {"currency", "string"}, {"id", "string"}, {"loginid", "string"}}), true);
    m_client->call({{QStringLiteral("forget_all"), QJsonArray{QStringLiteral("balance"), QStringLiteral("transaction"),
                                                              QStringLiteral("proposal_open_contract")}}});
}

void TestSimSchema::apiTokenAndForget()
{
    QJsonObject r = m_client->call({{QStringLiteral("api_token"), 1}, {QStringLiteral("new_token"), QStringLiteral("Schema Bot")},
                                    {QStringLiteral("new_token_scopes"), QJsonArray{QStringLiteral("read")}}});
    checkEnvelope(r, QStringLiteral("api_token"));
    const QJsonObject a = r.value(QLatin1String("api_token")).toObject();
    CHECK_SHAPE(a, (QList<Field>{{"delete_token", "flag", false}, {"new_token", "flag", false}, {"tokens", "array"}}), true);
    for (const QJsonValue &v : a.value(QLatin1String("tokens")).toArray())
        CHECK_SHAPE(v.toObject(), (QList<Field>{{"display_name", "string"}, {"last_used", "string"}, {"scopes", "array"},
                                                {"token", "string"}, {"valid_for_ip", "string", false}}),
                    true);
    r = m_client->call({{QStringLiteral("forget"), QStringLiteral("0123456789abcdef0123456789abcdef")}});
    checkEnvelope(r, QStringLiteral("forget"));
    QVERIFY(hasType(r.value(QLatin1String("forget")), QStringLiteral("flag")));
    r = m_client->call({{QStringLiteral("forget_all"), QStringLiteral("ticks")}});
    checkEnvelope(r, QStringLiteral("forget_all"));
    QVERIFY(r.value(QLatin1String("forget_all")).isArray());
    r = m_client->call({{QStringLiteral("sell_expired"), 1}});
    checkEnvelope(r, QStringLiteral("sell_expired"));
    CHECK_SHAPE(r.value(QLatin1String("sell_expired")).toObject(), (QList<Field>{{"count", "integer"}}), true);
    r = m_client->call({{QStringLiteral("logout"), 1}});
    checkEnvelope(r, QStringLiteral("logout"));
    QCOMPARE(r.value(QLatin1String("logout")).toInt(), 1);
}

void TestSimSchema::errors()
{
    for (const QJsonObject &req : {QJsonObject{{QStringLiteral("balance"), 1}}, QJsonObject{{QStringLiteral("nonsense"), 1}},
                                   QJsonObject{{QStringLiteral("ping"), 2}}}) {
        const QJsonObject r = m_client->call(req);
        QVERIFY(r.value(QLatin1String("echo_req")).isObject());
        QVERIFY(r.value(QLatin1String("msg_type")).isString());
        CHECK_SHAPE(r.value(QLatin1String("error")).toObject(),
                    (QList<Field>{{"code", "string"}, {"message", "string"}, {"details", "object", false}}), true);
    }
}

QTEST_GUILESS_MAIN(TestSimSchema)
#include "tst_simschema.moc"
