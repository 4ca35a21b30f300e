// SPDX-License-Identifier: GPL-3.0-or-later
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include "strategy/martingale.h"
#include "strategy/strategyfactory.h"

using namespace Vigil;

namespace {

QJsonObject parseObject(const QByteArray &json)
{
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError || !doc.isObject())
        qFatal("bad JSON in test row: %s", json.constData());
    return doc.object();
}

// The example from the docs; every error row changes it in one place.
const QByteArray s_valid = R"({"symbol":"R_100","contract_type":"CALL","duration":5,"duration_unit":"t",
    "stake":"1.00","max_stake":"50.00","staking":{"system":"martingale","multiplier":"2","max_steps":6},
    "entry":{"signal":"fixed"}})";

// Top-level keys of `patch` replace those of the valid example; the value "$remove" deletes the key.
QJsonObject patched(const QByteArray &patch)
{
    QJsonObject o = parseObject(s_valid);
    const QJsonObject p = parseObject(patch);
    for (auto it = p.begin(); it != p.end(); ++it) {
        if (it.value().toString() == QLatin1String("$remove"))
            o.remove(it.key());
        else
            o.insert(it.key(), it.value());
    }
    return o;
}

Tick tickOf(const QString &symbol)
{
    return Tick{symbol, 1'700'000'000'000, 100000, 2};
}

} // namespace

class TestStrategyFactory final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void refuses_data();
    void refuses();
    void documentedExampleBuilds();
    void defaults();
    void everySystemBuilds_data();
    void everySystemBuilds();
    void acceptedVariants_data();
    void acceptedVariants();
    void momentumUsesTheFamilyOfContractType();
};

void TestStrategyFactory::refuses_data()
{
    QTest::addColumn<QByteArray>("patch");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("fragment");

    // stake
    QTest::newRow("stake negative") << QByteArray(R"({"stake":"-1.00"})") << "stake" << "greater than zero";
    QTest::newRow("stake zero") << QByteArray(R"({"stake":"0"})") << "stake" << "greater than zero";
    QTest::newRow("stake zero integer") << QByteArray(R"({"stake":0})") << "stake" << "greater than zero";
    QTest::newRow("stake below minimum") << QByteArray(R"({"stake":"0.34"})") << "stake" << "minimum stake 0.35";
    QTest::newRow("stake too many decimals") << QByteArray(R"({"stake":"1.005"})") << "stake" << "more than 2 decimal";
    QTest::newRow("stake not a number") << QByteArray(R"({"stake":"ten"})") << "stake" << "not a decimal amount";
    QTest::newRow("stake fractional double") << QByteArray(R"({"stake":1.5})") << "stake" << "fractional JSON number";
    QTest::newRow("stake bool") << QByteArray(R"({"stake":true})") << "stake" << "decimal string";
    QTest::newRow("stake missing") << QByteArray(R"({"stake":"$remove"})") << "stake" << "required";
    QTest::newRow("stake above cap") << QByteArray(R"({"stake":"60.00"})") << "stake" << "above max_stake 50.00";
    // max_stake
    QTest::newRow("max_stake zero") << QByteArray(R"({"max_stake":"0.00"})") << "max_stake" << "greater than zero";
    QTest::newRow("max_stake decimals") << QByteArray(R"({"max_stake":"50.001"})") << "max_stake" << "decimal places";
    QTest::newRow("max_stake missing for martingale")
        << QByteArray(R"({"max_stake":"$remove"})") << "max_stake" << "required with staking system \"martingale\"";
    QTest::newRow("max_stake missing for oscars")
        << QByteArray(R"({"max_stake":"$remove","staking":{"system":"oscars_grind"}})") << "max_stake" << "needs a cap";
    // staking
    QTest::newRow("multiplier below 1")
        << QByteArray(R"({"staking":{"system":"martingale","multiplier":"0.5"}})") << "staking.multiplier"
        << "at least 1";
    QTest::newRow("multiplier zero number")
        << QByteArray(R"({"staking":{"system":"martingale","multiplier":0}})") << "staking.multiplier" << "at least 1";
    QTest::newRow("multiplier above 10")
        << QByteArray(R"({"staking":{"system":"martingale","multiplier":"11"}})") << "staking.multiplier"
        << "at most 10";
    QTest::newRow("multiplier garbage")
        << QByteArray(R"({"staking":{"system":"martingale","multiplier":"double"}})") << "staking.multiplier"
        << "decimal number";
    QTest::newRow("paroli multiplier below 1")
        << QByteArray(R"({"staking":{"system":"reverse_martingale","multiplier":"0.9"}})") << "staking.multiplier"
        << "at least 1";
    QTest::newRow("unknown staking system")
        << QByteArray(R"({"staking":{"system":"fibonacci"}})") << "staking.system" << "unknown staking system";
    QTest::newRow("staking not an object") << QByteArray(R"({"staking":"martingale"})") << "staking" << "object";
    QTest::newRow("staking without system") << QByteArray(R"({"staking":{"multiplier":"2"}})") << "staking.system"
                                            << "required";
    QTest::newRow("staking key typo")
        << QByteArray(R"({"staking":{"system":"martingale","multipler":"3"}})") << "staking.multipler"
        << "unknown key";
    QTest::newRow("key of another system")
        << QByteArray(R"({"staking":{"system":"dalembert","multiplier":"3"}})") << "staking.multiplier"
        << "unknown key for dalembert";
    QTest::newRow("max_steps zero")
        << QByteArray(R"({"staking":{"system":"martingale","max_steps":0}})") << "staking.max_steps" << "from 1 to 50";
    QTest::newRow("max_steps fractional")
        << QByteArray(R"({"staking":{"system":"martingale","max_steps":2.5}})") << "staking.max_steps" << "integer";
    QTest::newRow("max_wins zero")
        << QByteArray(R"({"staking":{"system":"reverse_martingale","max_wins":0}})") << "staking.max_wins"
        << "from 1 to 20";
    QTest::newRow("dalembert unit zero")
        << QByteArray(R"({"staking":{"system":"dalembert","unit":"0"}})") << "staking.unit" << "greater than zero";
    QTest::newRow("dalembert unit decimals")
        << QByteArray(R"({"staking":{"system":"dalembert","unit":"0.125"}})") << "staking.unit" << "decimal places";
    // symbol
    QTest::newRow("unknown symbol") << QByteArray(R"({"symbol":"R_1000"})") << "symbol" << "unknown symbol \"R_1000\"";
    QTest::newRow("forex symbol") << QByteArray(R"({"symbol":"frxEURUSD"})") << "symbol" << "unknown symbol";
    QTest::newRow("symbol missing") << QByteArray(R"({"symbol":"$remove"})") << "symbol" << "required";
    QTest::newRow("symbol number") << QByteArray(R"({"symbol":100})") << "symbol" << "string";
    // contract type
    QTest::newRow("unknown contract type") << QByteArray(R"({"contract_type":"CALLX"})") << "contract_type"
                                           << "unknown contract type";
    QTest::newRow("lower-case contract type") << QByteArray(R"({"contract_type":"call"})") << "contract_type"
                                              << "unknown contract type";
    QTest::newRow("contract type missing") << QByteArray(R"({"contract_type":"$remove"})") << "contract_type"
                                           << "required";
    // duration
    QTest::newRow("zero ticks") << QByteArray(R"({"duration":0})") << "duration" << "1 to 10";
    QTest::newRow("11 ticks") << QByteArray(R"({"duration":11})") << "duration" << "1 to 10";
    QTest::newRow("negative duration") << QByteArray(R"({"duration":-5})") << "duration" << "1 to 10, got -5";
    QTest::newRow("14 seconds") << QByteArray(R"({"duration":14,"duration_unit":"s"})") << "duration" << "15 to 86400";
    QTest::newRow("25 hours") << QByteArray(R"({"duration":25,"duration_unit":"h"})") << "duration" << "1 to 24";
    QTest::newRow("366 days") << QByteArray(R"({"duration":366,"duration_unit":"d"})") << "duration" << "1 to 365";
    QTest::newRow("1441 minutes") << QByteArray(R"({"duration":1441,"duration_unit":"m"})") << "duration"
                                  << "1 to 1440";
    QTest::newRow("digit in seconds")
        << QByteArray(R"({"contract_type":"DIGITEVEN","duration":15,"duration_unit":"s"})") << "duration_unit"
        << "only offered in ticks";
    QTest::newRow("digit 11 ticks") << QByteArray(R"({"contract_type":"DIGITODD","duration":11})") << "duration"
                                    << "1 to 10 ticks";
    QTest::newRow("unknown unit") << QByteArray(R"({"duration_unit":"x"})") << "duration_unit" << "unknown unit";
    QTest::newRow("unit missing") << QByteArray(R"({"duration_unit":"$remove"})") << "duration_unit" << "required";
    QTest::newRow("fractional duration") << QByteArray(R"({"duration":2.5})") << "duration" << "integer";
    QTest::newRow("duration text") << QByteArray(R"({"duration":"five"})") << "duration" << "integer";
    QTest::newRow("duration missing") << QByteArray(R"({"duration":"$remove"})") << "duration" << "required";
    // barrier
    QTest::newRow("over 9") << QByteArray(R"({"contract_type":"DIGITOVER","barrier":"9"})") << "barrier" << "0 to 8";
    QTest::newRow("under 0") << QByteArray(R"({"contract_type":"DIGITUNDER","barrier":"0"})") << "barrier" << "1 to 9";
    QTest::newRow("match missing barrier") << QByteArray(R"({"contract_type":"DIGITMATCH"})") << "barrier"
                                           << "needs a barrier digit";
    QTest::newRow("diff barrier 10") << QByteArray(R"({"contract_type":"DIGITDIFF","barrier":10})") << "barrier"
                                     << "0 to 9";
    QTest::newRow("match barrier letter") << QByteArray(R"({"contract_type":"DIGITMATCH","barrier":"a"})") << "barrier"
                                          << "0 to 9";
    QTest::newRow("match barrier relative") << QByteArray(R"({"contract_type":"DIGITMATCH","barrier":"+1"})")
                                            << "barrier" << "0 to 9";
    QTest::newRow("even with barrier") << QByteArray(R"({"contract_type":"DIGITEVEN","barrier":"2"})") << "barrier"
                                       << "takes no barrier";
    QTest::newRow("call with barrier") << QByteArray(R"({"barrier":"+0.10"})") << "barrier" << "takes no barrier";
    QTest::newRow("barrier bool") << QByteArray(R"({"contract_type":"DIGITMATCH","barrier":true})") << "barrier"
                                  << "digit string";
    // currency
    QTest::newRow("unknown currency") << QByteArray(R"({"currency":"BTC"})") << "currency" << "unsupported currency";
    QTest::newRow("currency number") << QByteArray(R"({"currency":840})") << "currency" << "string";
    // structure
    QTest::newRow("top-level typo") << QByteArray(R"({"stak":"1.00"})") << "stak" << "unknown key";
    QTest::newRow("unknown entry signal") << QByteArray(R"({"entry":{"signal":"rsi"}})") << "entry.signal"
                                          << "unknown entry signal";
    QTest::newRow("momentum on digits")
        << QByteArray(R"({"contract_type":"DIGITODD","entry":{"signal":"momentum"}})") << "entry.signal"
        << "must be CALL, PUT, CALLE or PUTE";
    QTest::newRow("momentum zero ticks") << QByteArray(R"({"entry":{"signal":"momentum","ticks":0}})") << "entry.ticks"
                                         << "from 1 to 20";
    QTest::newRow("entry key typo") << QByteArray(R"({"entry":{"signal":"fixed","ticks":3}})") << "entry.ticks"
                                    << "unknown key for fixed";
    QTest::newRow("entry not an object") << QByteArray(R"({"entry":"fixed"})") << "entry" << "object";
}

void TestStrategyFactory::refuses()
{
    QFETCH(QByteArray, patch);
    QFETCH(QString, field);
    QFETCH(QString, fragment);

    const QJsonObject params = patched(patch);
    Result<std::unique_ptr<Strategy>> r = StrategyFactory::create(params);
    QVERIFY(!r.ok());
    const Error &e = r.error();
    QCOMPARE(e.kind, ErrorKind::InvalidInput);
    QCOMPARE(e.code, QStringLiteral("InvalidStrategyParameter"));
    QCOMPARE(e.details.value(QLatin1String("field")).toString(), field);
    QVERIFY2(e.message.startsWith(field + QStringLiteral(": ")), qPrintable(e.message));
    QVERIFY2(e.message.contains(fragment), qPrintable(e.message));

    const Result<void> v = StrategyFactory::validate(params);
    QVERIFY(!v.ok());
    QCOMPARE(v.error().message, e.message);
}

void TestStrategyFactory::documentedExampleBuilds()
{
    const Result<std::unique_ptr<Strategy>> r = StrategyFactory::create(parseObject(s_valid));
    QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
    const Strategy &s = **r;
    QCOMPARE(s.spec().symbol, QStringLiteral("R_100"));
    QCOMPARE(s.spec().contractType, ContractType::Call);
    QCOMPARE(s.spec().duration, 5);
    QCOMPARE(s.spec().durationUnit, DurationUnit::Ticks);
    QCOMPARE(s.spec().currency, QStringLiteral("USD"));
    QCOMPARE(s.maxStake(), Money::fromMinor(5000));
    QCOMPARE(s.staking().name(), QStringLiteral("martingale"));
    QCOMPARE(s.staking().nextStake(), Money::fromMinor(100));
    QCOMPARE(s.entry().name(), QStringLiteral("fixed"));
    QCOMPARE(s.describe(), QStringLiteral("R_100 CALL 5t, Martingale ×2, max 6 steps, base 1.00, max stake 50.00 USD"));
    QVERIFY(StrategyFactory::validate(parseObject(s_valid)).ok());
}

void TestStrategyFactory::defaults()
{
    const QJsonObject minimal = parseObject(
        R"({"symbol":"1HZ100V","contract_type":"PUT","duration":1,"duration_unit":"m","stake":"0.35"})");
    Result<std::unique_ptr<Strategy>> r = StrategyFactory::create(minimal);
    QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
    std::unique_ptr<Strategy> s = std::move(r).value();
    QCOMPARE(s->staking().name(), QStringLiteral("flat"));
    QCOMPARE(s->entry().name(), QStringLiteral("fixed"));
    QCOMPARE(s->maxStake(), Money::fromMinor(35)); // flat without a cap: capped at its own stake
    QCOMPARE(s->spec().currency, QStringLiteral("USD"));
    const StrategyDecision d = s->onTick(tickOf(QStringLiteral("1HZ100V")));
    QVERIFY(d.isTrade());
    QCOMPARE(d.trade.contractType, ContractType::Put);
    QCOMPARE(d.trade.durationUnit, DurationUnit::Minutes);
    QCOMPARE(d.trade.stake, Money::fromMinor(35));
}

void TestStrategyFactory::everySystemBuilds_data()
{
    QTest::addColumn<QByteArray>("staking");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("stakeAfterLoss");
    QTest::newRow("flat") << QByteArray(R"({"system":"flat"})") << "flat" << "2.00";
    QTest::newRow("martingale 1.5 as number") << QByteArray(R"({"system":"martingale","multiplier":1.5})")
                                              << "martingale" << "3.00";
    QTest::newRow("martingale default x2") << QByteArray(R"({"system":"martingale"})") << "martingale" << "4.00";
    QTest::newRow("dalembert unit") << QByteArray(R"({"system":"dalembert","unit":"0.50"})") << "dalembert" << "2.50";
    QTest::newRow("dalembert default unit") << QByteArray(R"({"system":"dalembert"})") << "dalembert" << "4.00";
    QTest::newRow("oscars") << QByteArray(R"({"system":"oscars_grind"})") << "oscars_grind" << "2.00";
    QTest::newRow("reverse martingale") << QByteArray(R"({"system":"reverse_martingale","multiplier":"3","max_wins":2})")
                                        << "reverse_martingale" << "2.00";
    QTest::newRow("1326") << QByteArray(R"({"system":"one_three_two_six"})") << "one_three_two_six" << "2.00";
}

void TestStrategyFactory::everySystemBuilds()
{
    QFETCH(QByteArray, staking);
    QFETCH(QString, name);
    QFETCH(QString, stakeAfterLoss);
    QJsonObject params = parseObject(s_valid);
    params.insert(QStringLiteral("stake"), 2); // a JSON integer is a whole amount
    params.insert(QStringLiteral("staking"), parseObject(staking));
    Result<std::unique_ptr<Strategy>> r = StrategyFactory::create(params);
    QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
    std::unique_ptr<Strategy> s = std::move(r).value();
    QCOMPARE(s->staking().name(), name);
    QCOMPARE(s->nextStake().value(), Money::fromMinor(200));
    s->onContractClosed(ClosedContract::lost(Money::fromMinor(200)));
    QCOMPARE(s->nextStake().value().toString(), stakeAfterLoss);
}

void TestStrategyFactory::acceptedVariants_data()
{
    QTest::addColumn<QByteArray>("patch");
    QTest::addColumn<QString>("barrier");
    QTest::newRow("over 0") << QByteArray(R"({"contract_type":"DIGITOVER","barrier":"0"})") << "0";
    QTest::newRow("over 8 as integer") << QByteArray(R"({"contract_type":"DIGITOVER","barrier":8})") << "8";
    QTest::newRow("under 9") << QByteArray(R"({"contract_type":"DIGITUNDER","barrier":"9"})") << "9";
    QTest::newRow("match 0") << QByteArray(R"({"contract_type":"DIGITMATCH","barrier":"0"})") << "0";
    QTest::newRow("diff 9") << QByteArray(R"({"contract_type":"DIGITDIFF","barrier":"9","duration":10})") << "9";
    QTest::newRow("even") << QByteArray(R"({"contract_type":"DIGITEVEN","duration":1})") << "";
    QTest::newRow("rise 15 s") << QByteArray(R"({"duration":15,"duration_unit":"s"})") << "";
    QTest::newRow("fall 365 d") << QByteArray(R"({"contract_type":"PUTE","duration":365,"duration_unit":"d"})") << "";
    QTest::newRow("duration as string") << QByteArray(R"({"duration":"7"})") << "";
    QTest::newRow("stake at minimum") << QByteArray(R"({"stake":"0.35"})") << "";
    QTest::newRow("stake equals cap") << QByteArray(R"({"stake":"50"})") << "";
    QTest::newRow("EUR") << QByteArray(R"({"currency":"EUR"})") << "";
    QTest::newRow("null barrier") << QByteArray(R"({"barrier":null})") << "";
}

void TestStrategyFactory::acceptedVariants()
{
    QFETCH(QByteArray, patch);
    QFETCH(QString, barrier);
    const Result<std::unique_ptr<Strategy>> r = StrategyFactory::create(patched(patch));
    QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
    QCOMPARE((*r)->spec().barrier, barrier);
    const StrategyDecision d = (*r)->onTick(tickOf(QStringLiteral("R_100")));
    QVERIFY(d.isTrade());
    QCOMPARE(d.trade.barrier, barrier);
}

void TestStrategyFactory::momentumUsesTheFamilyOfContractType()
{
    const Result<std::unique_ptr<Strategy>> r
        = StrategyFactory::create(patched(R"({"contract_type":"PUTE","entry":{"signal":"momentum","ticks":1}})"));
    QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().message));
    Strategy &s = **r;
    QCOMPARE(s.entry().name(), QStringLiteral("momentum"));
    Tick t = tickOf(QStringLiteral("R_100"));
    QVERIFY(s.onTick(t).isWait());
    t.epochMs += 2000;
    t.quotePips += 1;
    const StrategyDecision d = s.onTick(t);
    QVERIFY(d.isTrade());
    QCOMPARE(d.trade.contractType, ContractType::CallE);
}

QTEST_APPLESS_MAIN(TestStrategyFactory)
#include "tst_strategyfactory.moc"
