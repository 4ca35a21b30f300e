// SPDX-License-Identifier: GPL-3.0-or-later
#include <memory>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>

#include "deriv/derivclient.h"
#include "support/scriptedderivserver.h"

using namespace Vigil;
using Vigil::Test::ScriptedDerivServer;
using Kind = DerivClient::StreamEvent::Kind;

namespace {

const QString s_token = QStringLiteral("valid-token-0001");

// Collects replies of one request: how many times the handler ran and with what.
struct ReplyLog
{
    QList<Result<QJsonObject>> replies;
    DerivClient::ReplyHandler handler()
    {
        return [this](const Result<QJsonObject> &r) { replies.append(r); };
    }
    bool arrived() const { return !replies.isEmpty(); }
    const Result<QJsonObject> &reply() const { return replies.first(); }
};

QElapsedTimer &testClock()
{
    static QElapsedTimer t;
    if (!t.isValid())
        t.start();
    return t;
}

// Collects the events of one subscription, with the time each arrived.
struct StreamLog
{
    QList<DerivClient::StreamEvent> events;
    QList<qint64> arrivedAt;
    DerivClient::StreamHandler handler()
    {
        return [this](const DerivClient::StreamEvent &e) {
            events.append(e);
            arrivedAt.append(testClock().elapsed());
        };
    }
    int count(Kind k) const
    {
        return int(std::count_if(events.begin(), events.end(), [k](const auto &e) { return e.kind == k; }));
    }
    QList<qint64> epochs() const
    {
        QList<qint64> out;
        for (const auto &e : events) {
            if (e.kind == Kind::Message)
                out.append(e.message.value("tick").toObject().value("epoch").toInteger());
        }
        return out;
    }
};

DerivClient::Options options(const QUrl &url, const QString &token = s_token)
{
    DerivClient::Options o;
    o.url = url;
    o.token = token;
    o.accountLabel = QStringLiteral("test-account");
    o.pingIntervalMs = 10'000;
    o.pongTimeoutMs = 2'000;
    o.silenceTimeoutMs = 20'000;
    o.requestTimeoutMs = 5'000;
    o.backoffInitialMs = 10;
    o.backoffMaxMs = 40;
    return o;
}

bool strictlyIncreasing(const QList<qint64> &v)
{
    for (qsizetype i = 1; i < v.size(); ++i) {
        if (v[i] <= v[i - 1])
            return false;
    }
    return true;
}

} // namespace

class TestDerivClient : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ScriptedDerivServer> m_server;
    QObject m_context;

    // A client that is Ready on m_server.
    std::unique_ptr<DerivClient> readyClient(DerivClient::Options o)
    {
        auto client = std::make_unique<DerivClient>(std::move(o));
        QSignalSpy ready(client.get(), &DerivClient::ready);
        client->open();
        if (!ready.wait(5000))
            return nullptr;
        return client;
    }
    std::unique_ptr<DerivClient> readyClient() { return readyClient(options(m_server->url())); }

private Q_SLOTS:
    void init()
    {
        m_server = std::make_unique<ScriptedDerivServer>();
        QVERIFY(m_server->listen());
    }
    void cleanup() { m_server.reset(); }

    // --- requests -----------------------------------------------------------------------------------------

    void authorizesThenReady()
    {
        DerivClient client(options(m_server->url()));
        QSignalSpy states(&client, &DerivClient::stateChanged);
        QSignalSpy ready(&client, &DerivClient::ready);
        QCOMPARE(client.state(), DerivClient::State::Disconnected);
        client.open();
        QVERIFY(ready.wait());
        QCOMPARE(client.state(), DerivClient::State::Ready);
        QCOMPARE(client.authorization().value("loginid").toString(), QStringLiteral("CR90000001"));
        QCOMPARE(m_server->count("authorize"), 1);
        QList<DerivClient::State> seen;
        for (const auto &args : states)
            seen.append(args.at(0).value<DerivClient::State>());
        QCOMPARE(seen, (QList<DerivClient::State>{DerivClient::State::Connecting, DerivClient::State::Authorizing,
                                                 DerivClient::State::Ready}));
    }

    void repliesAreRoutedByReqIdWhenInterleaved()
    {
        auto client = readyClient();
        QVERIFY(client);
        // Hold three requests, then answer them in reverse order, each with its own req_id echoed back.
        QList<QPair<int, QJsonObject>> held;
        m_server->setScript("active_symbols", [&](int c, const QJsonObject &r) {
            held.append({c, r});
            if (held.size() == 3) {
                for (auto it = held.crbegin(); it != held.crend(); ++it)
                    m_server->reply(it->first, it->second,
                                    {{"active_symbols", QJsonArray{it->second.value("req_id").toInteger()}}});
            }
            return true;
        });
        ReplyLog a, b, c;
        const qint64 ida = client->send({{"active_symbols", "brief"}}, &m_context, a.handler());
        const qint64 idb = client->send({{"active_symbols", "brief"}}, &m_context, b.handler());
        const qint64 idc = client->send({{"active_symbols", "brief"}}, &m_context, c.handler());
        QVERIFY(ida > 0 && idb > ida && idc > idb);
        QTRY_VERIFY(a.arrived() && b.arrived() && c.arrived());
        QTest::qWait(50); // nothing more may arrive
        QCOMPARE(a.replies.size(), 1);
        QCOMPARE(b.replies.size(), 1);
        QCOMPARE(c.replies.size(), 1);
        QCOMPARE(a.reply()->value("req_id").toInteger(), ida);
        QCOMPARE(a.reply()->value("active_symbols").toArray().at(0).toInteger(), ida);
        QCOMPARE(b.reply()->value("active_symbols").toArray().at(0).toInteger(), idb);
        QCOMPARE(c.reply()->value("active_symbols").toArray().at(0).toInteger(), idc);
        // Every request on the wire carried a fresh req_id.
        QSet<qint64> ids;
        for (const auto &r : m_server->received())
            ids.insert(r.request.value("req_id").toInteger());
        QCOMPARE(ids.size(), m_server->received().size());
    }

    void brokerErrorBecomesVigilError()
    {
        auto client = readyClient();
        QVERIFY(client);
        m_server->setScript("proposal", [&](int c, const QJsonObject &r) {
            m_server->replyError(c, r, "InputValidationFailed", "Input validation failed: amount",
                                 {{"amount", "Must be a number"}});
            return true;
        });
        ReplyLog log;
        const qint64 id = client->send({{"proposal", 1}, {"amount", "x"}}, &m_context, log.handler());
        QTRY_VERIFY(log.arrived());
        QVERIFY(!log.reply().ok());
        const Error &e = log.reply().error();
        QCOMPARE(e.kind, ErrorKind::Broker);
        QCOMPARE(e.code, QStringLiteral("InputValidationFailed"));
        QCOMPARE(e.message, QStringLiteral("Input validation failed: amount"));
        QCOMPARE(e.details.value("amount").toString(), QStringLiteral("Must be a number"));
        QCOMPARE(e.msgType, QStringLiteral("proposal"));
        QCOMPARE(e.reqId, id);
        QCOMPARE(e.account, QStringLiteral("CR90000001"));
        QCOMPARE(client->state(), DerivClient::State::Ready); // a rejection is not a connection problem
    }

    // Independent servers: an error without a top-level req_id (only echo_req's), a req_id echoed as text.
    // Either must answer its request at once, not leave it to time out (a buy would become "unknown").
    void repliesMatchedWithoutAPlainReqId_data()
    {
        QTest::addColumn<QString>("shape");
        QTest::newRow("error without req_id") << QStringLiteral("errorEchoOnly");
        QTest::newRow("req_id as text") << QStringLiteral("textReqId");
    }
    void repliesMatchedWithoutAPlainReqId()
    {
        QFETCH(QString, shape);
        DerivClient::Options o = options(m_server->url());
        o.requestTimeoutMs = 20'000;
        auto client = readyClient(o);
        QVERIFY(client);
        m_server->setScript("buy", [&](int c, const QJsonObject &r) {
            QJsonObject frame{{"msg_type", "buy"}, {"echo_req", r}};
            if (shape == QLatin1String("errorEchoOnly")) {
                frame.insert("error", QJsonObject{{"code", "InsufficientBalance"}, {"message", "Your balance is too low."}});
            } else {
                frame.insert("req_id", QString::number(r.value("req_id").toInteger()));
                frame.insert("buy", QJsonObject{{"contract_id", 555001}, {"buy_price", 10}});
            }
            m_server->sendJson(c, frame);
            return true;
        });
        QSignalSpy malformed(client.get(), &DerivClient::malformedFrame);
        ReplyLog log;
        QElapsedTimer waited;
        waited.start();
        const qint64 id = client->send({{"buy", "1"}, {"price", 10}}, &m_context, log.handler());
        QTRY_VERIFY_WITH_TIMEOUT(log.arrived(), 30'000);
        QVERIFY2(waited.elapsed() < o.requestTimeoutMs, "answered by the reply, not by the timeout");
        QCOMPARE(malformed.count(), 0);
        if (shape == QLatin1String("errorEchoOnly")) {
            QVERIFY(!log.reply().ok());
            QCOMPARE(log.reply().error().kind, ErrorKind::Broker);
            QCOMPARE(log.reply().error().code, QStringLiteral("InsufficientBalance"));
            QCOMPARE(log.reply().error().reqId, id);
        } else {
            QVERIFY2(log.reply().ok(), qPrintable(log.reply().ok() ? QString() : log.reply().error().toString()));
            QCOMPARE(log.reply()->value("buy").toObject().value("contract_id").toInteger(), 555001);
        }
    }

    void handlersNeverRunInsideSend()
    {
        auto client = readyClient();
        QVERIFY(client);
        bool refusedCalled = false;
        bool okCalled = false;
        QCOMPARE(client->send({{"frobnicate", 1}}, &m_context, [&](const Result<QJsonObject> &) { refusedCalled = true; }), 0);
        QVERIFY(!refusedCalled);
        client->send({{"time", 1}}, &m_context, [&](const Result<QJsonObject> &) { okCalled = true; });
        QVERIFY(!okCalled);
        QTRY_VERIFY(refusedCalled && okCalled);
    }

    void handlersRunOnTheClientThread()
    {
        QThread worker;
        worker.setObjectName("account-worker");
        worker.start();
        auto *client = new DerivClient(options(m_server->url()));
        auto *context = new QObject;
        client->moveToThread(&worker);
        context->moveToThread(&worker);
        bool ready = false; // delivered to this thread through a queued connection
        QObject::connect(client, &DerivClient::ready, &m_context, [&ready] { ready = true; });
        QMetaObject::invokeMethod(client, [client] { client->open(); }, Qt::QueuedConnection);
        QTRY_VERIFY(ready);
        std::atomic<QThread *> handlerThread{nullptr};
        QMetaObject::invokeMethod(client, [&, client, context] {
            client->send({{"time", 1}}, context, [&](const Result<QJsonObject> &r) {
                if (r.ok())
                    handlerThread = QThread::currentThread();
            });
        }, Qt::QueuedConnection);
        QTRY_VERIFY(handlerThread.load() != nullptr);
        QCOMPARE(handlerThread.load(), &worker);
        QObject::connect(&worker, &QThread::finished, client, &QObject::deleteLater);
        QObject::connect(&worker, &QThread::finished, context, &QObject::deleteLater);
        worker.quit();
        QVERIFY(worker.wait(5000));
    }

    void handlerDroppedWhenContextDestroyed()
    {
        auto client = readyClient();
        QVERIFY(client);
        int calls = 0;
        auto context = std::make_unique<QObject>();
        client->send({{"time", 1}}, context.get(), [&](const Result<QJsonObject> &) { ++calls; });
        context.reset();
        ReplyLog later;
        client->send({{"time", 1}}, &m_context, later.handler());
        QTRY_VERIFY(later.arrived());
        QCOMPARE(m_server->count("time"), 2);
        QCOMPARE(calls, 0);
    }

    void refusedRequests_data()
    {
        QTest::addColumn<QJsonObject>("request");
        QTest::addColumn<bool>("resend");
        QTest::addColumn<QString>("code");
        QTest::newRow("unknown call") << QJsonObject{{"frobnicate", 1}} << false << "UnknownCall";
        QTest::newRow("authorize") << QJsonObject{{"authorize", "x"}} << false << "SessionCall";
        QTest::newRow("logout") << QJsonObject{{"logout", 1}} << false << "SessionCall";
        QTest::newRow("forget") << QJsonObject{{"forget", "abc"}} << false << "SessionCall";
        QTest::newRow("forget_all") << QJsonObject{{"forget_all", "ticks"}} << false << "SessionCall";
        QTest::newRow("subscribe via send") << QJsonObject{{"ticks", "R_100"}, {"subscribe", 1}} << false << "UseSubscribe";
        QTest::newRow("resend buy") << QJsonObject{{"buy", "1"}, {"price", 10}} << true << "ResendRefused";
        QTest::newRow("resend sell") << QJsonObject{{"sell", 5}, {"price", 0}} << true << "ResendRefused";
        QTest::newRow("resend api_token") << QJsonObject{{"api_token", 1}, {"new_token", "x"}} << true << "ResendRefused";
    }
    void refusedRequests()
    {
        QFETCH(QJsonObject, request);
        QFETCH(bool, resend);
        QFETCH(QString, code);
        auto client = readyClient();
        QVERIFY(client);
        const int before = int(m_server->received().size());
        ReplyLog log;
        DerivClient::RequestOptions ro;
        ro.resendAfterReconnect = resend;
        QCOMPARE(client->send(request, &m_context, log.handler(), ro), 0);
        QTRY_VERIFY(log.arrived());
        QCOMPARE(log.reply().error().kind, ErrorKind::InvalidInput);
        QCOMPARE(log.reply().error().code, code);
        ReplyLog probe;
        client->send({{"time", 1}}, &m_context, probe.handler());
        QTRY_VERIFY(probe.arrived());
        QCOMPARE(int(m_server->received().size()), before + 1); // only the probe went out
    }

    void requestsWaitForReadyAndFailNotSentAfterTimeout()
    {
        DerivClient::Options o = options(QUrl("ws://127.0.0.1:1/websockets/v3?app_id=1089")); // nobody listens
        DerivClient client(o);
        QSignalSpy lost(&client, &DerivClient::connectionLost);
        client.open();
        ReplyLog log;
        DerivClient::RequestOptions ro;
        ro.timeoutMs = 300;
        client.send({{"time", 1}}, &m_context, log.handler(), ro);
        QTRY_VERIFY(log.arrived());
        QCOMPARE(log.reply().error().kind, ErrorKind::NotSent);
        QCOMPARE(log.reply().error().code, QStringLiteral("NotConnected"));
        QVERIFY(lost.count() >= 2); // kept trying with backoff
        QCOMPARE(client.state(), DerivClient::State::Reconnecting);
    }

    void cancelBeforeSending()
    {
        auto client = readyClient();
        QVERIFY(client);
        client->close();
        QSignalSpy ready(client.get(), &DerivClient::ready);
        client->open();
        // Not Ready yet: the request waits in the queue and can still be withdrawn.
        ReplyLog log;
        const qint64 id = client->send({{"portfolio", 1}}, &m_context, log.handler());
        QVERIFY(client->cancel(id));
        QVERIFY(!client->cancel(id));
        QTRY_VERIFY(log.arrived());
        QCOMPARE(log.reply().error().kind, ErrorKind::Cancelled);
        QTRY_COMPARE(ready.count(), 1);
        ReplyLog probe;
        client->send({{"time", 1}}, &m_context, probe.handler());
        QTRY_VERIFY(probe.arrived());
        QCOMPARE(m_server->count("portfolio"), 0);
    }

    void replyTimeout()
    {
        auto client = readyClient();
        QVERIFY(client);
        m_server->setScript("statement", [](int, const QJsonObject &) { return true; }); // never answers
        ReplyLog log;
        DerivClient::RequestOptions ro;
        ro.timeoutMs = 150;
        client->send({{"statement", 1}}, &m_context, log.handler(), ro);
        QTRY_VERIFY(log.arrived());
        QCOMPARE(log.reply().error().kind, ErrorKind::Timeout);
        QVERIFY(log.reply().error().isOutcomeUnknown());
        QCOMPARE(client->state(), DerivClient::State::Ready);
    }

    // --- keepalive ----------------------------------------------------------------------------------------

    void missedPongReconnects()
    {
        DerivClient::Options o = options(m_server->url());
        o.pingIntervalMs = 50;
        o.pongTimeoutMs = 100;
        auto client = readyClient(o);
        QVERIFY(client);
        QTRY_VERIFY(m_server->count("ping") >= 2); // pings flow and are answered: no reconnect
        QCOMPARE(m_server->connectionCount(), 1);
        QSignalSpy lost(client.get(), &DerivClient::connectionLost);
        QSignalSpy reconnected(client.get(), &DerivClient::reconnected);
        m_server->setAnswerPings(false);
        QVERIFY(lost.wait(3000));
        QCOMPARE(lost.first().at(0).value<Error>().code, QStringLiteral("PongTimeout"));
        m_server->setAnswerPings(true);
        QVERIFY(reconnected.wait(3000));
        QCOMPARE(client->state(), DerivClient::State::Ready);
        QCOMPARE(m_server->count("authorize"), 2); // re-authorized on the new socket
    }

    void silenceReconnects()
    {
        DerivClient::Options o = options(m_server->url());
        o.pingIntervalMs = 60'000;
        o.silenceTimeoutMs = 200;
        auto client = readyClient(o);
        QVERIFY(client);
        QSignalSpy lost(client.get(), &DerivClient::connectionLost);
        QVERIFY(lost.wait(3000));
        QCOMPARE(lost.first().at(0).value<Error>().code, QStringLiteral("Silence"));
        QSignalSpy ready(client.get(), &DerivClient::ready);
        QVERIFY(ready.wait(3000));
    }

    void trafficKeepsSilenceAway()
    {
        DerivClient::Options o = options(m_server->url());
        o.pingIntervalMs = 60'000;
        o.silenceTimeoutMs = 300;
        auto client = readyClient(o);
        QVERIFY(client);
        QSignalSpy lost(client.get(), &DerivClient::connectionLost);
        StreamLog log;
        client->subscribe({{"ticks", "R_100"}}, &m_context, log.handler());
        m_server->setTickIntervalMs(50);
        QVERIFY(!lost.wait(900)); // frames keep arriving: the link is alive
        QVERIFY(log.count(Kind::Message) > 5);
    }

    // --- drops ---------------------------------------------------------------------------------------------

    void inFlightRequestIsOutcomeUnknownAndNeverResent()
    {
        auto client = readyClient();
        QVERIFY(client);
        m_server->setScript("buy", [&](int, const QJsonObject &) {
            QMetaObject::invokeMethod(m_server.get(), [this] { m_server->dropAll(); }, Qt::QueuedConnection);
            return true; // the reply is lost with the connection
        });
        QSignalSpy reconnected(client.get(), &DerivClient::reconnected);
        ReplyLog buy;
        ReplyLog read;
        client->send({{"buy", "1"}, {"price", 10}}, &m_context, buy.handler());
        QTRY_VERIFY(buy.arrived());
        QCOMPARE(buy.reply().error().kind, ErrorKind::OutcomeUnknown);
        QCOMPARE(buy.reply().error().code, QStringLiteral("ConnectionLost"));
        QCOMPARE(buy.reply().error().msgType, QStringLiteral("buy"));
        QTRY_COMPARE(reconnected.count(), 1);
        client->send({{"time", 1}}, &m_context, read.handler());
        QTRY_VERIFY(read.arrived());
        QCOMPARE(m_server->count("buy"), 1);
        QCOMPARE(buy.replies.size(), 1);
    }

    void readOptedInIsResentWithFreshReqId()
    {
        auto client = readyClient();
        QVERIFY(client);
        int seen = 0;
        m_server->setScript("portfolio", [&](int, const QJsonObject &) {
            if (++seen > 1)
                return false; // answer normally the second time
            QMetaObject::invokeMethod(m_server.get(), [this] { m_server->dropAll(); }, Qt::QueuedConnection);
            return true;
        });
        ReplyLog log;
        DerivClient::RequestOptions ro;
        ro.resendAfterReconnect = true;
        client->send({{"portfolio", 1}}, &m_context, log.handler(), ro);
        QTRY_VERIFY(log.arrived());
        QVERIFY(log.reply().ok());
        const auto sent = m_server->received("portfolio");
        QCOMPARE(sent.size(), 2);
        QVERIFY(sent[0].connection != sent[1].connection);
        QVERIFY(sent[0].request.value("req_id").toInteger() != sent[1].request.value("req_id").toInteger());
    }

    // --- final errors --------------------------------------------------------------------------------------

    void invalidTokenEndsTheSession()
    {
        DerivClient client(options(m_server->url(), "revoked-token-9999"));
        QSignalSpy ended(&client, &DerivClient::sessionEnded);
        QSignalSpy connected(m_server.get(), &ScriptedDerivServer::clientConnected);
        ReplyLog queued;
        client.send({{"portfolio", 1}}, &m_context, queued.handler());
        client.open();
        QVERIFY(ended.wait());
        QCOMPARE(ended.first().at(0).value<Error>().code, QStringLiteral("InvalidToken"));
        QCOMPARE(client.state(), DerivClient::State::Failed);
        QTRY_VERIFY(queued.arrived());
        QCOMPARE(queued.reply().error().kind, ErrorKind::NotSent);
        QCOMPARE(queued.reply().error().code, QStringLiteral("InvalidToken"));
        // No reconnect loop.
        QVERIFY(!connected.wait(400));
        QCOMPARE(m_server->connectionCount(), 1);
        QCOMPARE(m_server->count("authorize"), 1);
        // The token never appears in what the client exposes.
        QVERIFY(!ended.first().at(0).value<Error>().toString().contains("revoked-token-9999"));
        ReplyLog after;
        QCOMPARE(client.send({{"time", 1}}, &m_context, after.handler()), 0);
        QTRY_VERIFY(after.arrived());
        QCOMPARE(after.reply().error().kind, ErrorKind::NotSent);
    }

    void invalidTokenMidSessionEndsTheSession()
    {
        auto client = readyClient();
        QVERIFY(client);
        StreamLog balance;
        client->subscribe({{"balance", 1}}, &m_context, balance.handler());
        QTRY_COMPARE(balance.count(Kind::Message), 1);
        m_server->setScript("statement", [&](int c, const QJsonObject &r) {
            m_server->replyError(c, r, "InvalidToken", "The token is invalid.");
            return true;
        });
        QSignalSpy ended(client.get(), &DerivClient::sessionEnded);
        QSignalSpy connected(m_server.get(), &ScriptedDerivServer::clientConnected);
        ReplyLog log;
        client->send({{"statement", 1}}, &m_context, log.handler());
        QVERIFY(ended.wait());
        QTRY_VERIFY(log.arrived());
        QCOMPARE(log.reply().error().kind, ErrorKind::Broker);
        QCOMPARE(log.reply().error().code, QStringLiteral("InvalidToken"));
        QTRY_COMPARE(balance.count(Kind::Failed), 1);
        QCOMPARE(balance.events.last().error.code, QStringLiteral("InvalidToken"));
        QCOMPARE(client->state(), DerivClient::State::Failed);
        QVERIFY(!connected.wait(400));
    }

    void authorizationRequiredTwiceIsFinal()
    {
        auto client = readyClient();
        QVERIFY(client);
        m_server->setScript("portfolio", [&](int c, const QJsonObject &r) {
            m_server->replyError(c, r, "AuthorizationRequired", "Please log in.");
            return true;
        });
        QSignalSpy reconnected(client.get(), &DerivClient::reconnected);
        QSignalSpy ended(client.get(), &DerivClient::sessionEnded);
        ReplyLog first;
        client->send({{"portfolio", 1}}, &m_context, first.handler());
        QVERIFY(reconnected.wait()); // once: re-authorize on a fresh socket
        QTRY_VERIFY(first.arrived());
        QCOMPARE(first.reply().error().code, QStringLiteral("AuthorizationRequired"));
        QCOMPARE(m_server->count("authorize"), 2);
        QCOMPARE(ended.count(), 0);
        ReplyLog second;
        client->send({{"portfolio", 1}}, &m_context, second.handler());
        QVERIFY(ended.wait()); // again right after the re-authorize: final
        QCOMPARE(ended.first().at(0).value<Error>().code, QStringLiteral("AuthorizationRequired"));
        QCOMPARE(client->state(), DerivClient::State::Failed);
        QSignalSpy connected(m_server.get(), &ScriptedDerivServer::clientConnected);
        QVERIFY(!connected.wait(300));
    }

    void authorizationRequiredOnceRecovers()
    {
        auto client = readyClient();
        QVERIFY(client);
        int refusals = 0;
        m_server->setScript("portfolio", [&](int c, const QJsonObject &r) {
            if (refusals >= 1)
                return false;
            ++refusals;
            m_server->replyError(c, r, "AuthorizationRequired", "Please log in.");
            return true;
        });
        QSignalSpy reconnected(client.get(), &DerivClient::reconnected);
        ReplyLog first;
        client->send({{"portfolio", 1}}, &m_context, first.handler());
        QVERIFY(reconnected.wait());
        ReplyLog second;
        client->send({{"portfolio", 1}}, &m_context, second.handler());
        QTRY_VERIFY(second.arrived());
        QVERIFY(second.reply().ok());
        // A later lost session is again recoverable once, not final.
        refusals = 0;
        ReplyLog third;
        client->send({{"portfolio", 1}}, &m_context, third.handler());
        QVERIFY(reconnected.wait());
        QCOMPARE(client->state(), DerivClient::State::Ready);
    }

    // --- malformed frames ----------------------------------------------------------------------------------

    void malformedFramesKeepTheConnection_data()
    {
        QTest::addColumn<QString>("frame");
        QTest::addColumn<QString>("code");
        QTest::newRow("not json") << R"({"msg_type":"tick",)" << "NotJson";
        QTest::newRow("array") << "[1,2,3]" << "NotObject";
        QTest::newRow("scalar") << "\"pong\"" << "NotObject";
        QTest::newRow("missing msg_type") << R"({"tick":{"epoch":1}})" << "MissingMsgType";
        QTest::newRow("msg_type not string") << R"({"msg_type":7})" << "BadMsgType";
        QTest::newRow("req_id non-numeric string") << R"({"msg_type":"ping","req_id":"12x"})" << "BadReqId";
        QTest::newRow("req_id fraction") << R"({"msg_type":"ping","req_id":1.25})" << "BadReqId";
        QTest::newRow("error not object") << R"({"msg_type":"buy","error":"failed"})" << "BadError";
        QTest::newRow("error code not string") << R"({"msg_type":"buy","error":{"code":3}})" << "BadError";
        QTest::newRow("subscription not object") << R"({"msg_type":"tick","subscription":"id"})" << "BadSubscription";
        QTest::newRow("echo_req not object") << R"({"msg_type":"tick","echo_req":5})" << "BadEnvelope";
        QTest::newRow("oversized") << QStringLiteral(R"({"msg_type":"tick","pad":"%1"})").arg(QString(3000, 'x')) << "Oversized";
    }
    void malformedFramesKeepTheConnection()
    {
        QFETCH(QString, frame);
        QFETCH(QString, code);
        DerivClient::Options o = options(m_server->url());
        o.maxFrameBytes = 2048;
        auto client = readyClient(o);
        QVERIFY(client);
        QSignalSpy malformed(client.get(), &DerivClient::malformedFrame);
        QSignalSpy lost(client.get(), &DerivClient::connectionLost);
        m_server->sendText(m_server->lastConnection(), frame);
        QVERIFY(malformed.wait());
        QVERIFY2(malformed.first().at(1).toString().startsWith(code), qPrintable(malformed.first().at(1).toString()));
        QVERIFY(malformed.first().at(0).toString().size() <= 512);
        ReplyLog probe;
        client->send({{"time", 1}}, &m_context, probe.handler());
        QTRY_VERIFY(probe.arrived());
        QVERIFY(probe.reply().ok());
        QCOMPARE(lost.count(), 0);
        QCOMPARE(m_server->connectionCount(), 1);
        QCOMPARE(client->state(), DerivClient::State::Ready);
    }

    // The typed-tick fast path never takes a frame the full decode would report: not one over the size limit.
    void oversizedTickForATypedSubscriberIsReported()
    {
        DerivClient::Options o = options(m_server->url());
        o.maxFrameBytes = 2048;
        auto client = readyClient(o);
        QVERIFY(client);
        StreamLog log;
        DerivClient::SubscribeOptions typed;
        typed.typedTicks = true;
        client->subscribe({{"ticks", "R_100"}}, &m_context, log.handler(), typed);
        QTRY_COMPARE(log.count(Kind::Message), 1);
        m_server->pushTick("R_100");
        QTRY_COMPARE(log.count(Kind::Message), 2);
        QVERIFY(log.events.last().tick); // the fast path reads this server's ticks
        const qint64 epoch = log.events.last().tick->epoch;
        const QString serverId = m_server->subscriptions(m_server->lastConnection()).firstKey();
        QVERIFY(!serverId.isEmpty());
        QSignalSpy malformed(client.get(), &DerivClient::malformedFrame);
        const QString frame = QStringLiteral(R"({"msg_type":"tick","req_id":999,"passthrough":{"pad":"%1"},)"
                                             R"("subscription":{"id":"%2"},"tick":{"epoch":%3,"quote":1000.5,"symbol":"R_100"}})")
                                  .arg(QString(3000, u'x'), serverId)
                                  .arg(epoch + 1);
        m_server->sendText(m_server->lastConnection(), frame);
        QVERIFY(malformed.wait());
        QVERIFY2(malformed.first().at(1).toString().startsWith("Oversized"), qPrintable(malformed.first().at(1).toString()));
        QCOMPARE(log.count(Kind::Message), 2); // not delivered
    }

    void binaryFrameIsMalformedButHarmless()
    {
        auto client = readyClient();
        QVERIFY(client);
        QSignalSpy malformed(client.get(), &DerivClient::malformedFrame);
        QSignalSpy lost(client.get(), &DerivClient::connectionLost);
        m_server->sendBinary(m_server->lastConnection(), QByteArray("\x00\x01binary", 8));
        QVERIFY(malformed.wait());
        QVERIFY(malformed.first().at(1).toString().startsWith("BinaryFrame"));
        ReplyLog probe;
        client->send({{"time", 1}}, &m_context, probe.handler());
        QTRY_VERIFY(probe.arrived());
        QCOMPARE(lost.count(), 0);
    }

    void malformedExcerptIsRedacted()
    {
        auto client = readyClient();
        QVERIFY(client);
        QSignalSpy malformed(client.get(), &DerivClient::malformedFrame);
        m_server->sendText(m_server->lastConnection(),
                           QStringLiteral(R"({"echo_req":{"authorize":"%1"},"note":"token %1 again", "pad":"%2")")
                               .arg(s_token, QString(2000, 'p')));
        QVERIFY(malformed.wait());
        const QString excerpt = malformed.first().at(0).toString();
        QVERIFY(!excerpt.contains(s_token));
        QVERIFY(excerpt.size() <= 512);
        QVERIFY(excerpt.contains("<redacted>"));
    }

    void malformedReplyFailsItsRequest_data()
    {
        QTest::addColumn<QString>("call");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QStringList>("frames"); // %1 = the call, %2 = its req_id
        const QStringList badError{QStringLiteral(R"({"msg_type":"%1","req_id":%2,"error":"garbled"})")};
        // Not JSON at all: a reply cut short, or split in two frames. It used to wait for its timeout (30 s by
        // default), its account blocked meanwhile.
        const QStringList cut{QStringLiteral("{\"echo_req\":{\"%1\":1,\"req_id\":%2},\"msg_type\":\"%1\",\"%1\":{\"contr")};
        const QStringList split{QStringLiteral("{\"%1\":{\"contract_id\":12"), QStringLiteral("3},\"msg_type\":\"%1\",\"req_id\":%2}")};
        QTest::newRow("read") << "portfolio" << int(ErrorKind::Protocol) << badError;
        QTest::newRow("write") << "buy" << int(ErrorKind::OutcomeUnknown) << badError;
        QTest::newRow("read cut short") << "portfolio" << int(ErrorKind::Protocol) << cut;
        QTest::newRow("write cut short") << "buy" << int(ErrorKind::OutcomeUnknown) << cut;
        QTest::newRow("write split in two frames") << "buy" << int(ErrorKind::OutcomeUnknown) << split;
    }
    void malformedReplyFailsItsRequest()
    {
        QFETCH(QString, call);
        QFETCH(int, kind);
        QFETCH(QStringList, frames);
        auto client = readyClient();
        QVERIFY(client);
        m_server->setScript(call, [&](int c, const QJsonObject &r) {
            for (const QString &f : std::as_const(frames))
                m_server->sendText(c, f.arg(call).arg(r.value("req_id").toInteger()));
            return true;
        });
        ReplyLog log;
        DerivClient::RequestOptions ro;
        ro.timeoutMs = 4000;
        QJsonObject request{{call, 1}};
        if (call == "buy")
            request = {{"buy", "1"}, {"price", 10}};
        client->send(request, &m_context, log.handler(), ro);
        QTRY_VERIFY_WITH_TIMEOUT(log.arrived(), 1000); // well before the timeout
        QCOMPARE(int(log.reply().error().kind), kind);
        QCOMPARE(log.reply().error().code, QStringLiteral("MalformedReply"));
    }

    // A garbled answer to authorize on a live socket must lead to a fresh socket and a fresh authorize, not
    // to a session that sits in Authorizing while pings keep the socket open.
    void malformedAuthorizeReplyReconnects()
    {
        int garbled = 0;
        m_server->setScript(QStringLiteral("authorize"), [&](int c, const QJsonObject &r) {
            if (garbled > 0)
                return false; // the server's normal answer
            ++garbled;
            m_server->sendText(c, QStringLiteral(R"({"msg_type":"authorize","req_id":%1,"error":"garbled"})")
                                      .arg(r.value("req_id").toInteger()));
            return true;
        });
        DerivClient client(options(m_server->url()));
        QSignalSpy ready(&client, &DerivClient::ready);
        client.open();
        QTRY_VERIFY_WITH_TIMEOUT(!ready.isEmpty(), 10000);
        QCOMPARE(client.state(), DerivClient::State::Ready);
        QCOMPARE(m_server->count("authorize"), 2);
        QCOMPARE(m_server->connectionCount(), 2);
    }

    // --- rate limiting -------------------------------------------------------------------------------------

    void limiterQueuesBeyondTheBudget()
    {
        DerivClient::Options o = options(m_server->url());
        o.rateLimits.rules = {RateLimiter::Rule{RateLimiter::Group::Outcome, 4, 400, 1}};
        auto client = readyClient(o);
        QVERIFY(client);
        QList<ReplyLog> logs(6);
        for (ReplyLog &l : logs)
            client->send({{"statement", 1}}, &m_context, l.handler());
        QTRY_VERIFY(std::all_of(logs.begin(), logs.end(), [](const ReplyLog &l) { return l.arrived(); }));
        for (const ReplyLog &l : logs)
            QVERIFY(l.reply().ok());
        const auto sent = m_server->received("statement");
        QCOMPARE(sent.size(), 6);
        // Queued, not refused: spread out so that no 400 ms window holds more than 4.
        for (qsizetype i = 0; i + 4 < sent.size(); ++i)
            QVERIFY2(sent[i + 4].atMs - sent[i].atMs >= 380, qPrintable(QString::number(sent[i + 4].atMs - sent[i].atMs)));
        QVERIFY(sent.last().atMs - sent.first().atMs >= 500);
    }

    void limiterRefusesWhatWouldWaitPastItsTimeout()
    {
        DerivClient::Options o = options(m_server->url());
        o.rateLimits.rules = {RateLimiter::Rule{RateLimiter::Group::Outcome, 2, 1000, 1}};
        auto client = readyClient(o);
        QVERIFY(client);
        DerivClient::RequestOptions ro;
        ro.timeoutMs = 300;
        ReplyLog a, b, c;
        client->send({{"profit_table", 1}}, &m_context, a.handler(), ro);
        client->send({{"profit_table", 1}}, &m_context, b.handler(), ro);
        client->send({{"profit_table", 1}}, &m_context, c.handler(), ro);
        QTRY_VERIFY(a.arrived() && b.arrived() && c.arrived());
        QVERIFY(a.reply().ok());
        QCOMPARE(b.reply().error().kind, ErrorKind::RateLimited);
        QCOMPARE(b.reply().error().code, QStringLiteral("ClientRateLimit"));
        QCOMPARE(c.reply().error().kind, ErrorKind::RateLimited);
        QCOMPARE(m_server->count("profit_table"), 1);
    }

    void serverRateLimitBacksOffTheGroup()
    {
        DerivClient::Options o = options(m_server->url());
        o.clientRateLimit = false; // only the server's verdict matters here
        o.rateLimits.backoffStepMs = 300;
        o.rateLimits.backoffMaxMs = 1000;
        auto client = readyClient(o);
        QVERIFY(client);
        qint64 refusedAt = -1;
        m_server->setScript("proposal", [&](int c, const QJsonObject &r) {
            if (refusedAt >= 0) {
                m_server->reply(c, r, {{"proposal", QJsonObject{{"id", "p-1"}, {"ask_price", 10}}}});
                return true;
            }
            refusedAt = m_server->received().last().atMs;
            m_server->replyError(c, r, "RateLimit", "You have reached the rate limit for proposal.");
            return true;
        });
        ReplyLog first, second, other;
        client->send({{"proposal", 1}, {"amount", 10}}, &m_context, first.handler());
        QTRY_VERIFY(first.arrived());
        QCOMPARE(first.reply().error().kind, ErrorKind::RateLimited);
        QCOMPARE(first.reply().error().code, QStringLiteral("RateLimit"));
        client->send({{"proposal", 1}, {"amount", 10}}, &m_context, second.handler());
        client->send({{"ticks_history", "R_100"}, {"end", "latest"}}, &m_context, other.handler());
        QTRY_VERIFY(other.arrived());
        QVERIFY(!second.arrived()); // the pricing group is held; others are not
        QTRY_VERIFY(second.arrived());
        QVERIFY(second.reply().ok());
        const auto sent = m_server->received("proposal");
        QCOMPARE(sent.size(), 2); // the refused one was not retried
        QVERIFY2(sent[1].atMs - refusedAt >= 280, qPrintable(QString::number(sent[1].atMs - refusedAt)));
    }

    void guardIsEvaluatedWhenTheFrameLeaves()
    {
        DerivClient::Options o = options(m_server->url());
        o.rateLimits.rules = {RateLimiter::Rule{RateLimiter::Group::Outcome, 2, 600, 1}};
        auto client = readyClient(o);
        QVERIFY(client);
        bool gateOpen = true;
        int guardCalls = 0;
        const auto guard = [&]() -> Result<void> {
            ++guardCalls;
            if (gateOpen)
                return {};
            return Error::make(ErrorKind::Cancelled, "GateClosed", "trading gate closed");
        };
        DerivClient::RequestOptions ro;
        ro.guard = guard;
        ReplyLog first, waiting;
        client->send({{"portfolio", 1}}, &m_context, first.handler(), ro);
        client->send({{"portfolio", 1}}, &m_context, waiting.handler(), ro); // waits ~600 ms for budget
        QTRY_VERIFY(first.arrived());
        QVERIFY(first.reply().ok());
        QCOMPARE(guardCalls, 1); // not evaluated while the second waits
        gateOpen = false;
        QTRY_VERIFY(waiting.arrived());
        QCOMPARE(waiting.reply().error().code, QStringLiteral("GateClosed"));
        QCOMPARE(guardCalls, 2);
        QCOMPARE(m_server->count("portfolio"), 1);
        // Reopened: the next one goes.
        gateOpen = true;
        ReplyLog third;
        client->send({{"portfolio", 1}}, &m_context, third.handler(), ro);
        QTRY_VERIFY(third.arrived());
        QVERIFY(third.reply().ok());
        QCOMPARE(m_server->count("portfolio"), 2);
    }

    // --- subscriptions -------------------------------------------------------------------------------------

    void subscribeStreamsAndUnsubscribeForgets()
    {
        auto client = readyClient();
        QVERIFY(client);
        StreamLog log;
        const quint64 key = client->subscribe({{"ticks", "R_100"}}, &m_context, log.handler());
        QVERIFY(key > 0);
        QTRY_COMPARE(log.count(Kind::Message), 1);
        const QString serverId = m_server->subscriptions(1).firstKey();
        QCOMPARE(m_server->received("ticks").first().request.value("subscribe").toInt(), 1);
        m_server->pushTick("R_100");
        m_server->pushTick("R_100");
        QTRY_COMPARE(log.count(Kind::Message), 3);
        QVERIFY(strictlyIncreasing(log.epochs()));
        client->unsubscribe(key);
        QTRY_COMPARE(m_server->count("forget"), 1);
        QCOMPARE(m_server->received("forget").first().request.value("forget").toString(), serverId);
        QTRY_VERIFY(m_server->subscriptions(1).isEmpty());
        m_server->pushTick("R_100");
        ReplyLog probe;
        client->send({{"time", 1}}, &m_context, probe.handler());
        QTRY_VERIFY(probe.arrived());
        QCOMPARE(log.count(Kind::Message), 3); // nothing after unsubscribe
        QCOMPARE(client->streamCount(), 0);
    }

    void identicalSubscriptionsShareOneServerStream()
    {
        auto client = readyClient();
        QVERIFY(client);
        StreamLog a, b;
        const quint64 ka = client->subscribe({{"ticks", "R_100"}}, &m_context, a.handler());
        QTRY_COMPARE(a.count(Kind::Message), 1);
        const quint64 kb = client->subscribe({{"ticks", "R_100"}}, &m_context, b.handler());
        m_server->pushTick("R_100");
        QTRY_COMPARE(b.count(Kind::Message), 1);
        QCOMPARE(a.count(Kind::Message), 2);
        QCOMPARE(m_server->count("ticks"), 1);
        QCOMPARE(client->streamCount(), 1);
        client->unsubscribe(ka);
        m_server->pushTick("R_100");
        QTRY_COMPARE(b.count(Kind::Message), 2);
        QCOMPARE(m_server->count("forget"), 0);
        client->unsubscribe(kb);
        QTRY_COMPARE(m_server->count("forget"), 1);
    }

    void unsubscribeWhileSubscribing()
    {
        auto client = readyClient();
        QVERIFY(client);
        // The server answers the subscribe only after the client has already let go of it.
        QPair<int, QJsonObject> held;
        m_server->setScript("ticks", [&](int c, const QJsonObject &r) {
            held = {c, r};
            return true;
        });
        StreamLog log;
        const quint64 key = client->subscribe({{"ticks", "R_10"}}, &m_context, log.handler());
        QTRY_COMPARE(m_server->count("ticks"), 1);
        client->unsubscribe(key);
        m_server->clearScript("ticks");
        m_server->reply(held.first, held.second, {{"tick", QJsonObject{{"symbol", "R_10"}, {"epoch", 5}, {"quote", 1.0}}},
                                                  {"subscription", QJsonObject{{"id", "late-sub"}}}});
        QTRY_COMPARE(m_server->count("forget"), 1);
        QCOMPARE(m_server->received("forget").first().request.value("forget").toString(), QStringLiteral("late-sub"));
        QCOMPARE(log.events.size(), 0);
    }

    void streamDroppedWhenContextDestroyed()
    {
        auto client = readyClient();
        QVERIFY(client);
        auto context = std::make_unique<QObject>();
        int calls = 0;
        client->subscribe({{"ticks", "R_25"}}, context.get(), [&](const DerivClient::StreamEvent &) { ++calls; });
        QTRY_COMPARE(calls, 1);
        context.reset();
        m_server->pushTick("R_25");
        QTRY_COMPARE(m_server->count("forget"), 1); // its owner is gone: the stream is released
        QCOMPARE(calls, 1);
        QCOMPARE(client->streamCount(), 0);
    }

    void contractStreamEndsWhenSoldAndIsNotRestored()
    {
        auto client = readyClient();
        QVERIFY(client);
        StreamLog poc;
        client->subscribe({{"proposal_open_contract", 1}, {"contract_id", 42}}, &m_context, poc.handler());
        QTRY_COMPARE(poc.count(Kind::Message), 1);
        m_server->sellContract(42);
        QTRY_COMPARE(poc.count(Kind::Ended), 1);
        QCOMPARE(poc.events.size(), 3); // open, sold, Ended
        QCOMPARE(poc.events[1].message.value("proposal_open_contract").toObject().value("is_sold").toInt(), 1);
        QCOMPARE(client->streamCount(), 0);
        QSignalSpy reconnected(client.get(), &DerivClient::reconnected);
        m_server->dropAll();
        QVERIFY(reconnected.wait());
        QCOMPARE(reconnected.first().at(1).toInt(), 0);
        QCOMPARE(m_server->count("proposal_open_contract"), 1);
        QCOMPARE(poc.events.size(), 3);
    }

    void oneShotReplyEndsTheStream()
    {
        auto client = readyClient();
        QVERIFY(client);
        m_server->sellContract(77); // already settled: a reply without subscription
        StreamLog poc;
        client->subscribe({{"proposal_open_contract", 1}, {"contract_id", 77}}, &m_context, poc.handler());
        QTRY_COMPARE(poc.count(Kind::Ended), 1);
        QCOMPARE(poc.count(Kind::Message), 1);
        QCOMPARE(poc.events.first().kind, Kind::Message);
        QCOMPARE(client->streamCount(), 0);
    }

    void writesCannotBeSubscribed()
    {
        auto client = readyClient();
        QVERIFY(client);
        StreamLog log;
        QCOMPARE(client->subscribe({{"buy", "1"}, {"price", 10}}, &m_context, log.handler()), quint64(0));
        QTRY_COMPARE(log.count(Kind::Failed), 1);
        QCOMPARE(log.events.first().error.kind, ErrorKind::InvalidInput);
        QCOMPARE(m_server->count("buy"), 0);
    }

    void subscriptionErrorFailsTheStream()
    {
        auto client = readyClient();
        QVERIFY(client);
        m_server->setScript("ticks", [&](int c, const QJsonObject &r) {
            m_server->replyError(c, r, "InvalidSymbol", "Symbol XYZ invalid.");
            return true;
        });
        StreamLog log;
        client->subscribe({{"ticks", "XYZ"}}, &m_context, log.handler());
        QTRY_COMPARE(log.count(Kind::Failed), 1);
        QCOMPARE(log.events.first().error.code, QStringLiteral("InvalidSymbol"));
        QCOMPARE(client->streamCount(), 0);
    }

    // AlreadySubscribed for a subscription the client cannot name: the identical request cannot succeed, so
    // it is not repeated (it used to be, three times) and the stream fails with a clear error.
    void alreadySubscribedWithUnknownOrphanFailsAtOnce()
    {
        auto client = readyClient();
        QVERIFY(client);
        m_server->setScript("ticks", [&](int c, const QJsonObject &r) {
            m_server->replyError(c, r, "AlreadySubscribed", "You are already subscribed to R_100.");
            return true;
        });
        StreamLog log;
        client->subscribe({{"ticks", "R_100"}}, &m_context, log.handler());
        QTRY_COMPARE(log.count(Kind::Failed), 1);
        QCOMPARE(log.events.last().error.code, QStringLiteral("AlreadySubscribed"));
        QVERIFY(log.events.last().error.message.contains(QStringLiteral("not retried")));
        QCOMPARE(m_server->count("ticks"), 1);
        QCOMPARE(m_server->count("forget_all"), 0);
        QCOMPARE(client->streamCount(), 0);
    }

    // The orphan of a lost subscribe reply, once its messages name it, is forgotten by id and the
    // subscription made again; nothing else is forgotten.
    void alreadySubscribedForgetsTheKnownOrphan()
    {
        DerivClient::Options o = options(m_server->url());
        o.requestTimeoutMs = 1000;
        auto client = readyClient(o);
        QVERIFY(client);
        StreamLog other;
        client->subscribe({{"ticks", "R_50"}}, &m_context, other.handler());
        QTRY_VERIFY(other.count(Kind::Message) >= 1);
        QJsonObject lost;
        int lostConnection = 0;
        m_server->setScript("ticks", [&](int c, const QJsonObject &r) {
            if (r.value("ticks").toString() != QLatin1String("R_100"))
                return false;
            if (lost.isEmpty()) { // the first reply never arrives
                lost = r;
                lostConnection = c;
                return true;
            }
            if (m_server->count("forget") == 0) {
                // The orphan speaks, then the server refuses the duplicate.
                m_server->reply(lostConnection, lost,
                                {{"tick", QJsonObject{{"symbol", "R_100"}, {"epoch", 1700000000}, {"quote", 100.5}}},
                                 {"subscription", QJsonObject{{"id", "orphan-1"}}}});
                m_server->replyError(c, r, "AlreadySubscribed", "You are already subscribed to R_100.");
                return true;
            }
            return false; // forgotten: the default handler subscribes
        });
        StreamLog first;
        client->subscribe({{"ticks", "R_100"}}, &m_context, first.handler());
        QTRY_COMPARE_WITH_TIMEOUT(first.count(Kind::Failed), 1, 10'000); // the lost reply times out
        StreamLog again;
        client->subscribe({{"ticks", "R_100"}}, &m_context, again.handler());
        QTRY_VERIFY_WITH_TIMEOUT(again.count(Kind::Message) >= 1, 10'000);
        QCOMPARE(again.count(Kind::Failed), 0);
        const QList<ScriptedDerivServer::Received> forgets = m_server->received("forget");
        QCOMPARE(forgets.size(), 1);
        QCOMPARE(forgets.first().request.value("forget").toString(), QStringLiteral("orphan-1"));
        QCOMPARE(m_server->count("ticks"), 4); // R_50, the lost one, the refused one, the one that worked
        QCOMPARE(other.count(Kind::Failed), 0);
    }

    // Deriv refuses a bad app_id at the HTTP upgrade (401) before any JSON: final, not a reconnect loop.
    void handshakeRefusalEndsTheSession_data()
    {
        QTest::addColumn<QByteArray>("statusLine");
        QTest::addColumn<bool>("final");
        QTest::newRow("401") << QByteArray("HTTP/1.1 401 Unauthorized") << true;
        QTest::newRow("403") << QByteArray("HTTP/1.1 403 Forbidden") << true;
        QTest::newRow("503 is worth a retry") << QByteArray("HTTP/1.1 503 Service Unavailable") << false;
    }
    void handshakeRefusalEndsTheSession()
    {
        QFETCH(QByteArray, statusLine);
        QFETCH(bool, final);
        QTcpServer http;
        QVERIFY(http.listen(QHostAddress::LocalHost));
        int upgrades = 0;
        connect(&http, &QTcpServer::newConnection, &http, [&] {
            while (QTcpSocket *sock = http.nextPendingConnection()) {
                ++upgrades;
                connect(sock, &QTcpSocket::readyRead, sock, [sock, statusLine] {
                    if (!sock->readAll().contains("\r\n\r\n"))
                        return;
                    const QByteArray body = R"({"error":"InvalidAppID"})";
                    sock->write(statusLine + "\r\nContent-Type: application/json\r\nContent-Length: "
                                + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
                    sock->disconnectFromHost();
                });
                connect(sock, &QTcpSocket::disconnected, sock, &QObject::deleteLater);
            }
        });
        DerivClient::Options o = options(QUrl(QStringLiteral("ws://127.0.0.1:%1/websockets/v3?app_id=0").arg(http.serverPort())));
        DerivClient client(o);
        QSignalSpy ended(&client, &DerivClient::sessionEnded);
        QSignalSpy lost(&client, &DerivClient::connectionLost);
        client.open();
        if (final) {
            QVERIFY(ended.wait(10'000));
            const Error e = ended.first().first().value<Error>();
            QCOMPARE(e.code, QStringLiteral("InvalidAppID"));
            QVERIFY(e.message.contains(QString::fromLatin1(statusLine.mid(9, 3))));
            QCOMPARE(client.state(), DerivClient::State::Failed);
            QTest::qWait(300); // several backoff periods (10-40 ms): no reconnect may follow
            QCOMPARE(upgrades, 1);
            QCOMPARE(lost.count(), 0);
        } else {
            QTRY_VERIFY_WITH_TIMEOUT(upgrades >= 2, 10'000);
            QCOMPARE(ended.count(), 0);
            client.close();
        }
    }

    void backfillFillsTheTickGap()
    {
        DerivClient::Options o = options(m_server->url());
        o.backoffInitialMs = 200; // long enough to push ticks while it is down
        o.backoffMaxMs = 200;
        auto client = readyClient(o);
        QVERIFY(client);
        StreamLog filled, plain;
        client->subscribe({{"ticks", "R_100"}}, &m_context, filled.handler(), DerivClient::SubscribeOptions{true});
        QTRY_COMPARE(filled.count(Kind::Message), 1);
        client->subscribe({{"ticks", "R_100"}}, &m_context, plain.handler()); // same stream, no backfill
        m_server->pushTick("R_100");
        m_server->pushTick("R_100");
        QTRY_COMPARE(filled.count(Kind::Message), 3);
        const qint64 lastBeforeDrop = filled.epochs().last();
        m_server->dropAll();
        for (int i = 0; i < 5; ++i)
            m_server->pushTick("R_100"); // missed while down
        QTRY_COMPARE(filled.count(Kind::Reconnected), 1);
        QTRY_COMPARE(filled.count(Kind::Message), 8); // 3 before, 4 filled in, then live again
        const QList<qint64> epochs = filled.epochs();
        for (qsizetype i = 1; i < epochs.size(); ++i)
            QCOMPARE(epochs[i], epochs[i - 1] + 1); // contiguous: every tick once, in order
        QCOMPARE(m_server->count("ticks_history"), 1);
        QCOMPARE(m_server->received("ticks_history").first().request.value("start").toInteger(), lastBeforeDrop);
        // The gap was marked as backfilled; the Reconnected event came before it.
        int reconnectedAt = -1;
        int firstBackfilledAt = -1;
        for (int i = 0; i < filled.events.size(); ++i) {
            if (filled.events[i].kind == Kind::Reconnected)
                reconnectedAt = i;
            if (firstBackfilledAt < 0 && filled.events[i].message.value("vigil_backfill").toBool())
                firstBackfilledAt = i;
        }
        QVERIFY(firstBackfilledAt > reconnectedAt && reconnectedAt >= 0);
        QCOMPARE(filled.events.size(), 9);
        // gapMs: from the last message before the cut to the stream's return.
        const qint64 observed = filled.arrivedAt[reconnectedAt] - filled.arrivedAt[reconnectedAt - 1];
        const qint64 gap = filled.events[reconnectedAt].gapMs;
        QVERIFY2(gap >= observed - 25 && gap <= observed + 25, qPrintable(QStringLiteral("gap %1, observed %2").arg(gap).arg(observed)));
        // A subscriber that did not ask for backfill shares the stream but only sees live ticks.
        QTRY_COMPARE(plain.count(Kind::Reconnected), 1);
        QCOMPARE(plain.epochs(), (QList<qint64>{epochs[1], epochs[2], epochs.last()}));
        for (const auto &e : plain.events)
            QVERIFY(!e.message.value("vigil_backfill").toBool());
        QCOMPARE(m_server->count("ticks"), 2); // one per socket, shared by both subscribers
    }

    void reconnectRestoresEveryStreamUnderRandomDrops()
    {
        DerivClient::Options o = options(m_server->url());
        o.clientRateLimit = false; // 20 reconnects in a second or two would (rightly) exhaust Deriv's budget
        auto client = readyClient(o);
        QVERIFY(client);
        m_server->setTickIntervalMs(5);
        StreamLog r100, r50, balance, transaction, contract;
        client->subscribe({{"ticks", "R_100"}}, &m_context, r100.handler(), DerivClient::SubscribeOptions{true});
        client->subscribe({{"ticks", "R_50"}}, &m_context, r50.handler());
        client->subscribe({{"balance", 1}}, &m_context, balance.handler());
        client->subscribe({{"transaction", 1}}, &m_context, transaction.handler());
        client->subscribe({{"proposal_open_contract", 1}, {"contract_id", 4242}}, &m_context, contract.handler());
        QTRY_VERIFY(r100.count(Kind::Message) > 0 && r50.count(Kind::Message) > 0 && balance.count(Kind::Message) > 0
                    && transaction.count(Kind::Message) > 0 && contract.count(Kind::Message) > 0);

        QSignalSpy reconnected(client.get(), &DerivClient::reconnected);
        QRandomGenerator rng(20240601);
        constexpr int drops = 20;
        for (int i = 1; i <= drops; ++i) {
            QTest::qWait(rng.bounded(10, 60)); // let the stream flow a little (pacing, not an assertion)
            m_server->dropAll();
            QTRY_COMPARE_WITH_TIMEOUT(reconnected.count(), i, 5000);
            // Every stream has been re-created before the next cut.
            QTRY_COMPARE_WITH_TIMEOUT(r100.count(Kind::Reconnected), i, 5000);
            QTRY_COMPARE_WITH_TIMEOUT(r50.count(Kind::Reconnected), i, 5000);
            QTRY_COMPARE_WITH_TIMEOUT(balance.count(Kind::Reconnected), i, 5000);
            QTRY_COMPARE_WITH_TIMEOUT(transaction.count(Kind::Reconnected), i, 5000);
            QTRY_COMPARE_WITH_TIMEOUT(contract.count(Kind::Reconnected), i, 5000);
        }
        const int before = r100.count(Kind::Message);
        QTRY_VERIFY(r100.count(Kind::Message) > before + 10); // still flowing

        for (const StreamLog *log : {&r100, &r50, &balance, &transaction, &contract}) {
            QCOMPARE(log->count(Kind::Failed), 0);
            QCOMPARE(log->count(Kind::Ended), 0);
        }
        // The backfilled stream is one continuous stream: every epoch exactly once, in order.
        const QList<qint64> epochs = r100.epochs();
        for (qsizetype i = 1; i < epochs.size(); ++i)
            QCOMPARE(epochs[i], epochs[i - 1] + 1);
        // The plain one has gaps but never a duplicate or a step back.
        QVERIFY(strictlyIncreasing(r50.epochs()));

        // The server holds exactly one subscription per live stream: no duplicates, no leftovers.
        QCOMPARE(m_server->openConnections(), 1);
        QTRY_COMPARE(m_server->subscriptions(m_server->lastConnection()).size(), 5);
        QStringList targets = m_server->subscriptions(m_server->lastConnection()).values();
        targets.sort();
        QCOMPARE(targets, (QStringList{"balance:", "proposal_open_contract:4242", "ticks:R_100", "ticks:R_50", "transaction:"}));
        QCOMPARE(client->streamCount(), 5);
        QCOMPARE(m_server->count("authorize"), drops + 1);
    }

    void closeFailsWhatIsPending()
    {
        auto client = readyClient();
        QVERIFY(client);
        m_server->setScript("statement", [](int, const QJsonObject &) { return true; });
        StreamLog ticks;
        client->subscribe({{"ticks", "R_100"}}, &m_context, ticks.handler());
        QTRY_COMPARE(ticks.count(Kind::Message), 1);
        ReplyLog written;
        client->send({{"statement", 1}}, &m_context, written.handler());
        QTRY_COMPARE(m_server->count("statement"), 1);
        QSignalSpy ended(client.get(), &DerivClient::sessionEnded);
        client->close();
        QCOMPARE(client->state(), DerivClient::State::Closed);
        QTRY_VERIFY(written.arrived());
        QCOMPARE(written.reply().error().kind, ErrorKind::OutcomeUnknown);
        QTRY_COMPARE(ticks.count(Kind::Failed), 1);
        QCOMPARE(ticks.events.last().error.kind, ErrorKind::Cancelled);
        QCOMPARE(ended.count(), 0);
        QCOMPARE(client->streamCount(), 0);
        QCOMPARE(client->pendingRequestCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestDerivClient)
#include "tst_derivclient.moc"
