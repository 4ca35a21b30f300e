// SPDX-License-Identifier: GPL-3.0-or-later
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include "engine/engineconfig.h"

using namespace Vigil;

class TestEngineConfig final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void paperDefaultIsValid();
    void errors_data();
    void errors();
    void fileErrors();
    void realEndpointUrl();

private:
    static QJsonObject valid();
};

QJsonObject TestEngineConfig::valid()
{
    return QJsonDocument::fromJson(R"({
      "accounts": [{"id": "a1", "token": {"env": "VIGIL_TOKEN_A1"}, "limits": {"max_trades_per_day": 10}}],
      "bots": [{"id": "b1", "account": "a1",
                "strategy": {"symbol": "R_100", "contract_type": "CALL", "duration": 5, "duration_unit": "t", "stake": "1.00", "max_stake": "50.00"}}]
    })").object();
}

void TestEngineConfig::paperDefaultIsValid()
{
    const EngineConfig c = EngineConfig::paperDefault();
    QVERIFY(c.isPaper());
    QCOMPARE(c.accounts.size(), 1);
    QCOMPARE(c.bots.size(), 2);
    QCOMPARE(c.accounts.first().token.kind, TokenSource::Kind::Demo);
    QVERIFY(c.bot(QStringLiteral("r100-rise")));
    QVERIFY(!c.bot(QStringLiteral("nope")));

    Result<EngineConfig> parsed = EngineConfig::fromJson(valid());
    QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().message));
    QCOMPARE(parsed->accounts.first().limits.maxTradesPerDay, 10);
    QCOMPARE(parsed->accounts.first().token.ref, QStringLiteral("VIGIL_TOKEN_A1"));
    QCOMPARE(parsed->failoverAfterMs, 30'000); // the default
    for (const qint64 ms : {qint64(0), qint64(2000), qint64(3'600'000)}) {
        QJsonObject withFailover = valid();
        withFailover.insert(QStringLiteral("failover_after_ms"), double(ms));
        Result<EngineConfig> f = EngineConfig::fromJson(withFailover);
        QVERIFY2(f.ok(), qPrintable(f.ok() ? QString() : f.error().message));
        QCOMPARE(f->failoverAfterMs, ms);
    }
}

void TestEngineConfig::errors_data()
{
    QTest::addColumn<QString>("path");    // a JSON pointer-ish edit: "bots/0/strategy/stake"
    QTest::addColumn<QJsonValue>("value"); // undefined = remove
    QTest::addColumn<QString>("field");   // expected field in the error

    auto row = [](const char *name, const char *path, QJsonValue v, const char *field) {
        QTest::newRow(name) << QString::fromLatin1(path) << v << QString::fromLatin1(field);
    };
    row("no accounts", "accounts", QJsonArray(), "accounts");
    row("unknown top key", "frobnicate", 1, "frobnicate");
    row("bad account id", "accounts/0/id", QStringLiteral("a b"), "accounts[0].id");
    row("token inline", "accounts/0/token", QJsonObject{{QStringLiteral("value"), QStringLiteral("abc")}}, "accounts[0].token");
    row("bad env name", "accounts/0/token", QJsonObject{{QStringLiteral("env"), QStringLiteral("1BAD")}}, "accounts[0].token.env");
    row("bad limit", "accounts/0/limits", QJsonObject{{QStringLiteral("max_trades_per_day"), 0}}, "accounts[0].limits.max_trades_per_day");
    row("unknown limit", "accounts/0/limits", QJsonObject{{QStringLiteral("max_lots"), 1}}, "accounts[0].limits.max_lots");
    row("bot without id", "bots/0/id", QJsonValue(QJsonValue::Undefined), "bots[0].id");
    row("bot unknown account", "bots/0/account", QStringLiteral("zz"), "bots[0].account");
    row("zero stake", "bots/0/strategy/stake", QStringLiteral("0"), "bots[0].strategy.stake");
    row("negative stake", "bots/0/strategy/stake", QStringLiteral("-1"), "bots[0].strategy.stake");
    row("unknown symbol", "bots/0/strategy/symbol", QStringLiteral("EURUSD"), "bots[0].strategy.symbol");
    row("unknown contract", "bots/0/strategy/contract_type", QStringLiteral("ASIANU"), "bots[0].strategy.contract_type");
    row("bad multiplier", "bots/0/strategy/staking", QJsonObject{{QStringLiteral("system"), QStringLiteral("martingale")},
                                                                 {QStringLiteral("multiplier"), QStringLiteral("0.5")}},
        "bots[0].strategy.staking.multiplier");
    row("enabled not bool", "bots/0/enabled", QStringLiteral("yes"), "bots[0].enabled");
    row("endpoint not ws", "endpoint", QStringLiteral("http://example.com"), "endpoint");
    row("real endpoint without app id", "endpoint", QStringLiteral("wss://ws.example.com/websockets/v3"), "app_id");
    row("redis not url", "redis", QStringLiteral("localhost:6379"), "redis");
    row("failover too soon", "failover_after_ms", 500, "failover_after_ms");
    row("failover not whole", "failover_after_ms", 2500.5, "failover_after_ms");
    row("failover as text", "failover_after_ms", QStringLiteral("30000"), "failover_after_ms");
}

void TestEngineConfig::errors()
{
    QFETCH(QString, path);
    QFETCH(QJsonValue, value);
    QFETCH(QString, field);
    // Apply the edit to a copy of the valid document.
    const QStringList parts = path.split(u'/');
    std::function<QJsonValue(QJsonValue, int)> edit = [&](QJsonValue node, int depth) -> QJsonValue {
        const QString &key = parts.at(depth);
        const bool last = depth == parts.size() - 1;
        if (node.isArray()) {
            QJsonArray a = node.toArray();
            const int i = key.toInt();
            a[i] = last ? value : edit(a.at(i), depth + 1);
            return a;
        }
        QJsonObject o = node.toObject();
        if (last) {
            if (value.isUndefined())
                o.remove(key);
            else
                o.insert(key, value);
        } else {
            o.insert(key, edit(o.value(key), depth + 1));
        }
        return o;
    };
    const QJsonObject doc = edit(valid(), 0).toObject();
    Result<EngineConfig> r = EngineConfig::fromJson(doc);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ErrorKind::Configuration);
    QCOMPARE(r.error().details.value(QLatin1String("field")).toString(), field);
    QVERIFY2(r.error().message.startsWith(field + QStringLiteral(": ")), qPrintable(r.error().message));
}

void TestEngineConfig::fileErrors()
{
    QTemporaryDir dir;
    Result<EngineConfig> missing = EngineConfig::fromFile(dir.filePath(QStringLiteral("none.json")));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().code, QStringLiteral("ConfigUnreadable"));

    QFile bad(dir.filePath(QStringLiteral("bad.json")));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("{\"accounts\": [");
    bad.close();
    Result<EngineConfig> notJson = EngineConfig::fromFile(bad.fileName());
    QVERIFY(!notJson.ok());
    QCOMPARE(notJson.error().code, QStringLiteral("ConfigNotJson"));
    QVERIFY(notJson.error().message.contains(QStringLiteral("offset")));
}

void TestEngineConfig::realEndpointUrl()
{
    QJsonObject doc = valid();
    doc.insert(QStringLiteral("endpoint"), QStringLiteral("wss://ws.derivws.com/websockets/v3"));
    doc.insert(QStringLiteral("app_id"), 1089);
    Result<EngineConfig> r = EngineConfig::fromJson(doc);
    QVERIFY(r.ok());
    QVERIFY(!r->isPaper());
    const QUrl url = r->connectUrl().value();
    QCOMPARE(url.toString(), QStringLiteral("wss://ws.derivws.com/websockets/v3?app_id=1089&l=EN"));

    // A demo token makes no sense against a real server.
    QJsonObject demo = doc;
    QJsonArray accounts = demo.value(QLatin1String("accounts")).toArray();
    QJsonObject a = accounts.at(0).toObject();
    a.insert(QStringLiteral("token"), QJsonObject{{QStringLiteral("demo"), true}});
    accounts[0] = a;
    demo.insert(QStringLiteral("accounts"), accounts);
    Result<EngineConfig> d = EngineConfig::fromJson(demo);
    QVERIFY(!d.ok());
    QCOMPARE(d.error().details.value(QLatin1String("field")).toString(), QStringLiteral("accounts[0].token"));
}

QTEST_APPLESS_MAIN(TestEngineConfig)
#include "tst_engineconfig.moc"
