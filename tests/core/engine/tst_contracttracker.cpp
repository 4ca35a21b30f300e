// SPDX-License-Identifier: GPL-3.0-or-later
#include <memory>

#include <QJsonObject>
#include <QList>
#include <QSignalSpy>
#include <QTest>

#include "deriv/derivclient.h"
#include "engine/contractsettlement.h"
#include "engine/contracttracker.h"
#include "support/scriptedderivserver.h"

using namespace Vigil;
using Vigil::Test::ScriptedDerivServer;

namespace {

constexpr qint64 s_contract = 4242;
constexpr qint64 s_localId = 7;
constexpr int s_waitMs = 15000; // generous: the machine running CI is loaded

const QString kPoc = QStringLiteral("proposal_open_contract");

// One contract on the scripted server, answered the way an independent Deriv-compatible server might,
// faults included: failed or lost subscribe replies, errors mid-stream, settlements with fields left out.
class ScriptedContract
{
public:
    explicit ScriptedContract(ScriptedDerivServer *server) : m_server(server)
    {
        server->setScript(kPoc, [this](int connection, const QJsonObject &request) { return handle(connection, request); });
    }

    QJsonObject open{{QStringLiteral("status"), QStringLiteral("open")},
                     {QStringLiteral("is_sold"), 0},
                     {QStringLiteral("buy_price"), 10},
                     {QStringLiteral("bid_price"), 9.5}};
    QJsonObject final;   // answered once sold, as given (contract_id only if the row puts it there)
    bool sold = false;
    int failSubscribes = 0;
    QString failCode = QStringLiteral("InternalServerError");
    int dropSubscribes = 0; // subscribe requests left unanswered (a lost reply)

    // Pushes a message to every live subscription.
    void push(const QJsonObject &poc)
    {
        for (const Live &l : std::as_const(m_live))
            m_server->reply(l.connection, l.request,
                            {{kPoc, poc}, {QStringLiteral("subscription"), QJsonObject{{QStringLiteral("id"), l.id}}}});
    }
    // Settles it: live streams get the final message and end.
    void sell(const QJsonObject &finalPoc, bool pushToStreams = true)
    {
        final = finalPoc;
        sold = true;
        if (pushToStreams)
            push(finalPoc);
        m_live.clear();
    }
    // An error on the live streams (the server ends them).
    void failStreams()
    {
        for (const Live &l : std::as_const(m_live))
            m_server->reply(l.connection, l.request,
                            {{QStringLiteral("error"), QJsonObject{{QStringLiteral("code"), QStringLiteral("InternalServerError")},
                                                                   {QStringLiteral("message"), QStringLiteral("scripted")}}},
                             {QStringLiteral("subscription"), QJsonObject{{QStringLiteral("id"), l.id}}}});
        m_live.clear();
    }
    int liveCount() const { return int(m_live.size()); }

private:
    struct Live
    {
        int connection = 0;
        QJsonObject request;
        QString id;
    };

    bool handle(int connection, const QJsonObject &request)
    {
        if (request.value(QLatin1String("contract_id")).toInteger() != s_contract)
            return false;
        const bool subscribe = request.value(QLatin1String("subscribe")).toInt() == 1;
        if (subscribe && !sold && dropSubscribes > 0) {
            --dropSubscribes;
            return true;
        }
        if (subscribe && !sold && failSubscribes > 0) {
            --failSubscribes;
            m_server->replyError(connection, request, failCode, QStringLiteral("scripted failure"));
            return true;
        }
        QJsonObject poc = sold ? final : open;
        if (!sold)
            poc.insert(QStringLiteral("contract_id"), s_contract);
        QJsonObject fields{{kPoc, poc}};
        if (subscribe && !sold) {
            const QString id = QStringLiteral("poc-%1-%2").arg(connection).arg(++m_nextId);
            fields.insert(QStringLiteral("subscription"), QJsonObject{{QStringLiteral("id"), id}});
            m_live.append(Live{connection, request, id});
        }
        m_server->reply(connection, request, fields);
        return true;
    }

    ScriptedDerivServer *m_server;
    QList<Live> m_live;
    int m_nextId = 0;
};

QJsonObject wonFinal()
{
    return QJsonObject{{QStringLiteral("contract_id"), s_contract}, {QStringLiteral("status"), QStringLiteral("won")},
                       {QStringLiteral("is_sold"), 1},          {QStringLiteral("buy_price"), 10},
                       {QStringLiteral("sell_price"), 19.53},   {QStringLiteral("profit"), 9.53}};
}

ContractTracker::Options fastOptions()
{
    ContractTracker::Options o;
    o.retryInitialMs = 50;
    o.retryMaxMs = 400;
    o.lostAfterFailures = 3;
    o.maxFinalQueries = 3;
    o.sellExpiredAfterMs = 300;
    return o;
}

} // namespace

class TestContractTracker : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<ScriptedDerivServer> m_server;
    std::unique_ptr<DerivClient> m_client;
    std::unique_ptr<ContractTracker> m_tracker;
    std::unique_ptr<ScriptedContract> m_contract;

    bool start(const ContractTracker::Options &trackerOptions = fastOptions())
    {
        DerivClient::Options o;
        o.url = m_server->url();
        o.token = QStringLiteral("valid-token-0001");
        o.accountLabel = QStringLiteral("tracker-test");
        o.requestTimeoutMs = 1000; // a lost reply fails its request quickly
        o.backoffInitialMs = 10;
        o.backoffMaxMs = 40;
        o.clientRateLimit = false;
        o.rateLimits.backoffStepMs = 20; // a server RateLimit blocks the group briefly
        o.rateLimits.backoffMaxMs = 100;
        m_client = std::make_unique<DerivClient>(o);
        QSignalSpy ready(m_client.get(), &DerivClient::ready);
        m_client->open();
        if (!ready.wait(s_waitMs))
            return false;
        m_tracker = std::make_unique<ContractTracker>(m_client.get(), 2, trackerOptions);
        return true;
    }
    int pocRequests() const { return m_server->count(kPoc); }

private Q_SLOTS:
    void init()
    {
        qRegisterMetaType<ContractSettlement>();
        qRegisterMetaType<Error>();
        m_server = std::make_unique<ScriptedDerivServer>();
        QVERIFY(m_server->listen());
        m_contract = std::make_unique<ScriptedContract>(m_server.get());
    }
    void cleanup()
    {
        m_tracker.reset();
        m_client.reset();
        m_contract.reset();
        m_server.reset();
    }

    // A stream that fails is followed again (it used to be dropped: nobody followed the contract any more).
    void failedStreamIsFollowedAgain_data()
    {
        QTest::addColumn<int>("fail");
        QTest::addColumn<QString>("code");
        QTest::addColumn<int>("drop");
        QTest::newRow("error reply") << 1 << QStringLiteral("InternalServerError") << 0;
        QTest::newRow("lost subscribe reply") << 0 << QString() << 1;
        QTest::newRow("rate limited past the client's retries") << 4 << QStringLiteral("RateLimit") << 0;
    }
    void failedStreamIsFollowedAgain()
    {
        QFETCH(int, fail);
        QFETCH(QString, code);
        QFETCH(int, drop);
        m_contract->failSubscribes = fail;
        m_contract->failCode = code;
        m_contract->dropSubscribes = drop;
        QVERIFY(start());
        QSignalSpy settled(m_tracker.get(), &ContractTracker::contractSettled);
        m_tracker->follow(s_localId, s_contract);
        QTRY_COMPARE_WITH_TIMEOUT(m_contract->liveCount(), 1, s_waitMs);
        QVERIFY(m_tracker->isFollowing(s_contract));
        m_contract->sell(wonFinal());
        QTRY_COMPARE_WITH_TIMEOUT(settled.count(), 1, s_waitMs);
        QCOMPARE(settled.at(0).at(0).toLongLong(), s_localId);
        QCOMPARE(settled.at(0).at(1).value<ContractSettlement>().sellPrice, Money::fromMinor(1953));
        QVERIFY(!m_tracker->isFollowing(s_contract));
    }

    void errorMidStreamIsFollowedAgain()
    {
        QVERIFY(start());
        QSignalSpy settled(m_tracker.get(), &ContractTracker::contractSettled);
        QSignalSpy updated(m_tracker.get(), &ContractTracker::contractUpdated);
        m_tracker->follow(s_localId, s_contract);
        QTRY_COMPARE_WITH_TIMEOUT(updated.count(), 1, s_waitMs);
        m_contract->failStreams();
        // Asked once, then subscribed again.
        QTRY_COMPARE_WITH_TIMEOUT(m_contract->liveCount(), 1, s_waitMs);
        QVERIFY(pocRequests() >= 3);
        m_contract->sell(wonFinal());
        QTRY_COMPARE_WITH_TIMEOUT(settled.count(), 1, s_waitMs);
        QCOMPARE(m_tracker->count(), 0);
    }

    // Reconciliation is told once per outage; the tracker keeps the contract and keeps trying meanwhile.
    void repeatedFailuresReportLostOnceAndKeepFollowing()
    {
        m_contract->failSubscribes = 6;
        QVERIFY(start());
        QSignalSpy lost(m_tracker.get(), &ContractTracker::contractLost);
        QSignalSpy settled(m_tracker.get(), &ContractTracker::contractSettled);
        m_tracker->follow(s_localId, s_contract);
        QTRY_COMPARE_WITH_TIMEOUT(m_contract->liveCount(), 1, s_waitMs);
        QCOMPARE(lost.count(), 1);
        QCOMPARE(lost.at(0).at(1).toLongLong(), s_contract);
        QVERIFY(m_tracker->isFollowing(s_contract));
        QVERIFY(!m_tracker->isParked(s_contract));
        m_contract->sell(wonFinal());
        QTRY_COMPARE_WITH_TIMEOUT(settled.count(), 1, s_waitMs);
        QCOMPARE(lost.count(), 1);
    }

    void sessionEndReportsLostWithoutRetrying()
    {
        QVERIFY(start());
        QSignalSpy lost(m_tracker.get(), &ContractTracker::contractLost);
        QSignalSpy ended(m_client.get(), &DerivClient::sessionEnded);
        m_tracker->follow(s_localId, s_contract);
        QTRY_COMPARE_WITH_TIMEOUT(m_contract->liveCount(), 1, s_waitMs);
        // The token is revoked: the next authenticated answer says so and the session ends for good.
        m_server->setScript(QStringLiteral("time"), [this](int connection, const QJsonObject &request) {
            m_server->replyError(connection, request, QStringLiteral("InvalidToken"), QStringLiteral("revoked"));
            return true;
        });
        m_client->send(QJsonObject{{QStringLiteral("time"), 1}}, this, [](const Result<QJsonObject> &) {});
        QVERIFY(ended.wait(s_waitMs));
        QTRY_COMPARE_WITH_TIMEOUT(lost.count(), 1, s_waitMs);
        const int requests = pocRequests();
        QTest::qWait(500); // several retry delays: none may come
        QCOMPARE(pocRequests(), requests);
        QVERIFY(m_tracker->isFollowing(s_contract));
    }

    // proposal_open_contract's schema makes sell_price and contract_id optional; is_sold may be spelled
    // "1" or true. None of these may loop on queries.
    void finalWithOptionalFieldsSettles_data()
    {
        QTest::addColumn<QJsonObject>("final");
        QTest::addColumn<qint64>("sellMinor");
        QTest::addColumn<qint64>("profitMinor");
        QTest::addColumn<QString>("status");
        QJsonObject lostNoSell{{QStringLiteral("contract_id"), s_contract}, {QStringLiteral("status"), QStringLiteral("lost")},
                               {QStringLiteral("is_sold"), 1},          {QStringLiteral("buy_price"), 10}};
        QTest::newRow("lost, sell_price and profit left out") << lostNoSell << qint64(0) << qint64(-1000) << QStringLiteral("lost");
        QJsonObject wonNoSell = wonFinal();
        wonNoSell.remove(QStringLiteral("sell_price"));
        QTest::newRow("won, sell_price left out") << wonNoSell << qint64(1953) << qint64(953) << QStringLiteral("won");
        QJsonObject noId = wonFinal();
        noId.remove(QStringLiteral("contract_id"));
        QTest::newRow("contract_id left out") << noId << qint64(1953) << qint64(953) << QStringLiteral("won");
        QJsonObject soldAsString = wonFinal();
        soldAsString.insert(QStringLiteral("is_sold"), QStringLiteral("1"));
        QTest::newRow("is_sold \"1\"") << soldAsString << qint64(1953) << qint64(953) << QStringLiteral("won");
        QJsonObject soldAsBool = wonFinal();
        soldAsBool.insert(QStringLiteral("is_sold"), true);
        QTest::newRow("is_sold true") << soldAsBool << qint64(1953) << qint64(953) << QStringLiteral("won");
    }
    void finalWithOptionalFieldsSettles()
    {
        QFETCH(QJsonObject, final);
        QFETCH(qint64, sellMinor);
        QFETCH(qint64, profitMinor);
        QFETCH(QString, status);
        QVERIFY(start());
        QSignalSpy settled(m_tracker.get(), &ContractTracker::contractSettled);
        QSignalSpy lost(m_tracker.get(), &ContractTracker::contractLost);
        m_tracker->follow(s_localId, s_contract);
        QTRY_COMPARE_WITH_TIMEOUT(m_contract->liveCount(), 1, s_waitMs);
        m_contract->sell(final);
        QTRY_COMPARE_WITH_TIMEOUT(settled.count(), 1, s_waitMs);
        const auto s = settled.at(0).at(1).value<ContractSettlement>();
        QCOMPARE(s.contractId, s_contract);
        QCOMPARE(s.buyPrice, Money::fromMinor(1000));
        QCOMPARE(s.sellPrice, Money::fromMinor(sellMinor));
        QCOMPARE(s.profit, Money::fromMinor(profitMinor));
        QCOMPARE(s.status, status);
        QCOMPARE(pocRequests(), 1); // the subscribe; no query
        QCOMPARE(lost.count(), 0);
    }

    // A server that keeps saying "sold" without figures gets a bounded number of queries, then the contract
    // waits for reconciliation.
    void incompleteFinalIsQueriedBoundedThenParked()
    {
        QVERIFY(start());
        QSignalSpy settled(m_tracker.get(), &ContractTracker::contractSettled);
        QSignalSpy lost(m_tracker.get(), &ContractTracker::contractLost);
        m_tracker->follow(s_localId, s_contract);
        QTRY_COMPARE_WITH_TIMEOUT(m_contract->liveCount(), 1, s_waitMs);
        m_contract->sell(QJsonObject{{QStringLiteral("contract_id"), s_contract},
                                     {QStringLiteral("status"), QStringLiteral("sold")},
                                     {QStringLiteral("is_sold"), 1}});
        QTRY_COMPARE_WITH_TIMEOUT(lost.count(), 1, s_waitMs);
        QCOMPARE(lost.at(0).at(2).value<Error>().code, QStringLiteral("IncompleteSettlement"));
        QVERIFY(m_tracker->isParked(s_contract));
        QVERIFY(m_tracker->isFollowing(s_contract));
        QCOMPARE(pocRequests(), 1 + fastOptions().maxFinalQueries);
        QTest::qWait(1000); // more than every retry delay together: nothing more may be asked
        QCOMPARE(pocRequests(), 1 + fastOptions().maxFinalQueries);
        QCOMPARE(settled.count(), 0);
        QCOMPARE(lost.count(), 1);
        m_tracker->follow(s_localId, s_contract); // reconciliation found it open: no restart of the loop
        QTest::qWait(200);
        QCOMPARE(pocRequests(), 1 + fastOptions().maxFinalQueries);
        m_tracker->forget(s_contract);
        QCOMPARE(m_tracker->count(), 0);
    }

    // A contract the server leaves expired and settleable: sell_expired, once per interval, then a fresh look.
    void expiredUnsettledGetsSellExpired_data()
    {
        QTest::addColumn<bool>("pushSettlement");
        QTest::newRow("server pushes the settlement") << true;
        QTest::newRow("only a fresh query shows it") << false;
    }
    void expiredUnsettledGetsSellExpired()
    {
        QFETCH(bool, pushSettlement);
        m_contract->open.insert(QStringLiteral("is_expired"), 1);
        m_contract->open.insert(QStringLiteral("is_settleable"), 1);
        m_server->setScript(QStringLiteral("sell_expired"), [this, pushSettlement](int connection, const QJsonObject &request) {
            m_server->reply(connection, request,
                            {{QStringLiteral("sell_expired"), QJsonObject{{QStringLiteral("count"), 1}}}});
            m_contract->sell(wonFinal(), pushSettlement);
            return true;
        });
        QVERIFY(start());
        QSignalSpy settled(m_tracker.get(), &ContractTracker::contractSettled);
        m_tracker->follow(s_localId, s_contract);
        QTRY_COMPARE_WITH_TIMEOUT(settled.count(), 1, s_waitMs);
        // Once per interval (a very slow machine may see the next interval start before the settlement lands).
        QVERIFY(m_server->count(QStringLiteral("sell_expired")) >= 1);
        QVERIFY(m_server->count(QStringLiteral("sell_expired")) <= 2);
        QCOMPARE(settled.at(0).at(1).value<ContractSettlement>().status, QStringLiteral("won"));
    }

    // The sold message is lost on a socket that stays up (the server ends its stream after it): the contract
    // used to wait for the next periodic reconciliation (minutes), its bot and its limit slot with it. A
    // stream silent for silenceQueryMs is asked about.
    void lostSoldMessageIsFoundBySilence()
    {
        ContractTracker::Options o = fastOptions();
        o.silenceQueryMs = 300;
        QVERIFY(start(o));
        QSignalSpy settled(m_tracker.get(), &ContractTracker::contractSettled);
        QSignalSpy updated(m_tracker.get(), &ContractTracker::contractUpdated);
        m_tracker->follow(s_localId, s_contract);
        QTRY_COMPARE_WITH_TIMEOUT(updated.count(), 1, s_waitMs);
        m_contract->sell(wonFinal(), false);
        QTRY_COMPARE_WITH_TIMEOUT(settled.count(), 1, s_waitMs);
        QCOMPARE(settled.at(0).at(1).value<ContractSettlement>().sellPrice, Money::fromMinor(1953));
        QVERIFY(!m_tracker->isFollowing(s_contract));
    }

    // A stream that keeps talking costs no extra request.
    void liveStreamIsNotQueried()
    {
        ContractTracker::Options o = fastOptions();
        o.silenceQueryMs = 2000;
        QVERIFY(start(o));
        QSignalSpy updated(m_tracker.get(), &ContractTracker::contractUpdated);
        m_tracker->follow(s_localId, s_contract);
        QTRY_COMPARE_WITH_TIMEOUT(updated.count(), 1, s_waitMs);
        for (int i = 0; i < 30; ++i) {
            m_contract->push(m_contract->open);
            QTest::qWait(100);
        }
        QCOMPARE(pocRequests(), 1);
    }

    void stuckExpiredContractIsNudgedOncePerInterval()
    {
        m_contract->open.insert(QStringLiteral("is_expired"), 1);
        m_contract->open.insert(QStringLiteral("is_settleable"), 1);
        m_server->setScript(QStringLiteral("sell_expired"), [this](int connection, const QJsonObject &request) {
            m_server->reply(connection, request, {{QStringLiteral("sell_expired"), QJsonObject{{QStringLiteral("count"), 0}}}});
            return true;
        });
        QVERIFY(start());
        m_tracker->follow(s_localId, s_contract);
        QTRY_VERIFY_WITH_TIMEOUT(m_server->count(QStringLiteral("sell_expired")) >= 2, s_waitMs);
        const QList<ScriptedDerivServer::Received> sent = m_server->received(QStringLiteral("sell_expired"));
        QVERIFY2(sent.at(1).atMs - sent.at(0).atMs >= fastOptions().sellExpiredAfterMs - 50,
                 qPrintable(QStringLiteral("%1 ms apart").arg(sent.at(1).atMs - sent.at(0).atMs)));
        QVERIFY(m_tracker->isFollowing(s_contract));
    }
};

QTEST_GUILESS_MAIN(TestContractTracker)
#include "tst_contracttracker.moc"
