// SPDX-License-Identifier: GPL-3.0-or-later
// Every fault knob, through real sockets: drops (now, after N frames, on a call with and without
// effect), delays, injected errors, malformed frames, and the buy processing delay that makes
// concurrent buys observable.
#include <memory>

#include <QElapsedTimer>
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
const QString s_token = QStringLiteral("faultToken01");
const QString s_other = QStringLiteral("otherToken02");

QString errorCode(const QJsonObject &reply)
{
    return reply.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString();
}

QJsonObject buyRequest(double stake = 1)
{
    return QJsonObject{{QStringLiteral("buy"), QStringLiteral("1")}, {QStringLiteral("price"), stake},
                       {QStringLiteral("parameters"),
                        QJsonObject{{QStringLiteral("contract_type"), QStringLiteral("CALL")},
                                    {QStringLiteral("currency"), QStringLiteral("USD")},
                                    {QStringLiteral("symbol"), QStringLiteral("R_100")},
                                    {QStringLiteral("amount"), stake},
                                    {QStringLiteral("basis"), QStringLiteral("stake")},
                                    {QStringLiteral("duration"), 5},
                                    {QStringLiteral("duration_unit"), QStringLiteral("t")}}}};
}
} // namespace

class TestSimFaults final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void dropNowClosesMatchingConnections();
    void dropAfterFramesLetsNFramesThrough();
    void dropOnCallAfterTheBuyHappened();
    void dropOnCallBeforeTheBuyHappened();
    void delayedReplies();
    void injectedErrorsForTheNextKCalls();
    void malformedFramesNow_data();
    void malformedFramesNow();
    void malformedReplyToACall();
    void buyProcessingDelayShowsConcurrency();
    void buyExecutesEvenIfTheConnectionIsGone();
    void rulesParseFromSpecAndJson_data();
    void rulesParseFromSpecAndJson();
    void badRulesAreRejected_data();
    void badRulesAreRejected();

private:
    std::unique_ptr<SimTestClient> client(const QString &token);

    std::unique_ptr<SimServer> m_server;
    QString m_loginid;
    QString m_otherLoginid;
};

void TestSimFaults::init()
{
    SimConfig config;
    config.manualClock = true;
    config.startEpochMs = s_start;
    config.rateLimitsEnabled = false;
    config.historyTicks = 10;
    m_server = std::make_unique<SimServer>(config);
    m_loginid = m_server->addAccount(s_token).value();
    m_otherLoginid = m_server->addAccount(s_other).value();
    QVERIFY(m_server->listen().ok());
}

void TestSimFaults::cleanup()
{
    m_server.reset();
}

std::unique_ptr<SimTestClient> TestSimFaults::client(const QString &token)
{
    auto c = std::make_unique<SimTestClient>();
    if (!c->open(m_server->url()))
        return nullptr;
    if (!token.isEmpty() && c->call({{QStringLiteral("authorize"), token}}).contains(QLatin1String("error")))
        return nullptr;
    return c;
}

void TestSimFaults::dropNowClosesMatchingConnections()
{
    auto a = client(s_token);
    auto b = client(s_other);
    auto anon = client(QString());
    QVERIFY(a && b && anon);
    m_server->faults().dropNow(m_loginid);
    QVERIFY(a->waitForDisconnected());
    QVERIFY(b->isConnected() && anon->isConnected());
    QTRY_COMPARE(m_server->connectionCount(), 2);
    m_server->faults().dropNow();
    QVERIFY(b->waitForDisconnected() && anon->waitForDisconnected());
    QTRY_COMPARE(m_server->connectionCount(), 0);
}

void TestSimFaults::dropAfterFramesLetsNFramesThrough()
{
    auto c = client(QString());
    QVERIFY(c);
    c->send({{QStringLiteral("ticks"), QStringLiteral("1HZ100V")}});
    QTRY_COMPARE(m_server->stats().connections.value(0).subscriptions, 1);
    m_server->faults().dropAfterFrames(3);
    for (int i = 0; i < 5; ++i)
        m_server->advanceTime(1'000);
    QVERIFY(c->waitForDisconnected());
    QCOMPARE(c->peek(SimTestClient::byMsgType(QStringLiteral("tick"))).size(), 3);
}

void TestSimFaults::dropOnCallAfterTheBuyHappened()
{
    auto c = client(s_token);
    QVERIFY(c);
    m_server->faults().dropOnCall(QStringLiteral("buy"), 1, /*applyEffect=*/true);
    c->send(buyRequest(2));
    QVERIFY(c->waitForDisconnected());
    QVERIFY(c->peek(SimTestClient::byMsgType(QStringLiteral("buy"))).isEmpty());
    // The order went through: the contract exists, the reply was lost.
    QTRY_COMPARE(m_server->stats().account(m_loginid)->openContracts, 1);
    const AccountStats a = m_server->accountStats(m_loginid);
    QCOMPARE(a.buysReceived, 1);
    QCOMPARE(a.buysCompleted, 1);
    QCOMPARE(a.buysInFlight, 0);
    QCOMPARE(a.balance, Money::fromMinor(10'000'00 - 200));
    // The rule is spent: the next connection buys normally.
    auto d = client(s_token);
    QVERIFY(d);
    QVERIFY(!d->call(buyRequest(2)).contains(QLatin1String("error")));
    const QJsonArray open = d->call({{QStringLiteral("portfolio"), 1}}).value(QLatin1String("portfolio")).toObject()
                                .value(QLatin1String("contracts")).toArray();
    QCOMPARE(open.size(), 2);
}

void TestSimFaults::dropOnCallBeforeTheBuyHappened()
{
    auto c = client(s_token);
    QVERIFY(c);
    m_server->faults().dropOnCall(QStringLiteral("buy"), 2, /*applyEffect=*/false);
    c->send(buyRequest());
    QVERIFY(c->waitForDisconnected());
    auto d = client(s_token);
    QVERIFY(d);
    d->send(buyRequest());
    QVERIFY(d->waitForDisconnected());
    auto e = client(s_token);
    QVERIFY(e);
    QVERIFY(!e->call(buyRequest()).contains(QLatin1String("error")));
    const AccountStats a = m_server->accountStats(m_loginid);
    QCOMPARE(a.buysCompleted, 1);
    QCOMPARE(a.openContracts, 1);
    QCOMPARE(a.balance, Money::fromMinor(10'000'00 - 100));
}

void TestSimFaults::delayedReplies()
{
    auto c = client(s_token);
    QVERIFY(c);
    m_server->faults().delayReplies(QStringLiteral("portfolio"), 300, 1);
    QElapsedTimer timer;
    timer.start();
    const qint64 slow = c->send({{QStringLiteral("portfolio"), 1}});
    const qint64 fast = c->send({{QStringLiteral("balance"), 1}});
    QVERIFY(!c->reply(fast).isEmpty());
    QVERIFY(c->peek([slow](const QJsonObject &f) { return f.value(QLatin1String("req_id")).toInteger() == slow; }).isEmpty());
    QVERIFY(!c->reply(slow, 3000).isEmpty());
    QVERIFY2(timer.elapsed() >= 300, qPrintable(QString::number(timer.elapsed())));
    // Once only.
    timer.restart();
    QVERIFY(!c->call({{QStringLiteral("portfolio"), 1}}).isEmpty());
    QVERIFY(timer.elapsed() < 300);
}

void TestSimFaults::injectedErrorsForTheNextKCalls()
{
    auto c = client(s_token);
    QVERIFY(c);
    m_server->faults().failCall(QStringLiteral("buy"), QStringLiteral("InternalServerError"),
                                QStringLiteral("Sorry, an error occurred while processing your request."), 2);
    for (int i = 0; i < 2; ++i) {
        const QJsonObject r = c->call(buyRequest());
        QCOMPARE(errorCode(r), QStringLiteral("InternalServerError"));
        QCOMPARE(r.value(QLatin1String("msg_type")).toString(), QStringLiteral("buy"));
        QCOMPARE(r.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString(),
                 QStringLiteral("Sorry, an error occurred while processing your request."));
    }
    QVERIFY(!c->call(buyRequest()).contains(QLatin1String("error")));
    QCOMPARE(m_server->stats().account(m_loginid)->openContracts, 1);
    // Scoped to an account: another account is not affected.
    m_server->faults().failCall(QStringLiteral("balance"), QStringLiteral("RateLimit"), QStringLiteral("slow down"), -1, m_otherLoginid);
    QVERIFY(!c->call({{QStringLiteral("balance"), 1}}).contains(QLatin1String("error")));
    auto o = client(s_other);
    QVERIFY(o);
    QCOMPARE(errorCode(o->call({{QStringLiteral("balance"), 1}})), QStringLiteral("RateLimit"));
    QCOMPARE(errorCode(o->call({{QStringLiteral("balance"), 1}})), QStringLiteral("RateLimit"));
    m_server->faults().clear();
    QVERIFY(!o->call({{QStringLiteral("balance"), 1}}).contains(QLatin1String("error")));
}

void TestSimFaults::malformedFramesNow_data()
{
    QTest::addColumn<int>("kind");
    QTest::newRow("not json") << int(MalformedKind::NotJson);
    QTest::newRow("wrong types") << int(MalformedKind::WrongTypes);
    QTest::newRow("missing msg_type") << int(MalformedKind::MissingMsgType);
    QTest::newRow("oversized") << int(MalformedKind::Oversized);
}

void TestSimFaults::malformedFramesNow()
{
    QFETCH(int, kind);
    auto c = client(QString());
    QVERIFY(c);
    m_server->faults().sendMalformed(MalformedKind(kind), QString(), 1, 2 * 1024 * 1024);
    QTRY_COMPARE(c->rawFrames().size(), 1);
    const QString raw = c->rawFrames().first();
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(raw.toUtf8(), &error);
    switch (MalformedKind(kind)) {
    case MalformedKind::NotJson:
        QVERIFY(error.error != QJsonParseError::NoError);
        break;
    case MalformedKind::WrongTypes:
        QVERIFY(doc.isObject());
        QVERIFY(doc.object().value(QLatin1String("tick")).isString());
        QVERIFY(doc.object().value(QLatin1String("echo_req")).isDouble());
        break;
    case MalformedKind::MissingMsgType:
        QVERIFY(doc.isObject());
        QVERIFY(!doc.object().contains(QLatin1String("msg_type")));
        QVERIFY(doc.object().value(QLatin1String("tick")).isObject());
        break;
    case MalformedKind::Oversized:
        QVERIFY(doc.isObject());
        QVERIFY(raw.size() > 2 * 1024 * 1024);
        break;
    }
    QVERIFY(c->isConnected());
}

void TestSimFaults::malformedReplyToACall()
{
    auto c = client(QString());
    QVERIFY(c);
    m_server->faults().sendMalformed(MalformedKind::WrongTypes, QStringLiteral("time"), 1);
    const QJsonObject bad = c->call({{QStringLiteral("time"), 1}});
    QVERIFY(bad.value(QLatin1String("time")).isObject()); // the epoch number arrives as an object
    QVERIFY(bad.value(QLatin1String("echo_req")).isDouble());
    QCOMPARE(bad.value(QLatin1String("msg_type")).toString(), QStringLiteral("time"));
    const QJsonObject good = c->call({{QStringLiteral("time"), 1}});
    QVERIFY(good.value(QLatin1String("time")).isDouble());
}

void TestSimFaults::buyProcessingDelayShowsConcurrency()
{
    std::vector<std::unique_ptr<SimTestClient>> clients;
    for (int i = 0; i < 5; ++i) {
        clients.push_back(client(s_token));
        QVERIFY(clients.back());
    }
    m_server->faults().setBuyProcessingDelay(200);
    QList<qint64> ids;
    for (auto &c : clients)
        ids.append(c->send(buyRequest()));
    QTRY_COMPARE(m_server->stats().account(m_loginid)->buysInFlight, 5);
    for (int i = 0; i < 5; ++i)
        QVERIFY(!clients[size_t(i)]->reply(ids[i], 3000).contains(QLatin1String("error")));
    const AccountStats a = m_server->accountStats(m_loginid);
    QCOMPARE(a.maxBuysInFlight, 5);
    QCOMPARE(a.buysInFlight, 0);
    QCOMPARE(a.buysCompleted, 5);
    QCOMPARE(a.maxOpenContracts, 5);
    // Sequential buys on one connection never overlap.
    QCOMPARE(m_server->stats().account(m_otherLoginid)->maxBuysInFlight, 0);
    auto o = client(s_other);
    QVERIFY(!o->call(buyRequest()).contains(QLatin1String("error")));
    QVERIFY(!o->call(buyRequest()).contains(QLatin1String("error")));
    QCOMPARE(m_server->stats().account(m_otherLoginid)->maxBuysInFlight, 1);
}

void TestSimFaults::buyExecutesEvenIfTheConnectionIsGone()
{
    auto c = client(s_token);
    QVERIFY(c);
    m_server->faults().setBuyProcessingDelay(200);
    c->send(buyRequest(3));
    QTRY_COMPARE(m_server->stats().account(m_loginid)->buysInFlight, 1);
    c->socket().abort();
    c.reset();
    QTRY_COMPARE(m_server->stats().account(m_loginid)->openContracts, 1);
    const AccountStats a = m_server->accountStats(m_loginid);
    QCOMPARE(a.buysInFlight, 0);
    QCOMPARE(a.buysCompleted, 1);
    QCOMPARE(a.balance, Money::fromMinor(10'000'00 - 300));
}

void TestSimFaults::rulesParseFromSpecAndJson_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QString>("json");
    QTest::newRow("drop") << "drop" << R"({"action":"drop","times":1})";
    QTest::newRow("drop after frames") << "drop_after_frames:frames=3,loginid=VRTC1000001"
                                       << R"({"action":"drop_after_frames","frames":3,"loginid":"VRTC1000001","times":1})";
    QTest::newRow("drop on call") << "drop_on_call:call=buy,times=2,apply=false"
                                  << R"({"action":"drop_on_call","apply":false,"call":"buy","times":2})";
    QTest::newRow("delay") << "delay:call=proposal,ms=250,times=-1" << R"({"action":"delay","call":"proposal","ms":250,"times":-1})";
    QTest::newRow("error") << "error:call=buy,code=RateLimit,message=Slow down"
                           << R"({"action":"error","call":"buy","code":"RateLimit","message":"Slow down","times":1})";
    QTest::newRow("malformed") << "malformed:kind=oversized,bytes=1024,call=time"
                               << R"({"action":"malformed","bytes":1024,"call":"time","kind":"oversized","times":1})";
    QTest::newRow("buy delay") << "buy_delay:ms=500" << R"({"action":"buy_delay","ms":500,"times":1})";
    QTest::newRow("json spec") << R"({"action":"delay","call":"buy","ms":10})" << R"({"action":"delay","call":"buy","ms":10,"times":1})";
}

void TestSimFaults::rulesParseFromSpecAndJson()
{
    QFETCH(QString, spec);
    QFETCH(QString, json);
    const auto rule = FaultRule::fromSpec(spec);
    QVERIFY2(rule.ok(), rule.ok() ? "" : qPrintable(rule.error().message));
    QCOMPARE(rule->toJson(), QJsonDocument::fromJson(json.toUtf8()).object());
    const auto again = FaultRule::fromJson(rule->toJson());
    QVERIFY(again.ok());
    QCOMPARE(again->toJson(), rule->toJson());
}

void TestSimFaults::badRulesAreRejected_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("unknown action") << "explode" << "action";
    QTest::newRow("delay without ms") << "delay:call=buy" << "ms";
    QTest::newRow("error without code") << "error:call=buy" << "code";
    QTest::newRow("drop on call without call") << "drop_on_call" << "call";
    QTest::newRow("times zero") << "drop_on_call:call=buy,times=0" << "times";
    QTest::newRow("not a number") << "delay:call=buy,ms=soon" << "ms";
    QTest::newRow("bad kind") << "malformed:kind=rude" << "kind";
    QTest::newRow("unknown field") << R"({"action":"drop","when":"now"})" << "when";
    QTest::newRow("broken json") << R"({"action":)" << "JSON";
}

void TestSimFaults::badRulesAreRejected()
{
    QFETCH(QString, spec);
    QFETCH(QString, mentions);
    const auto rule = FaultRule::fromSpec(spec);
    QVERIFY(!rule.ok());
    QCOMPARE(rule.error().kind, ErrorKind::InvalidInput);
    QVERIFY2(rule.error().message.contains(mentions), qPrintable(rule.error().message));
}

QTEST_GUILESS_MAIN(TestSimFaults)
#include "tst_simfaults.moc"
