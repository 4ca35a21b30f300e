// SPDX-License-Identifier: GPL-3.0-or-later
// The connection and the envelope: app_id, echo_req/req_id/passthrough, validation, authorization
// and scopes, rate limits, subscriptions and their life, token deletion, malformed input.
#include <memory>

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include "sim/simserver.h"
#include "simtestclient.h"
#include "support/fakeclock.h"

using namespace Vigil;
using namespace Vigil::Sim;
using Vigil::Test::SimTestClient;

namespace {
constexpr qint64 s_start = 1'700'000'000'000;
const QString s_token = QStringLiteral("protocolToken01"); // Deriv tokens are alphanumeric (delete_token requires it)

QString errorCode(const QJsonObject &reply)
{
    return reply.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString();
}

QString subscriptionId(const QJsonObject &reply)
{
    return reply.value(QLatin1String("subscription")).toObject().value(QLatin1String("id")).toString();
}

QUrl withQuery(QUrl url, const QString &query)
{
    url.setQuery(query);
    return url;
}
} // namespace

class TestSimProtocol final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void refusesMissingOrMalformedAppId_data();
    void refusesMissingOrMalformedAppId();
    void envelopeEchoesRequest();
    void unknownCallIsUnrecognised();
    void schemaViolationsNameTheField_data();
    void schemaViolationsNameTheField();
    void invalidJsonClosesWith1007();
    void authorizationAndScopes();
    void timeAndPingUseVirtualClock();
    void pingFloodIsRateLimitedAndClosed();
    void generalAndOutcomeBudgetsPerAccount();
    void rateLimitsCanBeDisabled();
    void proposalSubscriptionsCappedPerAccount();
    void ticksStreamFromNextTick();
    void ticksHistoryTicksAndCandles();
    void forgetAndForgetAll();
    void logoutKeepsPublicStreams();
    void stateDiesWithTheConnection();
    void deletingTokenKillsSessions();
    void apiTokenLifecycle();
    void websiteStatusAndActiveSymbols();
    void accountStatusAndPayoutCurrencies();
    void tradingTimesListEverySymbol();
    void updatingIsFollowedByDisconnect();
    void idleConnectionIsClosed();
    void timeScaleRunsFasterThanRealTime();
    void requestLogNeverShowsTokens();
    void closeDropsConnectionsAndStopsListening();

private:
    std::unique_ptr<SimTestClient> connectClient(bool authorize = true);

    Test::FakeClock m_realClock{s_start};
    std::unique_ptr<SimServer> m_server;
    QString m_loginid;
};

void TestSimProtocol::init()
{
    SimConfig config;
    config.manualClock = true;
    config.startEpochMs = s_start;
    config.clock = &m_realClock;
    config.historyTicks = 300;
    m_server = std::make_unique<SimServer>(config);
    m_loginid = m_server->addAccount(s_token).value();
    QVERIFY(m_server->listen().ok());
}

void TestSimProtocol::cleanup()
{
    m_server.reset();
}

std::unique_ptr<SimTestClient> TestSimProtocol::connectClient(bool authorize)
{
    auto c = std::make_unique<SimTestClient>();
    if (!c->open(m_server->url()))
        return nullptr;
    if (authorize && c->call({{QStringLiteral("authorize"), s_token}}).contains(QLatin1String("error")))
        return nullptr;
    return c;
}

void TestSimProtocol::refusesMissingOrMalformedAppId_data()
{
    QTest::addColumn<QString>("query");
    QTest::newRow("missing") << "";
    QTest::newRow("empty") << "app_id=";
    QTest::newRow("letters") << "app_id=abc";
    QTest::newRow("other params only") << "l=EN&brand=deriv";
}

void TestSimProtocol::refusesMissingOrMalformedAppId()
{
    QFETCH(QString, query);
    // The raw upgrade gets Deriv's 401 InvalidAppID.
    QTcpSocket tcp;
    tcp.connectToHost(QHostAddress::LocalHost, m_server->port());
    QVERIFY(tcp.waitForConnected(3000));
    const QByteArray path = "/websockets/v3" + (query.isEmpty() ? QByteArray() : "?" + query.toLatin1());
    tcp.write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    QByteArray response;
    QTRY_VERIFY((response += tcp.readAll()).contains("InvalidAppID"));
    QVERIFY(response.startsWith("HTTP/1.1 401"));
    QVERIFY(response.endsWith("{\"error\":\"InvalidAppID\"}"));
    // A WebSocket client cannot connect.
    QWebSocket ws;
    QSignalSpy failed(&ws, &QWebSocket::disconnected);
    ws.open(withQuery(m_server->url(), query));
    QVERIFY(failed.wait(3000));
    QCOMPARE(m_server->connectionCount(), 0);
    // With a valid app_id it connects.
    SimTestClient ok;
    QVERIFY(ok.open(withQuery(m_server->url(), QStringLiteral("app_id=1089&l=EN&brand=deriv"))));
}

void TestSimProtocol::envelopeEchoesRequest()
{
    auto c = connectClient(false);
    QVERIFY(c);
    const QJsonObject passthrough{{QStringLiteral("bot"), QStringLiteral("b-1")}, {QStringLiteral("n"), 3}};
    const QJsonObject r = c->call({{QStringLiteral("ping"), 1}, {QStringLiteral("req_id"), 42}, {QStringLiteral("passthrough"), passthrough}});
    QCOMPARE(r.value(QLatin1String("msg_type")).toString(), QStringLiteral("ping"));
    QCOMPARE(r.value(QLatin1String("ping")).toString(), QStringLiteral("pong"));
    QCOMPARE(r.value(QLatin1String("req_id")).toInt(), 42);
    QCOMPARE(r.value(QLatin1String("passthrough")).toObject(), passthrough);
    const QJsonObject echo = r.value(QLatin1String("echo_req")).toObject();
    QCOMPARE(echo.value(QLatin1String("ping")).toInt(), 1);
    QCOMPARE(echo.value(QLatin1String("req_id")).toInt(), 42);
    QCOMPARE(echo.value(QLatin1String("passthrough")).toObject(), passthrough);
    // No req_id in the request, none in the reply.
    c->sendRaw(QStringLiteral("{\"time\":1}"));
    const QJsonObject t = c->take(SimTestClient::byMsgType(QStringLiteral("time")));
    QVERIFY(!t.isEmpty());
    QVERIFY(!t.contains(QLatin1String("req_id")));
    // The token never comes back.
    const QJsonObject a = c->call({{QStringLiteral("authorize"), s_token}});
    QCOMPARE(a.value(QLatin1String("echo_req")).toObject().value(QLatin1String("authorize")).toString(), QStringLiteral("<not shown>"));
    for (const QString &raw : c->rawFrames())
        QVERIFY(!raw.contains(s_token));
}

void TestSimProtocol::unknownCallIsUnrecognised()
{
    auto c = connectClient(false);
    QVERIFY(c);
    const QJsonObject r = c->call({{QStringLiteral("teleport"), 1}});
    QCOMPARE(r.value(QLatin1String("msg_type")).toString(), QStringLiteral("error"));
    QCOMPARE(errorCode(r), QStringLiteral("UnrecognisedRequest"));
    QCOMPARE(r.value(QLatin1String("echo_req")).toObject().value(QLatin1String("teleport")).toInt(), 1);
}

void TestSimProtocol::schemaViolationsNameTheField_data()
{
    QTest::addColumn<QJsonObject>("request");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("reason");
    QTest::newRow("missing required") << QJsonObject{{QStringLiteral("ticks_history"), QStringLiteral("R_100")}} << "end"
                                      << "Missing property.";
    QTest::newRow("wrong type") << QJsonObject{{QStringLiteral("sell"), QStringLiteral("123")}, {QStringLiteral("price"), 0}}
                                << "sell" << "Expected integer - got string.";
    QTest::newRow("unknown property") << QJsonObject{{QStringLiteral("ping"), 1}, {QStringLiteral("pong"), 1}} << "pong"
                                      << "Properties not allowed: pong.";
    QTest::newRow("enum") << QJsonObject{{QStringLiteral("active_symbols"), QStringLiteral("all")}} << "active_symbols"
                          << "Not in enum list: brief, full.";
    QTest::newRow("pattern") << QJsonObject{{QStringLiteral("authorize"), QStringLiteral("bad token!")}} << "authorize"
                             << "String does not match ^[\\w\\-]{1,128}$.";
    QTest::newRow("req_id string") << QJsonObject{{QStringLiteral("time"), 1}, {QStringLiteral("req_id"), QStringLiteral("7")}}
                                   << "req_id" << "Expected integer - got string.";
    QTest::newRow("below minimum") << QJsonObject{{QStringLiteral("statement"), 1}, {QStringLiteral("limit"), 1000}} << "limit"
                                   << "1000 > maximum(999)";
    QTest::newRow("nested parameters") << QJsonObject{{QStringLiteral("buy"), QStringLiteral("1")}, {QStringLiteral("price"), 1},
                                                      {QStringLiteral("parameters"), QJsonObject{{QStringLiteral("currency"), QStringLiteral("USD")}, {QStringLiteral("symbol"), QStringLiteral("R_100")}}}}
                                       << "parameters/contract_type" << "Missing property.";
}

void TestSimProtocol::schemaViolationsNameTheField()
{
    QFETCH(QJsonObject, request);
    QFETCH(QString, field);
    QFETCH(QString, reason);
    auto c = connectClient(true);
    QVERIFY(c);
    request.insert(QStringLiteral("req_id"), request.value(QLatin1String("req_id")).isString() ? request.value(QLatin1String("req_id")) : QJsonValue(9));
    c->send(request);
    const QJsonObject r = c->take([](const QJsonObject &f) { return f.contains(QLatin1String("error")); });
    const QJsonObject e = r.value(QLatin1String("error")).toObject();
    QCOMPARE(e.value(QLatin1String("code")).toString(), QStringLiteral("InputValidationFailed"));
    QCOMPARE(e.value(QLatin1String("details")).toObject().value(field).toString(), reason);
    QVERIFY(e.value(QLatin1String("message")).toString().startsWith(QStringLiteral("Input validation failed: ")));
    QVERIFY(e.value(QLatin1String("message")).toString().contains(field));
}

void TestSimProtocol::invalidJsonClosesWith1007()
{
    auto c = connectClient(false);
    QVERIFY(c);
    c->sendRaw(QStringLiteral("{\"ping\": 1,"));
    QVERIFY(c->waitForDisconnected());
    QCOMPARE(c->closeCode(), 1007);
    auto d = connectClient(false);
    QVERIFY(d);
    d->sendRaw(QStringLiteral("[1,2,3]"));
    QVERIFY(d->waitForDisconnected());
    QCOMPARE(d->closeCode(), 1007);
    // Deriv speaks text frames only.
    auto e = connectClient(false);
    QVERIFY(e);
    e->socket().sendBinaryMessage(QByteArray("{\"ping\":1}"));
    QVERIFY(e->waitForDisconnected());
    QCOMPARE(e->closeCode(), 1003);
}

void TestSimProtocol::authorizationAndScopes()
{
    auto c = connectClient(false);
    QVERIFY(c);
    QJsonObject r = c->call({{QStringLiteral("balance"), 1}});
    QCOMPARE(errorCode(r), QStringLiteral("AuthorizationRequired"));
    QCOMPARE(r.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString(), QStringLiteral("Please log in."));
    QCOMPARE(r.value(QLatin1String("msg_type")).toString(), QStringLiteral("balance"));
    r = c->call({{QStringLiteral("authorize"), QStringLiteral("no-such-token")}});
    QCOMPARE(errorCode(r), QStringLiteral("InvalidToken"));
    QCOMPARE(r.value(QLatin1String("msg_type")).toString(), QStringLiteral("authorize"));

    // A read-only token can read but not trade or manage tokens.
    auto readOnly = m_server->createToken(m_loginid, QStringLiteral("reader"), {QStringLiteral("read")});
    QVERIFY(readOnly.ok());
    r = c->call({{QStringLiteral("authorize"), *readOnly}});
    QCOMPARE(r.value(QLatin1String("authorize")).toObject().value(QLatin1String("scopes")).toArray(), QJsonArray{QStringLiteral("read")});
    QVERIFY(!c->call({{QStringLiteral("balance"), 1}}).contains(QLatin1String("error")));
    r = c->call({{QStringLiteral("buy"), QStringLiteral("1")}, {QStringLiteral("price"), 1},
                 {QStringLiteral("parameters"), QJsonObject{{QStringLiteral("contract_type"), QStringLiteral("CALL")},
                                                            {QStringLiteral("currency"), QStringLiteral("USD")},
                                                            {QStringLiteral("symbol"), QStringLiteral("R_100")},
                                                            {QStringLiteral("amount"), 1}, {QStringLiteral("basis"), QStringLiteral("stake")},
                                                            {QStringLiteral("duration"), 5}, {QStringLiteral("duration_unit"), QStringLiteral("t")}}}});
    QCOMPARE(errorCode(r), QStringLiteral("PermissionDenied"));
    QVERIFY(r.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString().contains(QLatin1String("trade")));
    QCOMPARE(errorCode(c->call({{QStringLiteral("api_token"), 1}})), QStringLiteral("PermissionDenied"));
    QCOMPARE(m_server->stats().account(m_loginid)->buysReceived, 0);

    // The full authorize reply.
    r = c->call({{QStringLiteral("authorize"), s_token}});
    const QJsonObject a = r.value(QLatin1String("authorize")).toObject();
    QCOMPARE(a.value(QLatin1String("loginid")).toString(), m_loginid);
    QCOMPARE(a.value(QLatin1String("currency")).toString(), QStringLiteral("USD"));
    QCOMPARE(a.value(QLatin1String("balance")).toDouble(), 10000.0);
    QCOMPARE(a.value(QLatin1String("is_virtual")).toInt(), 1);
    QCOMPARE(a.value(QLatin1String("account_list")).toArray().first().toObject().value(QLatin1String("loginid")).toString(), m_loginid);
    QVERIFY(m_loginid.startsWith(QLatin1String("VRTC")));
}

void TestSimProtocol::timeAndPingUseVirtualClock()
{
    auto c = connectClient(false);
    QVERIFY(c);
    QCOMPARE(c->call({{QStringLiteral("time"), 1}}).value(QLatin1String("time")).toInteger(), s_start / 1000);
    m_server->advanceTime(90'000);
    QCOMPARE(c->call({{QStringLiteral("time"), 1}}).value(QLatin1String("time")).toInteger(), s_start / 1000 + 90);
}

void TestSimProtocol::pingFloodIsRateLimitedAndClosed()
{
    auto c = connectClient(false);
    QVERIFY(c);
    for (int i = 0; i < 10; ++i)
        QCOMPARE(c->call({{QStringLiteral("ping"), 1}}).value(QLatin1String("ping")).toString(), QStringLiteral("pong"));
    const QJsonObject r = c->call({{QStringLiteral("time"), 1}});
    QCOMPARE(errorCode(r), QStringLiteral("RateLimit"));
    QCOMPARE(r.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString(),
             QStringLiteral("You have reached the rate limit for time."));
    QVERIFY(c->waitForDisconnected());
    QCOMPARE(c->closeCode(), 1008);
    // Per connection, per second: another connection, and the same one a second later, are fine.
    auto d = connectClient(false);
    QVERIFY(d);
    for (int i = 0; i < 10; ++i)
        QVERIFY(!d->call({{QStringLiteral("ping"), 1}}).contains(QLatin1String("error")));
    m_realClock.advance(1000);
    QVERIFY(!d->call({{QStringLiteral("ping"), 1}}).contains(QLatin1String("error")));
}

void TestSimProtocol::generalAndOutcomeBudgetsPerAccount()
{
    auto c = connectClient(true); // authorize: 1 general call
    auto d = connectClient(true); // another connection of the same account shares the budget
    QVERIFY(c && d);
    for (int i = 0; i < 25; ++i)
        QVERIFY2(!c->call({{QStringLiteral("portfolio"), 1}}).contains(QLatin1String("error")), qPrintable(QString::number(i)));
    QJsonObject r = d->call({{QStringLiteral("statement"), 1}});
    QCOMPARE(errorCode(r), QStringLiteral("RateLimit"));
    QCOMPARE(r.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString(),
             QStringLiteral("You have reached the rate limit for statement."));
    QVERIFY(d->isConnected()); // only ping/time floods close the socket
    // General calls have their own budget: 180 per minute (authorize itself counted against the
    // unauthenticated connection's app/IP budget, not the account's).
    for (int i = 0; i < 180; ++i)
        d->send({{QStringLiteral("balance"), 1}});
    QTRY_COMPARE(d->peek(SimTestClient::byMsgType(QStringLiteral("balance"))).size(), 180);
    for (const QJsonObject &f : d->peek(SimTestClient::byMsgType(QStringLiteral("balance"))))
        QVERIFY(!f.contains(QLatin1String("error")));
    QCOMPARE(errorCode(c->call({{QStringLiteral("balance"), 1}})), QStringLiteral("RateLimit"));
    // A minute later the windows have closed.
    m_realClock.advance(60'000);
    QVERIFY(!c->call({{QStringLiteral("balance"), 1}}).contains(QLatin1String("error")));
    QVERIFY(!c->call({{QStringLiteral("profit_table"), 1}}).contains(QLatin1String("error")));
}

void TestSimProtocol::rateLimitsCanBeDisabled()
{
    m_server->setRateLimitsEnabled(false);
    auto c = connectClient(false);
    QVERIFY(c);
    for (int i = 0; i < 30; ++i)
        c->send({{QStringLiteral("ping"), 1}});
    QTRY_COMPARE(c->peek(SimTestClient::byMsgType(QStringLiteral("ping"))).size(), 30);
    for (const QJsonObject &f : c->peek(SimTestClient::byMsgType(QStringLiteral("ping"))))
        QVERIFY(!f.contains(QLatin1String("error")));
    QVERIFY(c->isConnected());
}

void TestSimProtocol::proposalSubscriptionsCappedPerAccount()
{
    auto c = connectClient(true);
    auto d = connectClient(true);
    QVERIFY(c && d);
    auto proposal = [](int amount) {
        return QJsonObject{{QStringLiteral("proposal"), 1}, {QStringLiteral("subscribe"), 1},
                           {QStringLiteral("contract_type"), QStringLiteral("CALL")}, {QStringLiteral("currency"), QStringLiteral("USD")},
                           {QStringLiteral("symbol"), QStringLiteral("R_100")}, {QStringLiteral("amount"), amount},
                           {QStringLiteral("basis"), QStringLiteral("stake")}, {QStringLiteral("duration"), 5},
                           {QStringLiteral("duration_unit"), QStringLiteral("t")}};
    };
    QStringList ids;
    for (int i = 1; i <= 3; ++i)
        ids.append(subscriptionId(c->call(proposal(i))));
    for (int i = 4; i <= 5; ++i)
        ids.append(subscriptionId(d->call(proposal(i))));
    QCOMPARE(ids.size(), 5);
    QVERIFY(!ids.contains(QString()));
    const QJsonObject sixth = d->call(proposal(6));
    QCOMPARE(errorCode(sixth), QStringLiteral("RateLimit"));
    // Forgetting one frees a slot.
    QCOMPARE(c->call({{QStringLiteral("forget"), ids.first()}}).value(QLatin1String("forget")).toInt(), 1);
    QVERIFY(!d->call(proposal(6)).contains(QLatin1String("error")));
    // A closed connection releases its slots.
    c.reset();
    QTRY_COMPARE(m_server->connectionCount(), 1);
    QVERIFY(!d->call(proposal(7)).contains(QLatin1String("error")));
}

void TestSimProtocol::ticksStreamFromNextTick()
{
    auto c = connectClient(false);
    QVERIFY(c);
    const qint64 reqId = c->send({{QStringLiteral("ticks"), QStringLiteral("R_50")}, {QStringLiteral("subscribe"), 1}});
    QTRY_COMPARE(m_server->stats().connections.value(0).subscriptions, 1);
    // Nothing until the next tick.
    QVERIFY(c->peek([reqId](const QJsonObject &f) { return f.value(QLatin1String("req_id")).toInteger() == reqId; }).isEmpty());
    m_server->advanceTime(2'000);
    const QJsonObject first = c->reply(reqId);
    QCOMPARE(first.value(QLatin1String("msg_type")).toString(), QStringLiteral("tick"));
    const QJsonObject tick = first.value(QLatin1String("tick")).toObject();
    QCOMPARE(tick.value(QLatin1String("symbol")).toString(), QStringLiteral("R_50"));
    QCOMPARE(tick.value(QLatin1String("epoch")).toInteger(), s_start / 1000 + 2);
    QCOMPARE(tick.value(QLatin1String("pip_size")).toInt(), 4);
    QCOMPARE(tick.value(QLatin1String("id")).toString(), subscriptionId(first));
    QVERIFY(tick.value(QLatin1String("ask")).toDouble() > tick.value(QLatin1String("quote")).toDouble());
    QVERIFY(tick.value(QLatin1String("bid")).toDouble() < tick.value(QLatin1String("quote")).toDouble());
    // Quotes sit on the pip.
    const double q = tick.value(QLatin1String("quote")).toDouble() * 10000.0;
    QVERIFY(qAbs(q - qRound64(q)) < 1e-6);

    QCOMPARE(errorCode(c->call({{QStringLiteral("ticks"), QStringLiteral("R_50")}})), QStringLiteral("AlreadySubscribed"));
    QCOMPARE(errorCode(c->call({{QStringLiteral("ticks"), QStringLiteral("R_51")}})), QStringLiteral("InvalidSymbol"));

    // A list: one subscription per symbol.
    const qint64 listReq = c->send({{QStringLiteral("ticks"), QJsonArray{QStringLiteral("1HZ10V"), QStringLiteral("1HZ100V")}}});
    QTRY_COMPARE(m_server->stats().connections.value(0).subscriptions, 3); // the server has the request
    m_server->advanceTime(1'000);
    QTRY_COMPARE(c->peek([listReq](const QJsonObject &f) { return f.value(QLatin1String("req_id")).toInteger() == listReq; }).size(), 2);
    const QList<QJsonObject> both = c->peek([listReq](const QJsonObject &f) { return f.value(QLatin1String("req_id")).toInteger() == listReq; });
    QVERIFY(subscriptionId(both.at(0)) != subscriptionId(both.at(1)));
    QCOMPARE(m_server->stats().connections.value(0).subscriptionsByType.value(QStringLiteral("ticks")), 3);
}

void TestSimProtocol::ticksHistoryTicksAndCandles()
{
    auto c = connectClient(false);
    QVERIFY(c);
    QJsonObject r = c->call({{QStringLiteral("ticks_history"), QStringLiteral("R_100")}, {QStringLiteral("end"), QStringLiteral("latest")},
                             {QStringLiteral("count"), 10}, {QStringLiteral("style"), QStringLiteral("ticks")}});
    QCOMPARE(r.value(QLatin1String("msg_type")).toString(), QStringLiteral("history"));
    const QJsonObject h = r.value(QLatin1String("history")).toObject();
    const QJsonArray times = h.value(QLatin1String("times")).toArray();
    QCOMPARE(times.size(), 10);
    QCOMPARE(h.value(QLatin1String("prices")).toArray().size(), 10);
    QCOMPARE(times.last().toInteger(), s_start / 1000);
    QCOMPARE(times.first().toInteger(), s_start / 1000 - 18);
    QCOMPARE(r.value(QLatin1String("pip_size")).toInt(), 2);

    r = c->call({{QStringLiteral("ticks_history"), QStringLiteral("R_100")}, {QStringLiteral("end"), QString::number(s_start / 1000 - 100)},
                 {QStringLiteral("start"), s_start / 1000 - 110}});
    QCOMPARE(r.value(QLatin1String("history")).toObject().value(QLatin1String("times")).toArray().size(), 6);

    r = c->call({{QStringLiteral("ticks_history"), QStringLiteral("1HZ100V")}, {QStringLiteral("end"), QStringLiteral("latest")},
                 {QStringLiteral("style"), QStringLiteral("candles")}, {QStringLiteral("granularity"), 60},
                 {QStringLiteral("count"), 3}, {QStringLiteral("subscribe"), 1}});
    QCOMPARE(r.value(QLatin1String("msg_type")).toString(), QStringLiteral("candles"));
    const QJsonArray candles = r.value(QLatin1String("candles")).toArray();
    QCOMPARE(candles.size(), 3);
    for (const QJsonValue &v : candles) {
        const QJsonObject k = v.toObject();
        QCOMPARE(k.value(QLatin1String("epoch")).toInteger() % 60, 0);
        QVERIFY(k.value(QLatin1String("high")).toDouble() >= k.value(QLatin1String("low")).toDouble());
        QVERIFY(k.value(QLatin1String("high")).toDouble() >= k.value(QLatin1String("open")).toDouble());
        QVERIFY(k.value(QLatin1String("low")).toDouble() <= k.value(QLatin1String("close")).toDouble());
    }
    const QString sub = subscriptionId(r);
    QVERIFY(!sub.isEmpty());
    m_server->advanceTime(1'000);
    const QJsonObject ohlc = c->take(SimTestClient::bySubscription(sub));
    QCOMPARE(ohlc.value(QLatin1String("msg_type")).toString(), QStringLiteral("ohlc"));
    QCOMPARE(ohlc.value(QLatin1String("ohlc")).toObject().value(QLatin1String("granularity")).toInt(), 60);
    QCOMPARE(ohlc.value(QLatin1String("ohlc")).toObject().value(QLatin1String("symbol")).toString(), QStringLiteral("1HZ100V"));
}

void TestSimProtocol::forgetAndForgetAll()
{
    auto c = connectClient(true);
    QVERIFY(c);
    c->send({{QStringLiteral("ticks"), QJsonArray{QStringLiteral("R_10"), QStringLiteral("R_25")}}});
    const QString bal = subscriptionId(c->call({{QStringLiteral("balance"), 1}, {QStringLiteral("subscribe"), 1}}));
    const QString tx = subscriptionId(c->call({{QStringLiteral("transaction"), 1}, {QStringLiteral("subscribe"), 1}}));
    QTRY_COMPARE(m_server->stats().connections.value(0).subscriptions, 4);
    QCOMPARE(c->call({{QStringLiteral("forget"), bal}}).value(QLatin1String("forget")).toInt(), 1);
    QCOMPARE(c->call({{QStringLiteral("forget"), bal}}).value(QLatin1String("forget")).toInt(), 0);
    const QJsonObject all = c->call({{QStringLiteral("forget_all"), QStringLiteral("ticks")}});
    QCOMPARE(all.value(QLatin1String("forget_all")).toArray().size(), 2);
    const QJsonObject list = c->call({{QStringLiteral("forget_all"), QJsonArray{QStringLiteral("transaction"), QStringLiteral("candles")}}});
    QCOMPARE(list.value(QLatin1String("forget_all")).toArray(), QJsonArray{tx});
    QCOMPARE(m_server->stats().connections.value(0).subscriptions, 0);
    m_server->advanceTime(4'000);
    QVERIFY(c->staysQuiet(SimTestClient::byMsgType(QStringLiteral("tick")), 50));
}

void TestSimProtocol::logoutKeepsPublicStreams()
{
    auto c = connectClient(true);
    QVERIFY(c);
    const QString ticks = subscriptionId(c->call({{QStringLiteral("ticks_history"), QStringLiteral("R_100")},
                                                  {QStringLiteral("end"), QStringLiteral("latest")}, {QStringLiteral("count"), 1},
                                                  {QStringLiteral("subscribe"), 1}}));
    c->call({{QStringLiteral("balance"), 1}, {QStringLiteral("subscribe"), 1}});
    QCOMPARE(c->call({{QStringLiteral("logout"), 1}}).value(QLatin1String("logout")).toInt(), 1);
    const ConnectionStats s = m_server->stats().connections.value(0);
    QCOMPARE(s.subscriptions, 1);
    QCOMPARE(s.subscriptionsByType.value(QStringLiteral("ticks")), 1);
    QVERIFY(s.loginid.isEmpty());
    QCOMPARE(errorCode(c->call({{QStringLiteral("balance"), 1}})), QStringLiteral("AuthorizationRequired"));
    m_server->advanceTime(2'000);
    QVERIFY(!c->take(SimTestClient::bySubscription(ticks)).isEmpty());
}

void TestSimProtocol::stateDiesWithTheConnection()
{
    auto c = connectClient(true);
    QVERIFY(c);
    c->call({{QStringLiteral("balance"), 1}, {QStringLiteral("subscribe"), 1}});
    const QJsonObject p = c->call({{QStringLiteral("proposal"), 1}, {QStringLiteral("contract_type"), QStringLiteral("CALL")},
                                   {QStringLiteral("currency"), QStringLiteral("USD")}, {QStringLiteral("symbol"), QStringLiteral("R_100")},
                                   {QStringLiteral("amount"), 1}, {QStringLiteral("basis"), QStringLiteral("stake")},
                                   {QStringLiteral("duration"), 5}, {QStringLiteral("duration_unit"), QStringLiteral("t")}});
    const QString proposalId = p.value(QLatin1String("proposal")).toObject().value(QLatin1String("id")).toString();
    QCOMPARE(m_server->stats().accounts.value(0).sessions, 1);
    c->socket().close();
    QTRY_COMPARE(m_server->connectionCount(), 0);
    QCOMPARE(m_server->stats().accounts.value(0).sessions, 0);
    // A new connection starts from nothing: not authorized, no subscriptions, old proposal dead.
    auto d = connectClient(false);
    QVERIFY(d);
    QCOMPARE(errorCode(d->call({{QStringLiteral("balance"), 1}})), QStringLiteral("AuthorizationRequired"));
    d->call({{QStringLiteral("authorize"), s_token}});
    QCOMPARE(m_server->stats().connections.value(0).subscriptions, 0);
    QCOMPARE(errorCode(d->call({{QStringLiteral("buy"), proposalId}, {QStringLiteral("price"), 1}})),
             QStringLiteral("InvalidContractProposal"));
}

void TestSimProtocol::deletingTokenKillsSessions()
{
    auto victim = connectClient(true);
    auto bystanderTicks = connectClient(true);
    QVERIFY(victim && bystanderTicks);
    const QString bal = subscriptionId(victim->call({{QStringLiteral("balance"), 1}, {QStringLiteral("subscribe"), 1}}));
    const QString tx = subscriptionId(victim->call({{QStringLiteral("transaction"), 1}, {QStringLiteral("subscribe"), 1}}));
    victim->send({{QStringLiteral("ticks"), QStringLiteral("R_100")}});
    QVERIFY(!bal.isEmpty() && !tx.isEmpty());
    QTRY_COMPARE(m_server->stats().connections.value(0).subscriptions, 3);

    // A second token on the same account deletes the first through the API.
    auto admin = m_server->createToken(m_loginid, QStringLiteral("admin token"), SimServer::defaultScopes());
    QVERIFY(admin.ok());
    SimTestClient adminClient;
    QVERIFY(adminClient.open(m_server->url()));
    adminClient.call({{QStringLiteral("authorize"), *admin}});
    const QJsonObject del = adminClient.call({{QStringLiteral("api_token"), 1}, {QStringLiteral("delete_token"), s_token}});
    QVERIFY2(del.value(QLatin1String("api_token")).toObject().value(QLatin1String("delete_token")).toInt() == 1,
             QJsonDocument(del).toJson().constData());

    // Authenticated streams stopped; the next authenticated call fails with InvalidToken, every time.
    QCOMPARE(m_server->stats().connectionsOf(m_loginid).size(), 3);
    QJsonObject r = victim->call({{QStringLiteral("portfolio"), 1}});
    QCOMPARE(errorCode(r), QStringLiteral("InvalidToken"));
    QCOMPARE(r.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString(), QStringLiteral("The token is invalid."));
    QCOMPARE(errorCode(bystanderTicks->call({{QStringLiteral("balance"), 1}})), QStringLiteral("InvalidToken"));
    QCOMPARE(errorCode(victim->call({{QStringLiteral("authorize"), s_token}})), QStringLiteral("InvalidToken"));
    // The balance stream no longer moves when money does; public ticks keep flowing.
    QVERIFY(m_server->buyDirect(m_loginid, QJsonObject{{QStringLiteral("contract_type"), QStringLiteral("CALL")},
                                                       {QStringLiteral("currency"), QStringLiteral("USD")},
                                                       {QStringLiteral("symbol"), QStringLiteral("R_100")},
                                                       {QStringLiteral("amount"), 1}, {QStringLiteral("basis"), QStringLiteral("stake")},
                                                       {QStringLiteral("duration"), 60}, {QStringLiteral("duration_unit"), QStringLiteral("s")}}).ok());
    m_server->advanceTime(2'000);
    QVERIFY(!victim->take(SimTestClient::byMsgType(QStringLiteral("tick"))).isEmpty());
    QVERIFY(victim->peek(SimTestClient::bySubscription(bal)).isEmpty());
    QVERIFY(victim->peek(SimTestClient::bySubscription(tx)).isEmpty());
    const ConnectionStats vs = m_server->stats().connections.value(0);
    QCOMPARE(vs.subscriptions, 1);
    // The admin session is unaffected; deleting from C++ works the same way.
    QVERIFY(!adminClient.call({{QStringLiteral("balance"), 1}}).contains(QLatin1String("error")));
    QVERIFY(m_server->deleteToken(*admin));
    QVERIFY(!m_server->deleteToken(*admin));
    QCOMPARE(errorCode(adminClient.call({{QStringLiteral("balance"), 1}})), QStringLiteral("InvalidToken"));
}

void TestSimProtocol::apiTokenLifecycle()
{
    auto c = connectClient(true);
    QVERIFY(c);
    QJsonObject r = c->call({{QStringLiteral("api_token"), 1}});
    QJsonArray tokens = r.value(QLatin1String("api_token")).toObject().value(QLatin1String("tokens")).toArray();
    QCOMPARE(tokens.size(), 1);
    QCOMPARE(tokens.at(0).toObject().value(QLatin1String("token")).toString(), s_token);
    QVERIFY(!tokens.at(0).toObject().value(QLatin1String("last_used")).toString().isEmpty());

    r = c->call({{QStringLiteral("api_token"), 1}, {QStringLiteral("new_token"), QStringLiteral("Bot One")},
                 {QStringLiteral("new_token_scopes"), QJsonArray{QStringLiteral("read"), QStringLiteral("trade")}}});
    QCOMPARE(r.value(QLatin1String("api_token")).toObject().value(QLatin1String("new_token")).toInt(), 1);
    tokens = r.value(QLatin1String("api_token")).toObject().value(QLatin1String("tokens")).toArray();
    QCOMPARE(tokens.size(), 2);
    QString created;
    for (const QJsonValue &v : tokens) {
        if (v.toObject().value(QLatin1String("display_name")).toString() == QLatin1String("Bot One")) {
            created = v.toObject().value(QLatin1String("token")).toString();
            QCOMPARE(v.toObject().value(QLatin1String("scopes")).toArray(), (QJsonArray{QStringLiteral("read"), QStringLiteral("trade")}));
            QCOMPARE(v.toObject().value(QLatin1String("last_used")).toString(), QString());
        }
    }
    QCOMPARE(created.size(), 15);
    // The new token authorizes the same account with its scopes.
    SimTestClient other;
    QVERIFY(other.open(m_server->url()));
    const QJsonObject a = other.call({{QStringLiteral("authorize"), created}});
    QCOMPARE(a.value(QLatin1String("authorize")).toObject().value(QLatin1String("loginid")).toString(), m_loginid);
    QCOMPARE(errorCode(other.call({{QStringLiteral("api_token"), 1}})), QStringLiteral("PermissionDenied"));
    // Name rules and unknown tokens.
    QCOMPARE(errorCode(c->call({{QStringLiteral("api_token"), 1}, {QStringLiteral("new_token"), QStringLiteral("Bot One")}})),
             QStringLiteral("APITokenError"));
    QCOMPARE(errorCode(c->call({{QStringLiteral("api_token"), 1}, {QStringLiteral("new_token"), QStringLiteral("x")}})),
             QStringLiteral("APITokenError"));
    QCOMPARE(errorCode(c->call({{QStringLiteral("api_token"), 1}, {QStringLiteral("new_token"), QStringLiteral("bad-name!")}})),
             QStringLiteral("InputValidationFailed"));
    QCOMPARE(errorCode(c->call({{QStringLiteral("api_token"), 1}, {QStringLiteral("delete_token"), QStringLiteral("nope")}})),
             QStringLiteral("InvalidToken"));
    r = c->call({{QStringLiteral("api_token"), 1}, {QStringLiteral("delete_token"), created}});
    QCOMPARE(r.value(QLatin1String("api_token")).toObject().value(QLatin1String("tokens")).toArray().size(), 1);
    QCOMPARE(errorCode(other.call({{QStringLiteral("balance"), 1}})), QStringLiteral("InvalidToken"));
}

void TestSimProtocol::websiteStatusAndActiveSymbols()
{
    auto c = connectClient(false);
    QVERIFY(c);
    QJsonObject r = c->call({{QStringLiteral("website_status"), 1}, {QStringLiteral("subscribe"), 1}});
    const QJsonObject ws = r.value(QLatin1String("website_status")).toObject();
    QCOMPARE(ws.value(QLatin1String("site_status")).toString(), QStringLiteral("up"));
    const QJsonObject limits = ws.value(QLatin1String("api_call_limits")).toObject();
    QCOMPARE(limits.value(QLatin1String("max_proposal_subscription")).toObject().value(QLatin1String("max")).toInt(), 5);
    QCOMPARE(limits.value(QLatin1String("max_requestes_general")).toObject().value(QLatin1String("minutely")).toInt(), 180);
    QCOMPARE(limits.value(QLatin1String("max_requests_outcome")).toObject().value(QLatin1String("minutely")).toInt(), 25);
    QCOMPARE(limits.value(QLatin1String("max_requests_pricing")).toObject().value(QLatin1String("hourly")).toInt(), 3600);
    QCOMPARE(ws.value(QLatin1String("currencies_config")).toObject().value(QLatin1String("USD")).toObject()
                 .value(QLatin1String("fractional_digits")).toInt(), 2);
    const QString sub = subscriptionId(r);
    m_server->setSiteStatus(QStringLiteral("updating"));
    const QJsonObject update = c->take(SimTestClient::bySubscription(sub));
    QCOMPARE(update.value(QLatin1String("website_status")).toObject().value(QLatin1String("site_status")).toString(),
             QStringLiteral("updating"));

    r = c->call({{QStringLiteral("active_symbols"), QStringLiteral("brief")}});
    const QJsonArray symbols = r.value(QLatin1String("active_symbols")).toArray();
    QCOMPARE(symbols.size(), 20);
    QStringList names;
    for (const QJsonValue &v : symbols) {
        const QJsonObject s = v.toObject();
        names.append(s.value(QLatin1String("symbol")).toString());
        if (s.value(QLatin1String("symbol")).toString() == QLatin1String("R_100")) {
            QCOMPARE(s.value(QLatin1String("display_name")).toString(), QStringLiteral("Volatility 100 Index"));
            QCOMPARE(s.value(QLatin1String("pip")).toDouble(), 0.01);
        }
        if (s.value(QLatin1String("symbol")).toString() == QLatin1String("R_25"))
            QCOMPARE(s.value(QLatin1String("pip")).toDouble(), 0.001);
        if (s.value(QLatin1String("symbol")).toString() == QLatin1String("1HZ100V"))
            QCOMPARE(s.value(QLatin1String("display_name")).toString(), QStringLiteral("Volatility 100 (1s) Index"));
        if (s.value(QLatin1String("symbol")).toString() == QLatin1String("JD25")) {
            QCOMPARE(s.value(QLatin1String("display_name")).toString(), QStringLiteral("Jump 25 Index"));
            QCOMPARE(s.value(QLatin1String("submarket")).toString(), QStringLiteral("jump_index"));
        }
        QVERIFY(!s.contains(QLatin1String("spot")));
    }
    for (const char *s : {"R_10", "R_25", "R_50", "R_75", "R_100", "1HZ10V", "1HZ15V", "1HZ25V", "1HZ30V", "1HZ50V",
                          "1HZ75V", "1HZ90V", "1HZ100V", "1HZ150V", "1HZ250V", "JD10", "JD25", "JD50", "JD75", "JD100"})
        QVERIFY2(names.contains(QLatin1String(s)), s);
    r = c->call({{QStringLiteral("active_symbols"), QStringLiteral("full")}});
    QVERIFY(r.value(QLatin1String("active_symbols")).toArray().at(0).toObject().value(QLatin1String("spot")).isDouble());
}

// What Deriv's high-level JS client asks when it opens an account (`api.account(token)` sends get_account_status
// right after authorize), and payout_currencies: every currency offered before authorize, the account's own after.
void TestSimProtocol::accountStatusAndPayoutCurrencies()
{
    auto c = connectClient(false);
    QVERIFY(c);
    QCOMPARE(errorCode(c->call({{QStringLiteral("get_account_status"), 1}})), QStringLiteral("AuthorizationRequired"));
    QCOMPARE(errorCode(c->call({{QStringLiteral("get_account_status"), 2}})), QStringLiteral("InputValidationFailed"));
    QJsonObject r = c->call({{QStringLiteral("payout_currencies"), 1}});
    QCOMPARE(r.value(QLatin1String("msg_type")).toString(), QStringLiteral("payout_currencies"));
    const QJsonArray before = r.value(QLatin1String("payout_currencies")).toArray();
    QVERIFY2(before.contains(QStringLiteral("USD")) && before.contains(QStringLiteral("EUR")), QJsonDocument(r).toJson().constData());

    QVERIFY(!c->call({{QStringLiteral("authorize"), s_token}}).contains(QLatin1String("error")));
    r = c->call({{QStringLiteral("get_account_status"), 1}});
    QCOMPARE(r.value(QLatin1String("msg_type")).toString(), QStringLiteral("get_account_status"));
    const QJsonObject status = r.value(QLatin1String("get_account_status")).toObject();
    // The fields Deriv's schema requires.
    for (const char *field : {"currency_config", "p2p_poa_required", "p2p_status", "prompt_client_to_authenticate",
                              "risk_classification", "status"})
        QVERIFY2(status.contains(QLatin1String(field)), field);
    QVERIFY(status.value(QLatin1String("status")).isArray());
    QCOMPARE(status.value(QLatin1String("prompt_client_to_authenticate")).toInt(-1), 0);
    QVERIFY(status.value(QLatin1String("currency_config")).toObject().contains(QLatin1String("USD")));
    r = c->call({{QStringLiteral("payout_currencies"), 1}});
    QCOMPARE(r.value(QLatin1String("payout_currencies")).toArray(), QJsonArray{QStringLiteral("USD")});
}

// Bots ask trading_times whether a market is open: synthetic indices trade around the clock, every day.
void TestSimProtocol::tradingTimesListEverySymbol()
{
    auto c = connectClient(false);
    QVERIFY(c);
    QCOMPARE(errorCode(c->call({{QStringLiteral("trading_times"), QStringLiteral("tomorrow")}})),
             QStringLiteral("InputValidationFailed"));
    const QJsonObject r = c->call({{QStringLiteral("trading_times"), QStringLiteral("today")}});
    QCOMPARE(r.value(QLatin1String("msg_type")).toString(), QStringLiteral("trading_times"));
    QStringList symbols;
    QJsonObject r100;
    for (const QJsonValue &m : r.value(QLatin1String("trading_times")).toObject().value(QLatin1String("markets")).toArray()) {
        for (const QJsonValue &sub : m.toObject().value(QLatin1String("submarkets")).toArray()) {
            for (const QJsonValue &v : sub.toObject().value(QLatin1String("symbols")).toArray()) {
                symbols.append(v.toObject().value(QLatin1String("symbol")).toString());
                if (symbols.last() == QLatin1String("R_100"))
                    r100 = v.toObject();
            }
        }
    }
    QCOMPARE(symbols.size(), 20);
    QVERIFY(symbols.contains(QStringLiteral("1HZ100V")) && symbols.contains(QStringLiteral("JD10")));
    QCOMPARE(r100.value(QLatin1String("name")).toString(), QStringLiteral("Volatility 100 Index"));
    QCOMPARE(r100.value(QLatin1String("trading_days")).toArray().size(), 7);
    const QJsonObject times = r100.value(QLatin1String("times")).toObject();
    QCOMPARE(times.value(QLatin1String("open")).toArray(), QJsonArray{QStringLiteral("00:00:00")});
    QCOMPARE(times.value(QLatin1String("close")).toArray(), QJsonArray{QStringLiteral("23:59:59")});
}

void TestSimProtocol::updatingIsFollowedByDisconnect()
{
    SimConfig config;
    config.manualClock = true;
    config.updatingDisconnectMs = 100;
    SimServer server(config);
    QVERIFY(server.listen().ok());
    SimTestClient c;
    QVERIFY(c.open(server.url()));
    server.setSiteStatus(QStringLiteral("updating"));
    QVERIFY(c.waitForDisconnected(3000));
    // Back up: a new connection stays.
    server.setSiteStatus(QStringLiteral("up"));
    SimTestClient d;
    QVERIFY(d.open(server.url()));
    QCOMPARE(d.call({{QStringLiteral("website_status"), 1}}).value(QLatin1String("website_status")).toObject()
                 .value(QLatin1String("site_status")).toString(), QStringLiteral("up"));
    QVERIFY(d.isConnected());
}

void TestSimProtocol::idleConnectionIsClosed()
{
    SimConfig config;
    config.manualClock = true;
    config.idleTimeoutMs = 150;
    SimServer server(config);
    QVERIFY(server.listen().ok());
    SimTestClient c;
    QVERIFY(c.open(server.url()));
    QVERIFY(c.waitForDisconnected(3000));
    QCOMPARE(c.closeCode(), 1001);
}

void TestSimProtocol::timeScaleRunsFasterThanRealTime()
{
    SimConfig config;
    config.timeScale = 50; // R_100 every 2 virtual seconds = every 40 ms
    SimServer server(config);
    QVERIFY(server.listen().ok());
    SimTestClient c;
    QVERIFY(c.open(server.url()));
    const QString sub = [&] {
        c.send({{QStringLiteral("ticks"), QStringLiteral("R_100")}});
        return subscriptionId(c.take(SimTestClient::byMsgType(QStringLiteral("tick")), 3000));
    }();
    QVERIFY(!sub.isEmpty());
    const QList<QJsonObject> ticks = c.takeStream(sub, 5, 3000);
    QCOMPARE(ticks.size(), 5);
    for (qsizetype i = 1; i < ticks.size(); ++i) {
        QCOMPARE(ticks[i].value(QLatin1String("tick")).toObject().value(QLatin1String("epoch")).toInteger()
                     - ticks[i - 1].value(QLatin1String("tick")).toObject().value(QLatin1String("epoch")).toInteger(),
                 2);
    }
}

namespace {
QStringList s_logged;
void captureLog(QtMsgType, const QMessageLogContext &, const QString &message)
{
    s_logged.append(message);
}
} // namespace

void TestSimProtocol::requestLogNeverShowsTokens()
{
    SimConfig config;
    config.manualClock = true;
    config.logRequests = true;
    SimServer server(config);
    const QString loginid = server.addAccount(QStringLiteral("secretToken77")).value();
    QVERIFY(server.listen().ok());
    SimTestClient c;
    QVERIFY(c.open(server.url()));
    s_logged.clear();
    const QtMessageHandler previous = qInstallMessageHandler(captureLog);
    c.call({{QStringLiteral("authorize"), QStringLiteral("secretToken77")}});
    c.call({{QStringLiteral("api_token"), 1}, {QStringLiteral("new_token"), QStringLiteral("Second")}});
    c.call({{QStringLiteral("api_token"), 1}, {QStringLiteral("delete_token"), QStringLiteral("secretToken77")}});
    c.call({{QStringLiteral("authorize"), QStringLiteral("secretToken77")}, {QStringLiteral("passthrough"),
                                                                             QJsonObject{{QStringLiteral("note"), QStringLiteral("secretToken77")}}}});
    qInstallMessageHandler(previous);
    QCOMPARE(s_logged.size(), 4); // one line per request
    QVERIFY(s_logged.first().contains(QLatin1String("call=authorize")));
    QVERIFY(s_logged.at(1).contains(loginid));
    for (const QString &line : std::as_const(s_logged))
        QVERIFY2(!line.contains(QLatin1String("secretToken77")), qPrintable(line));
}

void TestSimProtocol::closeDropsConnectionsAndStopsListening()
{
    auto c = connectClient(true);
    QVERIFY(c);
    const quint16 port = m_server->port();
    m_server->close();
    QVERIFY(c->waitForDisconnected());
    QVERIFY(!m_server->isListening());
    QTRY_COMPARE(m_server->connectionCount(), 0);
    QTcpSocket probe;
    probe.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(!probe.waitForConnected(1000));
    // It can listen again; accounts survive.
    QVERIFY(m_server->listen().ok());
    auto d = connectClient(true);
    QVERIFY(d);
}

QTEST_GUILESS_MAIN(TestSimProtocol)
#include "tst_simprotocol.moc"
