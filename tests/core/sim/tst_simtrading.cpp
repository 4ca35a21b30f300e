// SPDX-License-Identifier: GPL-3.0-or-later
// Trading through a real socket: proposals, buys, settlement arithmetic from scripted ticks,
// resale, statements and balances to the cent.
#include <memory>

#include <QJsonArray>
#include <QTest>

#include "sim/simserver.h"
#include "simtestclient.h"

using namespace Vigil;
using namespace Vigil::Sim;
using Vigil::Test::SimTestClient;

namespace {
constexpr qint64 s_start = 1'700'000'000'000; // an even epoch second: R_100 ticks at start + 2 s, + 4 s, ...
const QString s_token = QStringLiteral("trader-token-1");

QJsonObject params(const QString &type, int duration, const QString &unit, double amount,
                   const QString &basis = QStringLiteral("stake"), const QString &barrier = QString(),
                   const QString &symbol = QStringLiteral("R_100"))
{
    QJsonObject p{{QStringLiteral("contract_type"), type},      {QStringLiteral("currency"), QStringLiteral("USD")},
                  {QStringLiteral("symbol"), symbol},           {QStringLiteral("duration"), duration},
                  {QStringLiteral("duration_unit"), unit},      {QStringLiteral("amount"), amount},
                  {QStringLiteral("basis"), basis}};
    if (!barrier.isEmpty())
        p.insert(QStringLiteral("barrier"), barrier);
    return p;
}

QJsonObject withCall(QJsonObject p, const char *call, const QJsonValue &value)
{
    p.insert(QLatin1String(call), value);
    return p;
}

QString errorCode(const QJsonObject &reply)
{
    return reply.value(QLatin1String("error")).toObject().value(QLatin1String("code")).toString();
}

qint64 cents(const QJsonValue &v)
{
    return qRound64(v.toDouble() * 100.0);
}
} // namespace

class TestSimTrading final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void proposalPricesWithThePayoutFormula_data();
    void proposalPricesWithThePayoutFormula();
    void proposalValidationErrors_data();
    void proposalValidationErrors();
    void riseFallSettlesFromScriptedTicks_data();
    void riseFallSettlesFromScriptedTicks();
    void digitContractsCountEntryAsFirstTick_data();
    void digitContractsCountEntryAsFirstTick();
    void contractStreamShowsLifeAndEnds();
    void proposalIdIsSingleUse();
    void buyByParametersAndMaxPrice();
    void insufficientBalance();
    void tickContractIsNotResellable();
    void secondContractSellsAfterEntryTick();
    void sellHonoursMinimumPrice();
    void sellingUnknownOrClosedContract();
    void statementAndProfitTableMoveToTheCent();
    void portfolioListsOpenContractsOnly();
    void transactionAndBalanceStreams();
    void openContractsSubscriptionCoversAll();
    void settledContractGetsOneShotReply();
    void buyDirectCreatesAnOrphan();
    void idsNeverRepeatAcrossRuns();

private:
    QJsonObject buy(const QJsonObject &parameters, double price = 1000, bool subscribe = false);
    void advance(qint64 ms) { m_server->advanceTime(ms); }

    std::unique_ptr<SimServer> m_server;
    std::unique_ptr<SimTestClient> m_client;
    QString m_loginid;
};

void TestSimTrading::init()
{
    SimConfig config;
    config.manualClock = true;
    config.startEpochMs = s_start;
    config.seed = 7;
    m_server = std::make_unique<SimServer>(config);
    auto loginid = m_server->addAccount(s_token);
    QVERIFY(loginid.ok());
    m_loginid = *loginid;
    QVERIFY(m_server->listen().ok());
    m_client = std::make_unique<SimTestClient>();
    QVERIFY(m_client->open(m_server->url()));
    const QJsonObject auth = m_client->call({{QStringLiteral("authorize"), s_token}});
    QCOMPARE(auth.value(QLatin1String("authorize")).toObject().value(QLatin1String("loginid")).toString(), m_loginid);
}

void TestSimTrading::cleanup()
{
    m_client.reset();
    m_server.reset();
}

QJsonObject TestSimTrading::buy(const QJsonObject &parameters, double price, bool subscribe)
{
    QJsonObject req{{QStringLiteral("buy"), QStringLiteral("1")}, {QStringLiteral("price"), price},
                    {QStringLiteral("parameters"), parameters}};
    if (subscribe)
        req.insert(QStringLiteral("subscribe"), 1);
    return m_client->call(req);
}

void TestSimTrading::proposalPricesWithThePayoutFormula_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("barrier");
    QTest::addColumn<double>("amount");
    QTest::addColumn<QString>("basis");
    QTest::addColumn<qint64>("askCents");
    QTest::addColumn<qint64>("payoutCents");
    // payout = round(stake / (p + 0.012), 2)
    QTest::newRow("CALL 10 stake") << "CALL" << "" << 10.0 << "stake" << qint64(1000) << qint64(1953);
    QTest::newRow("PUT 0.35 stake") << "PUT" << "" << 0.35 << "stake" << qint64(35) << qint64(68);
    QTest::newRow("CALLE 1 stake") << "CALLE" << "" << 1.0 << "stake" << qint64(100) << qint64(195);
    QTest::newRow("MATCH 10") << "DIGITMATCH" << "5" << 10.0 << "stake" << qint64(1000) << qint64(8929);
    QTest::newRow("DIFF 10") << "DIGITDIFF" << "5" << 10.0 << "stake" << qint64(1000) << qint64(1096);
    QTest::newRow("OVER 0") << "DIGITOVER" << "0" << 10.0 << "stake" << qint64(1000) << qint64(1096);
    QTest::newRow("OVER 7 (p=0.2)") << "DIGITOVER" << "7" << 10.0 << "stake" << qint64(1000) << qint64(4717);
    QTest::newRow("UNDER 3 (p=0.3)") << "DIGITUNDER" << "3" << 10.0 << "stake" << qint64(1000) << qint64(3205);
    QTest::newRow("EVEN 2.50") << "DIGITEVEN" << "" << 2.5 << "stake" << qint64(250) << qint64(488);
    QTest::newRow("ODD 100") << "DIGITODD" << "" << 100.0 << "stake" << qint64(10000) << qint64(19531);
    // basis payout: stake = round(payout × (p + 0.012), 2)
    QTest::newRow("CALL payout 10") << "CALL" << "" << 10.0 << "payout" << qint64(512) << qint64(1000);
    QTest::newRow("MATCH payout 100") << "DIGITMATCH" << "1" << 100.0 << "payout" << qint64(1120) << qint64(10000);
}

void TestSimTrading::proposalPricesWithThePayoutFormula()
{
    QFETCH(QString, type);
    QFETCH(QString, barrier);
    QFETCH(double, amount);
    QFETCH(QString, basis);
    QFETCH(qint64, askCents);
    QFETCH(qint64, payoutCents);
    const QJsonObject r = m_client->call(
        withCall(params(type, 5, QStringLiteral("t"), amount, basis, barrier), "proposal", 1));
    QVERIFY2(!r.contains(QLatin1String("error")), qPrintable(errorCode(r)));
    const QJsonObject p = r.value(QLatin1String("proposal")).toObject();
    QCOMPARE(cents(p.value(QLatin1String("ask_price"))), askCents);
    QCOMPARE(cents(p.value(QLatin1String("payout"))), payoutCents);
    QCOMPARE(p.value(QLatin1String("display_value")).toString(), QString::number(askCents / 100) + u'.'
                 + QStringLiteral("%1").arg(askCents % 100, 2, 10, QLatin1Char('0')));
}

void TestSimTrading::proposalValidationErrors_data()
{
    QTest::addColumn<QJsonObject>("parameters");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("message");
    QTest::newRow("stake below minimum") << params(QStringLiteral("CALL"), 5, QStringLiteral("t"), 0.34) << "amount"
                                         << "Please enter a stake amount that's at least 0.35.";
    QTest::newRow("three decimals") << params(QStringLiteral("CALL"), 5, QStringLiteral("t"), 1.005) << "amount"
                                    << "Stake can not have more than 2 decimal places.";
    QTest::newRow("eleven ticks") << params(QStringLiteral("CALL"), 11, QStringLiteral("t"), 1) << "duration"
                                  << "Number of ticks must be between 1 and 10.";
    QTest::newRow("ten seconds") << params(QStringLiteral("CALL"), 10, QStringLiteral("s"), 1) << "duration"
                                 << "Trading is not offered for this duration.";
    QTest::newRow("digit in seconds") << params(QStringLiteral("DIGITEVEN"), 30, QStringLiteral("s"), 1) << "duration"
                                      << "Trading is not offered for this duration.";
    QTest::newRow("match without digit") << params(QStringLiteral("DIGITMATCH"), 5, QStringLiteral("t"), 1) << "barrier"
                                         << "Missing required contract parameters (last digit prediction for digit contracts).";
    QTest::newRow("over 9") << params(QStringLiteral("DIGITOVER"), 5, QStringLiteral("t"), 1, QStringLiteral("stake"), QStringLiteral("9"))
                            << "barrier" << "Digit must be in the range of 0 to 8.";
    QTest::newRow("under 0") << params(QStringLiteral("DIGITUNDER"), 5, QStringLiteral("t"), 1, QStringLiteral("stake"), QStringLiteral("0"))
                             << "barrier" << "Digit must be in the range of 1 to 9.";
    QTest::newRow("unknown symbol") << params(QStringLiteral("CALL"), 5, QStringLiteral("t"), 1, QStringLiteral("stake"), QString(), QStringLiteral("R_99"))
                                    << "symbol" << "Trading is not offered for this asset.";
    QTest::newRow("payout too high") << params(QStringLiteral("CALL"), 5, QStringLiteral("t"), 60000, QStringLiteral("payout")) << "amount"
                                     << "Minimum stake of 0.35 and maximum payout of 50000.00. Current payout is 60000.00.";
}

void TestSimTrading::proposalValidationErrors()
{
    QFETCH(QJsonObject, parameters);
    QFETCH(QString, field);
    QFETCH(QString, message);
    const QJsonObject r = m_client->call(withCall(parameters, "proposal", 1));
    QCOMPARE(r.value(QLatin1String("msg_type")).toString(), QStringLiteral("proposal"));
    const QJsonObject e = r.value(QLatin1String("error")).toObject();
    QCOMPARE(e.value(QLatin1String("code")).toString(), QStringLiteral("ContractBuyValidationError"));
    QCOMPARE(e.value(QLatin1String("message")).toString(), message);
    QCOMPARE(e.value(QLatin1String("details")).toObject().value(QLatin1String("field")).toString(), field);
    // The same parameters cannot be bought either.
    QCOMPARE(errorCode(buy(parameters)), QStringLiteral("ContractBuyValidationError"));
}

void TestSimTrading::riseFallSettlesFromScriptedTicks_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QStringList>("quotes"); // entry, then the N ticks after it
    QTest::addColumn<bool>("won");
    const QStringList up{"1000.00", "1000.10", "999.00", "999.50", "1000.20", "1000.01"};
    const QStringList flat{"1000.00", "1001.00", "1002.00", "998.00", "999.00", "1000.00"};
    QTest::newRow("CALL up wins") << "CALL" << up << true;
    QTest::newRow("PUT up loses") << "PUT" << up << false;
    QTest::newRow("CALL equal loses") << "CALL" << flat << false;
    QTest::newRow("PUT equal loses") << "PUT" << flat << false;
    QTest::newRow("CALLE equal wins") << "CALLE" << flat << true;
    QTest::newRow("PUTE equal wins") << "PUTE" << flat << true;
}

void TestSimTrading::riseFallSettlesFromScriptedTicks()
{
    QFETCH(QString, type);
    QFETCH(QStringList, quotes);
    QFETCH(bool, won);
    QVERIFY(m_server->scriptQuotes(QStringLiteral("R_100"), quotes + QStringList{QStringLiteral("5555.55")}));
    const QJsonObject bought = buy(params(type, 5, QStringLiteral("t"), 10), 10, true);
    QVERIFY2(!bought.contains(QLatin1String("error")), qPrintable(errorCode(bought)));
    const QJsonObject receipt = bought.value(QLatin1String("buy")).toObject();
    QCOMPARE(cents(receipt.value(QLatin1String("buy_price"))), 1000);
    QCOMPARE(cents(receipt.value(QLatin1String("balance_after"))), 999000);
    QCOMPARE(receipt.value(QLatin1String("purchase_time")).toInteger(), s_start / 1000);
    const qint64 payout = cents(receipt.value(QLatin1String("payout")));
    QCOMPARE(payout, 1953);
    const QString sub = bought.value(QLatin1String("subscription")).toObject().value(QLatin1String("id")).toString();
    QVERIFY(!sub.isEmpty());

    advance(12'000); // entry at +2 s, five ticks later at +12 s
    QJsonObject last;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const QJsonObject &f : m_client->takeStream(sub, 1, 50))
                last = f.value(QLatin1String("proposal_open_contract")).toObject();
            return last.value(QLatin1String("is_sold")).toInt() == 1;
        }(),
        5000);
    QCOMPARE(last.value(QLatin1String("entry_tick_time")).toInteger(), s_start / 1000 + 2);
    QCOMPARE(last.value(QLatin1String("entry_tick_display_value")).toString(), quotes.first());
    QCOMPARE(last.value(QLatin1String("exit_tick_time")).toInteger(), s_start / 1000 + 12);
    QCOMPARE(last.value(QLatin1String("exit_tick_display_value")).toString(), quotes.last());
    QCOMPARE(last.value(QLatin1String("status")).toString(), won ? QStringLiteral("won") : QStringLiteral("lost"));
    QCOMPARE(cents(last.value(QLatin1String("sell_price"))), won ? payout : 0);
    QCOMPARE(cents(last.value(QLatin1String("profit"))), won ? payout - 1000 : -1000);
    QCOMPARE(last.value(QLatin1String("tick_stream")).toArray().size(), 6);

    const QJsonObject bal = m_client->call({{QStringLiteral("balance"), 1}});
    QCOMPARE(cents(bal.value(QLatin1String("balance")).toObject().value(QLatin1String("balance"))),
             999000 + (won ? payout : 0));
}

void TestSimTrading::digitContractsCountEntryAsFirstTick_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("barrier");
    QTest::addColumn<int>("ticks");
    QTest::addColumn<QStringList>("quotes");
    QTest::addColumn<bool>("won");
    // The last digit of the exit quote (trailing zeros count: "1000.10" ends in 0).
    QTest::newRow("MATCH 3 on 1 tick") << "DIGITMATCH" << "3" << 1 << QStringList{"1000.13"} << true;
    QTest::newRow("MATCH 3 on 3 ticks") << "DIGITMATCH" << "3" << 3 << QStringList{"1000.13", "1000.11", "1000.23"} << true;
    QTest::newRow("MATCH misses") << "DIGITMATCH" << "3" << 3 << QStringList{"1000.13", "1000.13", "1000.24"} << false;
    QTest::newRow("DIFF 0 trailing zero") << "DIGITDIFF" << "0" << 2 << QStringList{"1000.11", "1000.10"} << false;
    QTest::newRow("OVER 5 with 6") << "DIGITOVER" << "5" << 2 << QStringList{"1.00", "1000.16"} << true;
    QTest::newRow("OVER 5 with 5") << "DIGITOVER" << "5" << 2 << QStringList{"1.00", "1000.15"} << false;
    QTest::newRow("UNDER 5 with 4") << "DIGITUNDER" << "5" << 2 << QStringList{"1.00", "1000.14"} << true;
    QTest::newRow("EVEN with 8") << "DIGITEVEN" << "" << 2 << QStringList{"1.01", "1000.18"} << true;
    QTest::newRow("ODD with 8") << "DIGITODD" << "" << 2 << QStringList{"1.01", "1000.18"} << false;
}

void TestSimTrading::digitContractsCountEntryAsFirstTick()
{
    QFETCH(QString, type);
    QFETCH(QString, barrier);
    QFETCH(int, ticks);
    QFETCH(QStringList, quotes);
    QFETCH(bool, won);
    QVERIFY(m_server->scriptQuotes(QStringLiteral("R_100"), quotes + QStringList{QStringLiteral("7777.77")}));
    const QJsonObject bought = buy(params(type, ticks, QStringLiteral("t"), 10, QStringLiteral("stake"), barrier), 10, true);
    QVERIFY2(!bought.contains(QLatin1String("error")), qPrintable(errorCode(bought)));
    const qint64 payout = cents(bought.value(QLatin1String("buy")).toObject().value(QLatin1String("payout")));
    const QString sub = bought.value(QLatin1String("subscription")).toObject().value(QLatin1String("id")).toString();
    advance(2'000 * ticks);
    QJsonObject last;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (const QJsonObject &f : m_client->takeStream(sub, 1, 50))
                last = f.value(QLatin1String("proposal_open_contract")).toObject();
            return last.value(QLatin1String("is_sold")).toInt() == 1;
        }(),
        5000);
    QCOMPARE(last.value(QLatin1String("exit_tick_display_value")).toString(), quotes.last());
    QCOMPARE(last.value(QLatin1String("exit_tick_time")).toInteger(), s_start / 1000 + 2 * ticks);
    QCOMPARE(cents(last.value(QLatin1String("sell_price"))), won ? payout : 0);
}

void TestSimTrading::contractStreamShowsLifeAndEnds()
{
    QVERIFY(m_server->scriptQuotes(QStringLiteral("R_100"), {"1000.00", "1001.00", "1002.00"}));
    const QJsonObject txSub = m_client->call({{QStringLiteral("transaction"), 1}, {QStringLiteral("subscribe"), 1}});
    const QJsonObject balSub = m_client->call({{QStringLiteral("balance"), 1}, {QStringLiteral("subscribe"), 1}});
    QVERIFY(txSub.contains(QLatin1String("subscription")) && balSub.contains(QLatin1String("subscription")));
    const QJsonObject bought = buy(params(QStringLiteral("CALL"), 2, QStringLiteral("t"), 5), 5, true);
    const QString sub = bought.value(QLatin1String("subscription")).toObject().value(QLatin1String("id")).toString();
    QVERIFY(!sub.isEmpty());

    // buy → open, waiting for entry
    QJsonObject poc = m_client->takeStream(sub, 1).value(0).value(QLatin1String("proposal_open_contract")).toObject();
    QCOMPARE(poc.value(QLatin1String("status")).toString(), QStringLiteral("open"));
    QVERIFY(poc.value(QLatin1String("entry_tick")).isUndefined());
    QCOMPARE(poc.value(QLatin1String("validation_error")).toString(), QStringLiteral("Resale of this contract is not offered."));
    QCOMPARE(poc.value(QLatin1String("id")).toString(), sub);

    advance(2'000); // entry
    poc = m_client->takeStream(sub, 1).value(0).value(QLatin1String("proposal_open_contract")).toObject();
    QCOMPARE(poc.value(QLatin1String("entry_tick")).toDouble(), 1000.0);
    QCOMPARE(poc.value(QLatin1String("is_expired")).toInt(), 0);

    advance(4'000); // two more ticks: exit
    const QList<QJsonObject> rest = m_client->takeStream(sub, 3);
    QCOMPARE(rest.size(), 3);
    const QJsonObject expired = rest.at(1).value(QLatin1String("proposal_open_contract")).toObject();
    QCOMPARE(expired.value(QLatin1String("is_expired")).toInt(), 1);
    QCOMPARE(expired.value(QLatin1String("is_settleable")).toInt(), 1);
    QCOMPARE(expired.value(QLatin1String("is_sold")).toInt(), 0);
    const QJsonObject sold = rest.at(2).value(QLatin1String("proposal_open_contract")).toObject();
    QCOMPARE(sold.value(QLatin1String("is_sold")).toInt(), 1);
    QCOMPARE(sold.value(QLatin1String("status")).toString(), QStringLiteral("won"));
    QVERIFY(sold.value(QLatin1String("transaction_ids")).toObject().contains(QLatin1String("sell")));

    // The transaction sell event and the balance update come before the final contract message.
    const QString txId = txSub.value(QLatin1String("subscription")).toObject().value(QLatin1String("id")).toString();
    const QList<QJsonObject> txs = m_client->takeStream(txId, 2);
    QCOMPARE(txs.size(), 2);
    QCOMPARE(txs.at(0).value(QLatin1String("transaction")).toObject().value(QLatin1String("action")).toString(), QStringLiteral("buy"));
    const QJsonObject sellTx = txs.at(1).value(QLatin1String("transaction")).toObject();
    QCOMPARE(sellTx.value(QLatin1String("action")).toString(), QStringLiteral("sell"));
    QCOMPARE(cents(sellTx.value(QLatin1String("amount"))), 977); // payout: 5 / 0.512 = 9.765625 → 9.77
    const QStringList raw = m_client->rawFrames();
    qsizetype sellAt = -1, finalAt = -1;
    for (qsizetype i = 0; i < raw.size(); ++i) {
        if (raw[i].contains(QLatin1String("\"action\":\"sell\"")))
            sellAt = i;
        if (raw[i].contains(QLatin1String("\"is_sold\":1")))
            finalAt = i;
    }
    QVERIFY(sellAt >= 0 && finalAt > sellAt);

    // The stream has ended: further ticks bring nothing on it.
    advance(4'000);
    QVERIFY(m_client->staysQuiet(SimTestClient::bySubscription(sub), 100));
    const QJsonObject stats = m_server->stats().connections.value(0).toJson();
    const QString pocKey = QStringLiteral("poc:") + QString::number(sold.value(QLatin1String("contract_id")).toInteger());
    QVERIFY(!stats.value(QLatin1String("subscription_keys")).toArray().contains(QJsonValue(pocKey)));
}

void TestSimTrading::proposalIdIsSingleUse()
{
    const QJsonObject p = m_client->call(withCall(params(QStringLiteral("PUT"), 3, QStringLiteral("t"), 2), "proposal", 1));
    const QString id = p.value(QLatin1String("proposal")).toObject().value(QLatin1String("id")).toString();
    QVERIFY(id.size() >= 32);
    const QJsonObject first = m_client->call({{QStringLiteral("buy"), id}, {QStringLiteral("price"), 2}});
    QVERIFY2(!first.contains(QLatin1String("error")), qPrintable(errorCode(first)));
    const QJsonObject second = m_client->call({{QStringLiteral("buy"), id}, {QStringLiteral("price"), 2}});
    QCOMPARE(errorCode(second), QStringLiteral("InvalidContractProposal"));
    QCOMPARE(second.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString(),
             QStringLiteral("Unknown contract proposal"));

    // A proposal of another connection is unknown here: ids die with their connection.
    SimTestClient other;
    QVERIFY(other.open(m_server->url()));
    other.call({{QStringLiteral("authorize"), s_token}});
    const QJsonObject p2 = m_client->call(withCall(params(QStringLiteral("PUT"), 3, QStringLiteral("t"), 2), "proposal", 1));
    const QString id2 = p2.value(QLatin1String("proposal")).toObject().value(QLatin1String("id")).toString();
    QCOMPARE(errorCode(other.call({{QStringLiteral("buy"), id2}, {QStringLiteral("price"), 2}})),
             QStringLiteral("InvalidContractProposal"));

    // A subscribed proposal: the id is the subscription id, and buying it ends the stream.
    QJsonObject req = withCall(params(QStringLiteral("CALL"), 5, QStringLiteral("t"), 3), "proposal", 1);
    req.insert(QStringLiteral("subscribe"), 1);
    const QJsonObject ps = m_client->call(req);
    const QString sid = ps.value(QLatin1String("subscription")).toObject().value(QLatin1String("id")).toString();
    QCOMPARE(ps.value(QLatin1String("proposal")).toObject().value(QLatin1String("id")).toString(), sid);
    QCOMPARE(errorCode(m_client->call(req)), QStringLiteral("AlreadySubscribed"));
    advance(2'000);
    QCOMPARE(m_client->takeStream(sid, 1).size(), 1);
    QVERIFY(!m_client->call({{QStringLiteral("buy"), sid}, {QStringLiteral("price"), 3}}).contains(QLatin1String("error")));
    advance(4'000);
    QVERIFY(m_client->staysQuiet(SimTestClient::bySubscription(sid), 100));
    QCOMPARE(m_client->call({{QStringLiteral("forget"), sid}}).value(QLatin1String("forget")).toInt(), 0);
}

void TestSimTrading::buyByParametersAndMaxPrice()
{
    // Stake basis: the price must cover the stake.
    QJsonObject r = buy(params(QStringLiteral("CALL"), 5, QStringLiteral("t"), 10), 9.99);
    QCOMPARE(errorCode(r), QStringLiteral("ContractBuyValidationError"));
    QCOMPARE(r.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString(),
             QStringLiteral("Contract's stake amount is more than the maximum purchase price."));
    // Payout basis: an ask above the price is a price move.
    r = buy(params(QStringLiteral("CALL"), 5, QStringLiteral("t"), 10, QStringLiteral("payout")), 5.00);
    QCOMPARE(errorCode(r), QStringLiteral("PriceMoved"));
    r = buy(params(QStringLiteral("CALL"), 5, QStringLiteral("t"), 10, QStringLiteral("payout")), 5.12);
    QCOMPARE(cents(r.value(QLatin1String("buy")).toObject().value(QLatin1String("buy_price"))), 512);
    // buy "1" without parameters is a schema violation.
    r = m_client->call({{QStringLiteral("buy"), QStringLiteral("1")}, {QStringLiteral("price"), 10}});
    QCOMPARE(errorCode(r), QStringLiteral("InputValidationFailed"));
    QVERIFY(r.value(QLatin1String("error")).toObject().value(QLatin1String("details")).toObject().contains(QLatin1String("parameters")));
    const AccountStats a = m_server->accountStats(m_loginid);
    QCOMPARE(a.buysReceived, 4);
    QCOMPARE(a.buysCompleted, 1);
    QCOMPARE(a.buysInFlight, 0);
}

void TestSimTrading::insufficientBalance()
{
    auto poor = m_server->addAccount(QStringLiteral("poor-token"), QStringLiteral("USD"), Money::fromMinor(500));
    QVERIFY(poor.ok());
    SimTestClient c;
    QVERIFY(c.open(m_server->url()));
    c.call({{QStringLiteral("authorize"), QStringLiteral("poor-token")}});
    const QJsonObject r = c.call({{QStringLiteral("buy"), QStringLiteral("1")}, {QStringLiteral("price"), 6},
                                  {QStringLiteral("parameters"), params(QStringLiteral("CALL"), 5, QStringLiteral("t"), 6)}});
    QCOMPARE(errorCode(r), QStringLiteral("InsufficientBalance"));
    QCOMPARE(r.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString(),
             QStringLiteral("Your account balance (5.00 USD) is insufficient to buy this contract (6.00 USD)."));
    QCOMPARE(m_server->stats().account(*poor)->balance, Money::fromMinor(500));
}

void TestSimTrading::tickContractIsNotResellable()
{
    const QJsonObject bought = buy(params(QStringLiteral("CALL"), 5, QStringLiteral("t"), 10));
    const qint64 id = bought.value(QLatin1String("buy")).toObject().value(QLatin1String("contract_id")).toInteger();
    advance(4'000); // past the entry tick
    const QJsonObject r = m_client->call({{QStringLiteral("sell"), id}, {QStringLiteral("price"), 0}});
    QCOMPARE(errorCode(r), QStringLiteral("InvalidtoSell"));
    QCOMPARE(r.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString(),
             QStringLiteral("Resale of this contract is not offered."));
    // Switched on per category, the same contract can be sold.
    ResaleRules rules;
    rules.riseFallTicks = true;
    m_server->setResaleRules(rules);
    const QJsonObject ok = m_client->call({{QStringLiteral("sell"), id}, {QStringLiteral("price"), 0}});
    QVERIFY2(!ok.contains(QLatin1String("error")), qPrintable(errorCode(ok)));
    QVERIFY(ok.value(QLatin1String("sell")).toObject().value(QLatin1String("sold_for")).toDouble() > 0);
}

void TestSimTrading::secondContractSellsAfterEntryTick()
{
    QVERIFY(m_server->scriptQuotes(QStringLiteral("R_100"), {"1000.00", "1003.00", "1003.00"}));
    const QJsonObject bought = buy(params(QStringLiteral("CALL"), 60, QStringLiteral("s"), 10));
    QVERIFY2(!bought.contains(QLatin1String("error")), qPrintable(errorCode(bought)));
    const qint64 id = bought.value(QLatin1String("buy")).toObject().value(QLatin1String("contract_id")).toInteger();
    const QJsonObject sellReq{{QStringLiteral("sell"), id}, {QStringLiteral("price"), 0}};

    QJsonObject r = m_client->call(sellReq);
    QCOMPARE(errorCode(r), QStringLiteral("InvalidtoSell"));
    QCOMPARE(r.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString(),
             QStringLiteral("Waiting for entry tick."));
    advance(2'000); // the entry tick is the latest
    r = m_client->call(sellReq);
    QCOMPARE(errorCode(r), QStringLiteral("InvalidtoSell"));
    QCOMPARE(r.value(QLatin1String("error")).toObject().value(QLatin1String("message")).toString(),
             QStringLiteral("Contract cannot be sold at entry tick. Please wait for the next tick."));
    advance(2'000);
    const QJsonObject poc = m_client->call({{QStringLiteral("proposal_open_contract"), 1}, {QStringLiteral("contract_id"), id}});
    const QJsonObject c = poc.value(QLatin1String("proposal_open_contract")).toObject();
    QCOMPARE(c.value(QLatin1String("is_valid_to_sell")).toInt(), 1);
    const qint64 bid = cents(c.value(QLatin1String("bid_price")));
    QVERIFY2(bid > 1000 && bid < 1953, qPrintable(QString::number(bid))); // spot moved up 0.3 %: worth more than the stake

    r = m_client->call(sellReq);
    QVERIFY2(!r.contains(QLatin1String("error")), qPrintable(errorCode(r)));
    const QJsonObject s = r.value(QLatin1String("sell")).toObject();
    QCOMPARE(cents(s.value(QLatin1String("sold_for"))), bid); // virtual time did not move: same price
    QCOMPARE(cents(s.value(QLatin1String("balance_after"))), 1'000'000 - 1000 + bid);
    QCOMPARE(s.value(QLatin1String("reference_id")).toInteger(),
             bought.value(QLatin1String("buy")).toObject().value(QLatin1String("transaction_id")).toInteger());
    const QJsonObject after = m_client->call({{QStringLiteral("proposal_open_contract"), 1}, {QStringLiteral("contract_id"), id}})
                                  .value(QLatin1String("proposal_open_contract")).toObject();
    QCOMPARE(after.value(QLatin1String("status")).toString(), QStringLiteral("sold"));
    QCOMPARE(cents(after.value(QLatin1String("sell_price"))), bid);
    QCOMPARE(m_server->stats().account(m_loginid)->sells, 1);
}

void TestSimTrading::sellHonoursMinimumPrice()
{
    QVERIFY(m_server->scriptQuotes(QStringLiteral("R_100"), {"1000.00", "1000.00"}));
    const qint64 id = buy(params(QStringLiteral("PUT"), 120, QStringLiteral("s"), 10))
                          .value(QLatin1String("buy")).toObject().value(QLatin1String("contract_id")).toInteger();
    advance(4'000);
    const QJsonObject r = m_client->call({{QStringLiteral("sell"), id}, {QStringLiteral("price"), 19.00}});
    QCOMPARE(errorCode(r), QStringLiteral("PriceMoved"));
    QCOMPARE(m_server->stats().account(m_loginid)->openContracts, 1);
}

void TestSimTrading::sellingUnknownOrClosedContract()
{
    QCOMPARE(errorCode(m_client->call({{QStringLiteral("sell"), 12345}, {QStringLiteral("price"), 0}})),
             QStringLiteral("InvalidSellContractProposal"));
    const qint64 id = buy(params(QStringLiteral("DIGITEVEN"), 1, QStringLiteral("t"), 1))
                          .value(QLatin1String("buy")).toObject().value(QLatin1String("contract_id")).toInteger();
    advance(2'000);
    QTRY_COMPARE(m_server->stats().account(m_loginid)->openContracts, 0);
    QCOMPARE(errorCode(m_client->call({{QStringLiteral("sell"), id}, {QStringLiteral("price"), 0}})),
             QStringLiteral("NoOpenPosition"));
    // Another account's contract is unknown to this one.
    auto other = m_server->addAccount(QStringLiteral("other-token"));
    auto orphan = m_server->buyDirect(*other, params(QStringLiteral("CALL"), 60, QStringLiteral("s"), 1));
    QVERIFY(orphan.ok());
    QCOMPARE(errorCode(m_client->call({{QStringLiteral("sell"), orphan->value(QLatin1String("contract_id"))},
                                       {QStringLiteral("price"), 0}})),
             QStringLiteral("InvalidSellContractProposal"));
}

void TestSimTrading::statementAndProfitTableMoveToTheCent()
{
    // Three contracts: a win (CALL up), a loss (PUT up), one still open.
    QVERIFY(m_server->scriptQuotes(QStringLiteral("R_100"), {"1000.00", "1000.50"}));
    const QJsonObject win = buy(params(QStringLiteral("CALL"), 1, QStringLiteral("t"), 3.33));
    const QJsonObject loss = buy(params(QStringLiteral("PUT"), 1, QStringLiteral("t"), 1.11));
    advance(4'000);
    const QJsonObject open = buy(params(QStringLiteral("CALL"), 60, QStringLiteral("s"), 0.35));
    QTRY_COMPARE(m_server->stats().account(m_loginid)->openContracts, 1);
    const qint64 winPayout = cents(win.value(QLatin1String("buy")).toObject().value(QLatin1String("payout")));
    QCOMPARE(winPayout, 650); // 3.33 / 0.512 = 6.50390625

    const qint64 expected = 1'000'000 - 333 - 111 - 35 + winPayout;
    QCOMPARE(m_server->stats().account(m_loginid)->balance.minor(), expected);

    const QJsonObject st = m_client->call({{QStringLiteral("statement"), 1}, {QStringLiteral("description"), 1}});
    const QJsonArray lines = st.value(QLatin1String("statement")).toObject().value(QLatin1String("transactions")).toArray();
    QCOMPARE(st.value(QLatin1String("statement")).toObject().value(QLatin1String("count")).toInt(), 6);
    QCOMPARE(lines.size(), 6); // deposit, 3 buys, 2 sells
    // Newest first; walking back from the opening deposit, balance_after adds up exactly.
    qint64 running = 0;
    for (qsizetype i = lines.size() - 1; i >= 0; --i) {
        const QJsonObject l = lines.at(i).toObject();
        running += cents(l.value(QLatin1String("amount")));
        QCOMPARE(cents(l.value(QLatin1String("balance_after"))), running);
    }
    QCOMPARE(running, expected);
    QCOMPARE(lines.last().toObject().value(QLatin1String("action_type")).toString(), QStringLiteral("deposit"));
    int lostSells = 0;
    for (const QJsonValue &v : lines) {
        const QJsonObject l = v.toObject();
        if (l.value(QLatin1String("action_type")).toString() == QLatin1String("sell") && cents(l.value(QLatin1String("amount"))) == 0)
            ++lostSells;
    }
    QCOMPARE(lostSells, 1);

    // Filters: action_type, limit/offset.
    const QJsonObject buys = m_client->call({{QStringLiteral("statement"), 1}, {QStringLiteral("action_type"), QStringLiteral("buy")},
                                             {QStringLiteral("limit"), 2}, {QStringLiteral("offset"), 1}});
    const QJsonArray buyLines = buys.value(QLatin1String("statement")).toObject().value(QLatin1String("transactions")).toArray();
    QCOMPARE(buyLines.size(), 2);
    QCOMPARE(cents(buyLines.at(0).toObject().value(QLatin1String("amount"))), -111);
    QCOMPARE(cents(buyLines.at(1).toObject().value(QLatin1String("amount"))), -333);
    const QJsonObject future = m_client->call({{QStringLiteral("statement"), 1}, {QStringLiteral("date_from"), s_start / 1000 + 3}});
    QCOMPARE(future.value(QLatin1String("statement")).toObject().value(QLatin1String("transactions")).toArray().size(), 3);

    // profit_table: the two settled contracts, newest first by default.
    const QJsonObject pt = m_client->call({{QStringLiteral("profit_table"), 1}, {QStringLiteral("description"), 1},
                                           {QStringLiteral("sort"), QStringLiteral("ASC")}});
    const QJsonArray rows = pt.value(QLatin1String("profit_table")).toObject().value(QLatin1String("transactions")).toArray();
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows.at(0).toObject().value(QLatin1String("contract_id")).toInteger(),
             win.value(QLatin1String("buy")).toObject().value(QLatin1String("contract_id")).toInteger());
    QCOMPARE(cents(rows.at(0).toObject().value(QLatin1String("sell_price"))), winPayout);
    QCOMPARE(cents(rows.at(1).toObject().value(QLatin1String("sell_price"))), 0);
    QCOMPARE(cents(rows.at(1).toObject().value(QLatin1String("buy_price"))), 111);
    QVERIFY(rows.at(0).toObject().contains(QLatin1String("longcode")));
    const QJsonObject limited = m_client->call({{QStringLiteral("profit_table"), 1}, {QStringLiteral("limit"), 1}});
    const QJsonArray one = limited.value(QLatin1String("profit_table")).toObject().value(QLatin1String("transactions")).toArray();
    QCOMPARE(one.size(), 1);
    QCOMPARE(one.at(0).toObject().value(QLatin1String("contract_id")).toInteger(),
             loss.value(QLatin1String("buy")).toObject().value(QLatin1String("contract_id")).toInteger());
    const QJsonObject none = m_client->call({{QStringLiteral("profit_table"), 1},
                                             {QStringLiteral("date_to"), QString::number(s_start / 1000 - 1)}});
    QCOMPARE(none.value(QLatin1String("profit_table")).toObject().value(QLatin1String("count")).toInt(), 0);
    Q_UNUSED(open);
}

void TestSimTrading::portfolioListsOpenContractsOnly()
{
    buy(params(QStringLiteral("DIGITODD"), 1, QStringLiteral("t"), 1));
    const QJsonObject open = buy(params(QStringLiteral("CALL"), 60, QStringLiteral("s"), 2));
    advance(2'000);
    QTRY_COMPARE(m_server->stats().account(m_loginid)->openContracts, 1);
    const QJsonObject r = m_client->call({{QStringLiteral("portfolio"), 1}});
    const QJsonArray list = r.value(QLatin1String("portfolio")).toObject().value(QLatin1String("contracts")).toArray();
    QCOMPARE(list.size(), 1);
    const QJsonObject c = list.at(0).toObject();
    QCOMPARE(c.value(QLatin1String("contract_id")).toInteger(),
             open.value(QLatin1String("buy")).toObject().value(QLatin1String("contract_id")).toInteger());
    QCOMPARE(c.value(QLatin1String("symbol")).toString(), QStringLiteral("R_100"));
    QCOMPARE(c.value(QLatin1String("expiry_time")).toInteger(), s_start / 1000 + 60);
    const QJsonObject filtered = m_client->call({{QStringLiteral("portfolio"), 1},
                                                 {QStringLiteral("contract_type"), QJsonArray{QStringLiteral("PUT")}}});
    QCOMPARE(filtered.value(QLatin1String("portfolio")).toObject().value(QLatin1String("contracts")).toArray().size(), 0);
}

void TestSimTrading::transactionAndBalanceStreams()
{
    const QJsonObject b = m_client->call({{QStringLiteral("balance"), 1}, {QStringLiteral("subscribe"), 1}});
    const QString bid = b.value(QLatin1String("subscription")).toObject().value(QLatin1String("id")).toString();
    QCOMPARE(b.value(QLatin1String("balance")).toObject().value(QLatin1String("id")).toString(), bid);
    QCOMPARE(errorCode(m_client->call({{QStringLiteral("balance"), 1}, {QStringLiteral("subscribe"), 1}})),
             QStringLiteral("AlreadySubscribed"));
    // Another connection of the same account buys: this one sees it.
    SimTestClient other;
    QVERIFY(other.open(m_server->url()));
    other.call({{QStringLiteral("authorize"), s_token}});
    other.call({{QStringLiteral("buy"), QStringLiteral("1")}, {QStringLiteral("price"), 7},
                {QStringLiteral("parameters"), params(QStringLiteral("CALL"), 5, QStringLiteral("t"), 7)}});
    const QList<QJsonObject> updates = m_client->takeStream(bid, 1);
    QCOMPARE(updates.size(), 1);
    QCOMPARE(cents(updates.at(0).value(QLatin1String("balance")).toObject().value(QLatin1String("balance"))), 999300);
    QCOMPARE(updates.at(0).value(QLatin1String("echo_req")).toObject().value(QLatin1String("balance")).toInt(), 1);
}

void TestSimTrading::openContractsSubscriptionCoversAll()
{
    const QJsonObject first = buy(params(QStringLiteral("CALL"), 60, QStringLiteral("s"), 1));
    const QJsonObject all = m_client->call({{QStringLiteral("proposal_open_contract"), 1}, {QStringLiteral("subscribe"), 1}});
    const QString sub = all.value(QLatin1String("subscription")).toObject().value(QLatin1String("id")).toString();
    QCOMPARE(all.value(QLatin1String("proposal_open_contract")).toObject().value(QLatin1String("contract_id")).toInteger(),
             first.value(QLatin1String("buy")).toObject().value(QLatin1String("contract_id")).toInteger());
    const QJsonObject second = buy(params(QStringLiteral("DIGITEVEN"), 1, QStringLiteral("t"), 1));
    const qint64 secondId = second.value(QLatin1String("buy")).toObject().value(QLatin1String("contract_id")).toInteger();
    const QJsonObject news = m_client->take([&](const QJsonObject &f) {
        return SimTestClient::bySubscription(sub)(f)
            && f.value(QLatin1String("proposal_open_contract")).toObject().value(QLatin1String("contract_id")).toInteger() == secondId;
    });
    QVERIFY(!news.isEmpty());
    advance(2'000);
    const QJsonObject settled = m_client->take([&](const QJsonObject &f) {
        const QJsonObject p = f.value(QLatin1String("proposal_open_contract")).toObject();
        return SimTestClient::bySubscription(sub)(f) && p.value(QLatin1String("contract_id")).toInteger() == secondId
            && p.value(QLatin1String("is_sold")).toInt() == 1;
    });
    QVERIFY(!settled.isEmpty());
    // The subscription outlives the settled contract: the first one keeps updating.
    advance(2'000);
    QVERIFY(!m_client->take(SimTestClient::bySubscription(sub)).isEmpty());
}

void TestSimTrading::settledContractGetsOneShotReply()
{
    const qint64 id = buy(params(QStringLiteral("DIGITODD"), 1, QStringLiteral("t"), 1))
                          .value(QLatin1String("buy")).toObject().value(QLatin1String("contract_id")).toInteger();
    advance(2'000);
    QTRY_COMPARE(m_server->stats().account(m_loginid)->openContracts, 0);
    const QJsonObject r = m_client->call({{QStringLiteral("proposal_open_contract"), 1}, {QStringLiteral("contract_id"), id},
                                          {QStringLiteral("subscribe"), 1}});
    QVERIFY(!r.contains(QLatin1String("subscription")));
    QCOMPARE(r.value(QLatin1String("proposal_open_contract")).toObject().value(QLatin1String("is_sold")).toInt(), 1);
    QCOMPARE(m_server->stats().connections.value(0).subscriptions, 0);
}

void TestSimTrading::buyDirectCreatesAnOrphan()
{
    auto receipt = m_server->buyDirect(m_loginid, params(QStringLiteral("CALL"), 60, QStringLiteral("s"), 4));
    QVERIFY(receipt.ok());
    const qint64 id = receipt->value(QLatin1String("contract_id")).toInteger();
    QVERIFY(id > 0);
    const AccountStats a = m_server->accountStats(m_loginid);
    QCOMPARE(a.directBuys, 1);
    QCOMPARE(a.buysReceived, 0);
    QCOMPARE(a.openContracts, 1);
    const QJsonArray list = m_client->call({{QStringLiteral("portfolio"), 1}})
                                .value(QLatin1String("portfolio")).toObject().value(QLatin1String("contracts")).toArray();
    QCOMPARE(list.size(), 1);
    QCOMPARE(list.at(0).toObject().value(QLatin1String("contract_id")).toInteger(), id);
    auto bad = m_server->buyDirect(QStringLiteral("VRTC0"), params(QStringLiteral("CALL"), 60, QStringLiteral("s"), 4));
    QVERIFY(!bad.ok());
    auto invalid = m_server->buyDirect(m_loginid, params(QStringLiteral("CALL"), 1, QStringLiteral("s"), 4));
    QVERIFY(invalid.error().is("ContractBuyValidationError"));
}

void TestSimTrading::idsNeverRepeatAcrossRuns()
{
    // A journal outlives the simulator (a restarted vigil-sim, a kept journal): the next run's first contract
    // and transaction must not reuse ids the previous run handed out, even for the same login id.
    auto first = m_server->buyDirect(m_loginid, params(QStringLiteral("CALL"), 60, QStringLiteral("s"), 4));
    QVERIFY(first.ok());
    const qint64 firstId = first->value(QLatin1String("contract_id")).toInteger();
    const qint64 firstTx = first->value(QLatin1String("transaction_id")).toInteger();
    for (int i = 0; i < 5; ++i) // the run goes on buying
        QVERIFY(m_server->buyDirect(m_loginid, params(QStringLiteral("CALL"), 60, QStringLiteral("s"), 4)).ok());
    const qint64 lastId = firstId + 5 * 20;
    QTest::qSleep(10); // the next run starts later (ids advance 20 a millisecond; this run used 6 × 20)

    SimConfig config;
    config.manualClock = true;
    config.startEpochMs = s_start;
    config.seed = 7; // same seed, same start: only the ids' base moves
    SimServer next(config);
    auto login = next.addAccount(s_token);
    QVERIFY(login.ok());
    QCOMPARE(*login, m_loginid);
    auto again = next.buyDirect(*login, params(QStringLiteral("CALL"), 60, QStringLiteral("s"), 4));
    QVERIFY(again.ok());
    QVERIFY2(again->value(QLatin1String("contract_id")).toInteger() > lastId,
             qPrintable(QStringLiteral("%1 after %2").arg(again->value(QLatin1String("contract_id")).toInteger()).arg(lastId)));
    QVERIFY(again->value(QLatin1String("transaction_id")).toInteger() > firstTx + 5 * 4);
}

QTEST_GUILESS_MAIN(TestSimTrading)
#include "tst_simtrading.moc"
