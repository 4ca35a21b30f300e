// SPDX-License-Identifier: GPL-3.0-or-later
// The HTTP control endpoint: stats, faults, accounts, direct buys, token deletion, time and quotes.
#include <memory>

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkInterface>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include "sim/controlendpoint.h"
#include "sim/simserver.h"
#include "simtestclient.h"

using namespace Vigil;
using namespace Vigil::Sim;
using Vigil::Test::SimTestClient;

namespace {
constexpr qint64 s_start = 1'700'000'000'000;

struct HttpResult
{
    int status = 0;
    QJsonObject body;
};
} // namespace

class TestControlEndpoint final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void statsReportAccountsAndConnections();
    void faultsCanBeAddedListedAndCleared();
    void accountsBuysAndTokens();
    void timeAndQuotesDriveTheMarket();
    void badRequestsAreRejected();
    void bindsLoopbackOnly();

private:
    HttpResult request(const QByteArray &verb, const QString &path, const QJsonObject &body = {});
    HttpResult requestRaw(const QByteArray &verb, const QString &path, const QByteArray &body);

    std::unique_ptr<SimServer> m_server;
    std::unique_ptr<ControlEndpoint> m_control;
    QNetworkAccessManager m_http;
};

void TestControlEndpoint::init()
{
    SimConfig config;
    config.manualClock = true;
    config.startEpochMs = s_start;
    config.historyTicks = 10;
    m_server = std::make_unique<SimServer>(config);
    QVERIFY(m_server->listen().ok());
    m_control = std::make_unique<ControlEndpoint>(*m_server);
    QVERIFY(m_control->listen().ok());
    QVERIFY(m_control->port() > 0);
}

void TestControlEndpoint::cleanup()
{
    m_control.reset();
    m_server.reset();
}

HttpResult TestControlEndpoint::requestRaw(const QByteArray &verb, const QString &path, const QByteArray &body)
{
    QNetworkRequest req(QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_control->port()).arg(path)));
    req.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    QNetworkReply *reply = m_http.sendCustomRequest(req, verb, body);
    QSignalSpy done(reply, &QNetworkReply::finished);
    HttpResult r;
    if (!done.wait(5000)) {
        reply->deleteLater();
        return r;
    }
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = QJsonDocument::fromJson(reply->readAll()).object();
    reply->deleteLater();
    return r;
}

HttpResult TestControlEndpoint::request(const QByteArray &verb, const QString &path, const QJsonObject &body)
{
    return requestRaw(verb, path, body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact));
}

void TestControlEndpoint::statsReportAccountsAndConnections()
{
    const QString loginid = m_server->addAccount(QStringLiteral("statsToken1")).value();
    SimTestClient c;
    QVERIFY(c.open(m_server->url()));
    c.call({{QStringLiteral("authorize"), QStringLiteral("statsToken1")}});
    c.call({{QStringLiteral("balance"), 1}, {QStringLiteral("subscribe"), 1}});
    const HttpResult r = request("GET", QStringLiteral("/stats"));
    QCOMPARE(r.status, 200);
    const QJsonObject account = r.body.value(QLatin1String("accounts")).toArray().at(0).toObject();
    QCOMPARE(account.value(QLatin1String("loginid")).toString(), loginid);
    QCOMPARE(account.value(QLatin1String("balance")).toDouble(), 10000.0);
    QCOMPARE(account.value(QLatin1String("max_buys_in_flight")).toInt(), 0);
    QCOMPARE(account.value(QLatin1String("sessions")).toInt(), 1);
    const QJsonObject connection = r.body.value(QLatin1String("connections")).toArray().at(0).toObject();
    QCOMPARE(connection.value(QLatin1String("loginid")).toString(), loginid);
    QCOMPARE(connection.value(QLatin1String("subscriptions_by_type")).toObject().value(QLatin1String("balance")).toInt(), 1);
    QCOMPARE(r.body.value(QLatin1String("virtual_time_ms")).toInteger(), s_start);
    // No secret in the stats.
    QVERIFY(!QJsonDocument(r.body).toJson().contains("statsToken1"));
}

void TestControlEndpoint::faultsCanBeAddedListedAndCleared()
{
    HttpResult r = request("POST", QStringLiteral("/faults"),
                           {{QStringLiteral("action"), QStringLiteral("error")}, {QStringLiteral("call"), QStringLiteral("ping")},
                            {QStringLiteral("code"), QStringLiteral("InternalServerError")}, {QStringLiteral("times"), 1}});
    QCOMPARE(r.status, 201);
    QVERIFY(r.body.value(QLatin1String("id")).toInt() > 0);
    r = request("POST", QStringLiteral("/faults"), {{QStringLiteral("action"), QStringLiteral("buy_delay")}, {QStringLiteral("ms"), 50}});
    QCOMPARE(r.status, 201);
    r = request("GET", QStringLiteral("/faults"));
    QCOMPARE(r.body.value(QLatin1String("rules")).toArray().size(), 1);
    QCOMPARE(r.body.value(QLatin1String("buy_delay_ms")).toInt(), 50);
    SimTestClient c;
    QVERIFY(c.open(m_server->url()));
    QCOMPARE(c.call({{QStringLiteral("ping"), 1}}).value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString(),
             QStringLiteral("InternalServerError"));
    QCOMPARE(c.call({{QStringLiteral("ping"), 1}}).value(QLatin1String("ping")).toString(), QStringLiteral("pong"));
    // An immediate fault acts at once.
    r = request("POST", QStringLiteral("/faults"), {{QStringLiteral("action"), QStringLiteral("drop")}});
    QCOMPARE(r.status, 201);
    QCOMPARE(r.body.value(QLatin1String("id")).toInt(), 0);
    QVERIFY(c.waitForDisconnected());
    r = request("DELETE", QStringLiteral("/faults"));
    QCOMPARE(r.body.value(QLatin1String("cleared")).toInt(), 1);
    QCOMPARE(request("GET", QStringLiteral("/faults")).body.value(QLatin1String("buy_delay_ms")).toInt(), 0);
}

void TestControlEndpoint::accountsBuysAndTokens()
{
    HttpResult r = request("POST", QStringLiteral("/accounts"),
                           {{QStringLiteral("token"), QStringLiteral("httpToken01")}, {QStringLiteral("balance"), 250.5},
                            {QStringLiteral("scopes"), QJsonArray{QStringLiteral("read"), QStringLiteral("trade")}}});
    QCOMPARE(r.status, 201);
    const QString loginid = r.body.value(QLatin1String("loginid")).toString();
    QVERIFY(loginid.startsWith(QLatin1String("VRTC")));
    QCOMPARE(m_server->stats().account(loginid)->balance, Money::fromMinor(25050));
    QCOMPARE(request("POST", QStringLiteral("/accounts"), {{QStringLiteral("token"), QStringLiteral("httpToken01")}}).status, 400);

    const QJsonObject parameters{{QStringLiteral("contract_type"), QStringLiteral("DIGITMATCH")}, {QStringLiteral("barrier"), QStringLiteral("4")},
                                 {QStringLiteral("currency"), QStringLiteral("USD")}, {QStringLiteral("symbol"), QStringLiteral("R_50")},
                                 {QStringLiteral("amount"), 2}, {QStringLiteral("basis"), QStringLiteral("stake")},
                                 {QStringLiteral("duration"), 5}, {QStringLiteral("duration_unit"), QStringLiteral("t")}};
    r = request("POST", QStringLiteral("/buy"), {{QStringLiteral("loginid"), loginid}, {QStringLiteral("parameters"), parameters}});
    QCOMPARE(r.status, 200);
    QVERIFY(r.body.value(QLatin1String("contract_id")).toInteger() > 0);
    QCOMPARE(r.body.value(QLatin1String("balance_after")).toDouble(), 248.5);
    QCOMPARE(m_server->stats().account(loginid)->directBuys, 1);
    QJsonObject tooBig = parameters;
    tooBig.insert(QStringLiteral("amount"), 1000);
    r = request("POST", QStringLiteral("/buy"), {{QStringLiteral("loginid"), loginid}, {QStringLiteral("parameters"), tooBig}});
    QCOMPARE(r.status, 409);
    QCOMPARE(r.body.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString(), QStringLiteral("InsufficientBalance"));

    SimTestClient c;
    QVERIFY(c.open(m_server->url()));
    c.call({{QStringLiteral("authorize"), QStringLiteral("httpToken01")}});
    r = request("POST", QStringLiteral("/tokens/delete"), {{QStringLiteral("token"), QStringLiteral("httpToken01")}});
    QCOMPARE(r.body.value(QLatin1String("deleted")).toInt(), 1);
    QCOMPARE(c.call({{QStringLiteral("portfolio"), 1}}).value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString(),
             QStringLiteral("InvalidToken"));
    QCOMPARE(request("POST", QStringLiteral("/tokens/delete"), {{QStringLiteral("token"), QStringLiteral("httpToken01")}})
                 .body.value(QLatin1String("deleted")).toInt(), 0);
}

void TestControlEndpoint::timeAndQuotesDriveTheMarket()
{
    HttpResult r = request("POST", QStringLiteral("/quotes"),
                           {{QStringLiteral("symbol"), QStringLiteral("R_100")}, {QStringLiteral("quotes"), QJsonArray{QStringLiteral("1234.56")}}});
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body.value(QLatin1String("queued")).toInt(), 1);
    r = request("POST", QStringLiteral("/time/advance"), {{QStringLiteral("ms"), 2000}});
    QCOMPARE(r.body.value(QLatin1String("now_ms")).toInteger(), s_start + 2000);
    SimTestClient c;
    QVERIFY(c.open(m_server->url()));
    const QJsonObject h = c.call({{QStringLiteral("ticks_history"), QStringLiteral("R_100")}, {QStringLiteral("end"), QStringLiteral("latest")},
                                  {QStringLiteral("count"), 1}});
    QCOMPARE(h.value(QLatin1String("history")).toObject().value(QLatin1String("prices")).toArray().at(0).toDouble(), 1234.56);
    r = request("POST", QStringLiteral("/rate_limits"), {{QStringLiteral("enabled"), false}});
    QCOMPARE(r.body.value(QLatin1String("enabled")).toBool(), false);
    QVERIFY(!m_server->rateLimitsEnabled());
}

void TestControlEndpoint::badRequestsAreRejected()
{
    HttpResult r = requestRaw("POST", QStringLiteral("/faults"), "not json");
    QCOMPARE(r.status, 400);
    QCOMPARE(r.body.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString(), QStringLiteral("BadRequest"));
    r = request("POST", QStringLiteral("/faults"), {{QStringLiteral("action"), QStringLiteral("delay")}});
    QCOMPARE(r.status, 400);
    QVERIFY(r.body.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString().contains(QLatin1String("ms")));
    r = request("POST", QStringLiteral("/quotes"), {{QStringLiteral("symbol"), QStringLiteral("R_100")},
                                                    {QStringLiteral("quotes"), QJsonArray{QStringLiteral("1.234")}}});
    QCOMPARE(r.status, 400);
    r = request("POST", QStringLiteral("/time/advance"), {{QStringLiteral("ms"), -5}});
    QCOMPARE(r.status, 400);
    r = request("POST", QStringLiteral("/buy"), {{QStringLiteral("loginid"), QStringLiteral("VRTC42")}});
    QCOMPARE(r.status, 400);
}

void TestControlEndpoint::bindsLoopbackOnly()
{
    // Unreachable through any other address of this host.
    for (const QHostAddress &address : QNetworkInterface::allAddresses()) {
        if (address.isLoopback() || address.protocol() != QAbstractSocket::IPv4Protocol)
            continue;
        QTcpSocket probe;
        probe.connectToHost(address, m_control->port());
        QVERIFY2(!probe.waitForConnected(2000), qPrintable(address.toString()));
    }
    // A second endpoint on the same port fails with a clear error.
    ControlEndpoint clash(*m_server);
    QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(QStringLiteral("listen failed")));
    const auto bound = clash.listen(m_control->port());
    QVERIFY(!bound.ok());
    QVERIFY(bound.error().message.contains(QLatin1String("127.0.0.1")));
}

QTEST_GUILESS_MAIN(TestControlEndpoint)
#include "tst_controlendpoint.moc"
