// SPDX-License-Identifier: GPL-3.0-or-later
// DerivClient against the simulator: a real Deriv-compatible server with contracts, settlement, rate limits
// and fault injection.
#include <cmath>
#include <memory>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

#include "deriv/derivclient.h"
#include "deriv/derivrequests.h"
#include "sim/simserver.h"

using namespace Vigil;
using Kind = DerivClient::StreamEvent::Kind;

namespace {

const QString s_token = QStringLiteral("sim-trader-token-1");
const QString s_symbol = QStringLiteral("1HZ100V"); // one tick per virtual second: epochs are consecutive

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

struct StreamLog
{
    QList<DerivClient::StreamEvent> events;
    DerivClient::StreamHandler handler()
    {
        return [this](const DerivClient::StreamEvent &e) { events.append(e); };
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
                out.append(e.tick ? e.tick->epoch : e.message.value("tick").toObject().value("epoch").toInteger());
        }
        return out;
    }
    int typed() const
    {
        return int(std::count_if(events.begin(), events.end(), [](const auto &e) { return e.tick.has_value(); }));
    }
};

DerivRequests::ContractParameters callContract(int duration, const QString &unit)
{
    DerivRequests::ContractParameters c;
    c.contractType = QStringLiteral("CALL");
    c.symbol = s_symbol;
    c.amount = Money::fromMinor(1000);
    c.duration = duration;
    c.durationUnit = unit;
    return c;
}

} // namespace

class TestDerivClientSim : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<Sim::SimServer> m_sim;
    QString m_loginid;
    QObject m_context;

    DerivClient::Options options() const
    {
        DerivClient::Options o;
        o.url = m_sim->url();
        o.token = s_token;
        o.accountLabel = QStringLiteral("sim");
        o.pingIntervalMs = 5'000;
        o.pongTimeoutMs = 2'000;
        o.requestTimeoutMs = 5'000;
        o.backoffInitialMs = 10;
        o.backoffMaxMs = 40;
        return o;
    }

    std::unique_ptr<DerivClient> readyClient(DerivClient::Options o)
    {
        auto client = std::make_unique<DerivClient>(std::move(o));
        QSignalSpy ready(client.get(), &DerivClient::ready);
        client->open();
        if (!ready.wait(5000))
            return nullptr;
        return client;
    }

    qint64 buy(DerivClient &client, const DerivRequests::ContractParameters &c)
    {
        ReplyLog log;
        client.send(DerivRequests::buyByParameters(c, Money::fromMinor(1000)), &m_context, log.handler());
        if (!QTest::qWaitFor([&] { return log.arrived(); }, 5000) || !log.reply().ok())
            return 0;
        return log.reply()->value("buy").toObject().value("contract_id").toInteger();
    }

    const Sim::ConnectionStats *onlyConnection(const Sim::SimStats &stats) const
    {
        return stats.connections.size() == 1 ? &stats.connections.first() : nullptr;
    }

private Q_SLOTS:
    void init()
    {
        Sim::SimConfig config;
        config.seed = 11;
        config.timeScale = 20; // a virtual second every 50 ms
        m_sim = std::make_unique<Sim::SimServer>(config);
        const Result<QString> loginid = m_sim->addAccount(s_token);
        QVERIFY(loginid.ok());
        m_loginid = *loginid;
        QVERIFY(m_sim->listen().ok());
    }
    void cleanup() { m_sim.reset(); }

    void buysAndFollowsAContractToSettlement()
    {
        auto client = readyClient(options());
        QVERIFY(client);
        QCOMPARE(client->authorization().value("loginid").toString(), m_loginid);
        const qint64 contractId = buy(*client, callContract(5, "t"));
        QVERIFY(contractId > 0);
        StreamLog poc;
        client->subscribe(DerivRequests::proposalOpenContract(contractId), &m_context, poc.handler());
        QTRY_COMPARE_WITH_TIMEOUT(poc.count(Kind::Ended), 1, 10000);
        QVERIFY(poc.count(Kind::Message) >= 2);
        const QJsonObject last = poc.events[poc.events.size() - 2].message.value("proposal_open_contract").toObject();
        QCOMPARE(last.value("is_sold").toInt(), 1);
        QVERIFY(last.value("status").toString() == "won" || last.value("status").toString() == "lost");
        QCOMPARE(client->streamCount(), 0);
        QTRY_COMPARE(onlyConnection(m_sim->stats())->subscriptions, 0);
    }

    void lostBuyReplyIsOutcomeUnknownAndNeverRepeated()
    {
        auto client = readyClient(options());
        QVERIFY(client);
        m_sim->faults().dropOnCall("buy", 1, /*applyEffect=*/true); // the buy happens, its reply is lost
        QSignalSpy reconnected(client.get(), &DerivClient::reconnected);
        ReplyLog log;
        client->send(DerivRequests::buyByParameters(callContract(5, "m"), Money::fromMinor(1000)), &m_context, log.handler());
        QTRY_VERIFY(log.arrived());
        QCOMPARE(log.reply().error().kind, ErrorKind::OutcomeUnknown);
        QTRY_COMPARE(reconnected.count(), 1);
        // Only a read can tell what happened: the contract exists.
        ReplyLog portfolio;
        client->send({{"portfolio", 1}}, &m_context, portfolio.handler());
        QTRY_VERIFY(portfolio.arrived());
        QVERIFY(portfolio.reply().ok());
        QCOMPARE(portfolio.reply()->value("portfolio").toObject().value("contracts").toArray().size(), 1);
        const Sim::SimStats stats = m_sim->stats();
        const Sim::AccountStats *account = stats.account(m_loginid);
        QVERIFY(account);
        QCOMPARE(account->buysReceived, 1);
        QCOMPARE(account->buysCompleted, 1);
    }

    void streamsSurviveTwentyRandomDrops()
    {
        DerivClient::Options o = options();
        o.clientRateLimit = false; // twenty reconnects in seconds: only the simulator's budget applies
        auto client = readyClient(o);
        QVERIFY(client);
        const qint64 contractId = buy(*client, callContract(10, "m")); // stays open throughout
        QVERIFY(contractId > 0);
        StreamLog ticks, balance, transaction, poc;
        // Typed ticks: most come through the fast path, those after a reconnect as JSON; one stream all the same.
        client->subscribe(DerivRequests::ticks(s_symbol), &m_context, ticks.handler(), DerivClient::SubscribeOptions{true, true});
        client->subscribe({{"balance", 1}}, &m_context, balance.handler());
        client->subscribe({{"transaction", 1}}, &m_context, transaction.handler());
        client->subscribe(DerivRequests::proposalOpenContract(contractId), &m_context, poc.handler());
        QTRY_VERIFY_WITH_TIMEOUT(ticks.count(Kind::Message) > 0 && balance.count(Kind::Message) > 0
                                     && transaction.count(Kind::Message) > 0 && poc.count(Kind::Message) > 0,
                                 5000);
        QSignalSpy reconnected(client.get(), &DerivClient::reconnected);
        QRandomGenerator rng(42);
        for (int i = 1; i <= 20; ++i) {
            QTest::qWait(rng.bounded(20, 120)); // pacing, not an assertion
            m_sim->faults().dropNow();
            QTRY_COMPARE_WITH_TIMEOUT(reconnected.count(), i, 5000);
            for (StreamLog *log : {&ticks, &balance, &poc})
                QTRY_COMPARE_WITH_TIMEOUT(log->count(Kind::Reconnected), i, 5000);
        }
        const int before = ticks.count(Kind::Message);
        QTRY_VERIFY_WITH_TIMEOUT(ticks.count(Kind::Message) > before + 5, 5000);
        for (const StreamLog *log : {&ticks, &balance, &transaction, &poc})
            QCOMPARE(log->count(Kind::Failed), 0);
        const QList<qint64> epochs = ticks.epochs();
        for (qsizetype i = 1; i < epochs.size(); ++i)
            QCOMPARE(epochs[i], epochs[i - 1] + 1); // one stream: every tick once, in order
        QVERIFY(ticks.typed() > 0);

        // The simulator holds exactly one subscription per live stream on the one live connection.
        QTRY_VERIFY(onlyConnection(m_sim->stats()) && onlyConnection(m_sim->stats())->subscriptions == 4);
        const Sim::ConnectionStats c = *onlyConnection(m_sim->stats());
        QStringList keys = c.subscriptionKeys;
        keys.removeDuplicates();
        QCOMPARE(keys.size(), 4);
        QCOMPARE(client->streamCount(), 4);
        QCOMPARE(m_sim->stats().account(m_loginid)->buysReceived, 1);
    }

    // A subscriber that asks for typed ticks gets live ticks without a JSON document, with the values the
    // JSON carries; the subscribe reply, a stream shared with a JSON subscriber, and the first tick after a
    // reconnect still come as JSON.
    void typedTicksCarryWhatTheJsonSays()
    {
        auto typedClient = readyClient(options());
        auto jsonClient = readyClient(options());
        QVERIFY(typedClient && jsonClient);
        StreamLog typed, json;
        DerivClient::SubscribeOptions typedOptions;
        typedOptions.typedTicks = true;
        typedClient->subscribe(DerivRequests::ticks(s_symbol), &m_context, typed.handler(), typedOptions);
        jsonClient->subscribe(DerivRequests::ticks(s_symbol), &m_context, json.handler());
        QTRY_VERIFY_WITH_TIMEOUT(typed.typed() >= 5 && json.count(Kind::Message) >= 5, 10'000);

        QVERIFY(!typed.events.first().tick); // the subscribe reply answers a request: the full decode
        QVERIFY(!typed.events.first().message.isEmpty());
        QCOMPARE(json.typed(), 0); // nobody asked
        int compared = 0;
        for (const DerivClient::StreamEvent &t : std::as_const(typed.events)) {
            if (!t.tick)
                continue;
            QVERIFY(t.message.isEmpty());
            for (const DerivClient::StreamEvent &j : std::as_const(json.events)) {
                const QJsonObject tick = j.message.value("tick").toObject();
                if (j.kind != Kind::Message || tick.value("epoch").toInteger() != t.tick->epoch)
                    continue;
                QCOMPARE(t.tick->symbol, tick.value("symbol").toString());
                QCOMPARE(t.tick->pipSize, tick.value("pip_size").toInt());
                QCOMPARE(double(t.tick->quoteUnits) / std::pow(10.0, t.tick->quoteDecimals), tick.value("quote").toDouble());
                ++compared;
            }
        }
        QVERIFY(compared >= 3);

        // A second subscriber on the typed client's stream wants JSON: from then on both get JSON.
        StreamLog second;
        typedClient->subscribe(DerivRequests::ticks(s_symbol), &m_context, second.handler());
        QTRY_VERIFY_WITH_TIMEOUT(second.count(Kind::Message) >= 2, 10'000);
        QCOMPARE(second.typed(), 0);
        const int typedBefore = typed.typed();
        const int messagesBefore = typed.count(Kind::Message);
        QTRY_VERIFY_WITH_TIMEOUT(typed.count(Kind::Message) >= messagesBefore + 2, 10'000);
        QCOMPARE(typed.typed(), typedBefore);
    }

    void malformedFramesFromTheSimulator_data()
    {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("code");
        QTest::newRow("not json") << int(Sim::MalformedKind::NotJson) << "NotJson";
        QTest::newRow("wrong types") << int(Sim::MalformedKind::WrongTypes) << "BadEnvelope";
        QTest::newRow("missing msg_type") << int(Sim::MalformedKind::MissingMsgType) << "MissingMsgType";
        QTest::newRow("oversized") << int(Sim::MalformedKind::Oversized) << "Oversized";
    }
    void malformedFramesFromTheSimulator()
    {
        QFETCH(int, kind);
        QFETCH(QString, code);
        auto client = readyClient(options());
        QVERIFY(client);
        QSignalSpy malformed(client.get(), &DerivClient::malformedFrame);
        QSignalSpy lost(client.get(), &DerivClient::connectionLost);
        m_sim->faults().sendMalformed(Sim::MalformedKind(kind));
        QVERIFY(malformed.wait());
        QVERIFY2(malformed.first().at(1).toString().startsWith(code), qPrintable(malformed.first().at(1).toString()));
        QVERIFY(malformed.first().at(0).toString().size() <= 512);
        ReplyLog probe;
        client->send({{"time", 1}}, &m_context, probe.handler());
        QTRY_VERIFY(probe.arrived());
        QVERIFY(probe.reply().ok());
        QCOMPARE(lost.count(), 0);
        QCOMPARE(m_sim->stats().connectionsOpened, 1);
    }

    void revokedTokenEndsTheSession()
    {
        auto client = readyClient(options());
        QVERIFY(client);
        StreamLog balance;
        client->subscribe({{"balance", 1}}, &m_context, balance.handler());
        QTRY_COMPARE(balance.count(Kind::Message), 1);
        QSignalSpy ended(client.get(), &DerivClient::sessionEnded);
        QSignalSpy opened(m_sim.get(), &Sim::SimServer::connectionOpened);
        QVERIFY(m_sim->deleteToken(s_token));
        ReplyLog log;
        client->send({{"portfolio", 1}}, &m_context, log.handler());
        QVERIFY(ended.wait());
        QCOMPARE(ended.first().at(0).value<Error>().code, QStringLiteral("InvalidToken"));
        QCOMPARE(client->state(), DerivClient::State::Failed);
        QTRY_VERIFY(log.arrived());
        QCOMPARE(log.reply().error().code, QStringLiteral("InvalidToken"));
        QTRY_VERIFY(balance.count(Kind::Failed) == 1);
        QVERIFY(!opened.wait(300)); // no reconnect loop
        QCOMPARE(m_sim->stats().connectionsOpened, 1);
    }

    void serverRateLimitIsReturnedAndBacksOff()
    {
        DerivClient::Options o = options();
        o.rateLimits.backoffStepMs = 300;
        auto client = readyClient(o);
        QVERIFY(client);
        m_sim->faults().failCall("proposal", "RateLimit", "You have reached the rate limit for proposal.", 1);
        DerivRequests::ContractParameters c = callContract(5, "t");
        ReplyLog first, second;
        client->send(DerivRequests::proposal(c), &m_context, first.handler());
        QTRY_VERIFY(first.arrived());
        QCOMPARE(first.reply().error().kind, ErrorKind::RateLimited);
        QCOMPARE(first.reply().error().code, QStringLiteral("RateLimit"));
        QElapsedTimer t;
        t.start();
        client->send(DerivRequests::proposal(c), &m_context, second.handler());
        QTRY_VERIFY(second.arrived());
        QVERIFY(second.reply().ok());
        QVERIFY2(t.elapsed() >= 250, qPrintable(QString::number(t.elapsed())));
    }

    void slowPongReconnects()
    {
        DerivClient::Options o = options();
        o.pingIntervalMs = 100;
        o.pongTimeoutMs = 150;
        auto client = readyClient(o);
        QVERIFY(client);
        QSignalSpy lost(client.get(), &DerivClient::connectionLost);
        QSignalSpy reconnected(client.get(), &DerivClient::reconnected);
        m_sim->faults().delayReplies("ping", 1000, 1);
        QVERIFY(lost.wait(3000));
        QCOMPARE(lost.first().at(0).value<Error>().code, QStringLiteral("PongTimeout"));
        QVERIFY(reconnected.wait(3000));
    }
};

QTEST_GUILESS_MAIN(TestDerivClientSim)
#include "tst_derivclient_sim.moc"
