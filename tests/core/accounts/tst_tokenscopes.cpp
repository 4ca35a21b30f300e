// SPDX-License-Identifier: GPL-3.0-or-later
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include "accounts/tokenscopes.h"

using namespace Vigil;

class TestTokenScopes final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parseAndCheck_data();
    void parseAndCheck();
    void malformed_data();
    void malformed();
    void ofMatchesParsed();
};

void TestTokenScopes::parseAndCheck_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QStringList>("names");
    QTest::addColumn<QStringList>("missing");       // empty: checkTrading() passes
    QTest::addColumn<QStringList>("warningWords");  // one word expected per warning, in order

    QTest::newRow("read+trade") << QByteArray(R"(["read","trade"])") << QStringList{"read", "trade"} << QStringList{}
                                << QStringList{};
    QTest::newRow("trade-only") << QByteArray(R"(["trade"])") << QStringList{"trade"} << QStringList{"read"}
                                << QStringList{};
    QTest::newRow("read-only") << QByteArray(R"(["read"])") << QStringList{"read"} << QStringList{"trade"}
                               << QStringList{};
    QTest::newRow("none") << QByteArray("[]") << QStringList{} << QStringList{"read", "trade"} << QStringList{};
    QTest::newRow("with-trading-information")
        << QByteArray(R"(["read","trading_information","trade"])")
        << QStringList{"read", "trade", "trading_information"} << QStringList{} << QStringList{};
    QTest::newRow("with-admin") << QByteArray(R"(["read","trade","admin"])") << QStringList{"read", "trade", "admin"}
                                << QStringList{} << QStringList{"tokens"};
    QTest::newRow("with-payments") << QByteArray(R"(["payments","read","trade"])")
                                   << QStringList{"read", "trade", "payments"} << QStringList{}
                                   << QStringList{"withdraw"};
    QTest::newRow("everything") << QByteArray(R"(["read","trade","trading_information","payments","admin"])")
                                << QStringList{"read", "trade", "trading_information", "payments", "admin"}
                                << QStringList{} << QStringList{"withdraw", "tokens"};
    QTest::newRow("admin-without-trade") << QByteArray(R"(["admin","read"])") << QStringList{"read", "admin"}
                                         << QStringList{"trade"} << QStringList{"tokens"};
    QTest::newRow("case-and-spaces") << QByteArray(R"([" Read ","TRADE"])") << QStringList{"read", "trade"}
                                     << QStringList{} << QStringList{};
    QTest::newRow("unknown-kept") << QByteArray(R"(["read","trade","mystery"])")
                                  << QStringList{"read", "trade", "mystery"} << QStringList{} << QStringList{};
    QTest::newRow("duplicates") << QByteArray(R"(["trade","trade","read"])") << QStringList{"read", "trade"}
                                << QStringList{} << QStringList{};
}

void TestTokenScopes::parseAndCheck()
{
    QFETCH(QByteArray, json);
    QFETCH(QStringList, names);
    QFETCH(QStringList, missing);
    QFETCH(QStringList, warningWords);

    const Result<TokenScopes> parsed = TokenScopes::fromJson(QJsonDocument::fromJson(json).array());
    QVERIFY(parsed.ok());
    QCOMPARE(parsed->names(), names);

    const Result<void> trading = parsed->checkTrading();
    QCOMPARE(trading.ok(), missing.isEmpty());
    if (!missing.isEmpty()) {
        QCOMPARE(trading.error().code, QStringLiteral("PermissionDenied"));
        QCOMPARE(trading.error().details.value(QStringLiteral("missing_scopes")).toArray(),
                 QJsonArray::fromStringList(missing));
        for (const QString &scope : missing)
            QVERIFY2(trading.error().message.contains(QStringLiteral("'%1'").arg(scope)), qPrintable(trading.error().message));
    }

    const QStringList warnings = parsed->warnings();
    QCOMPARE(warnings.size(), warningWords.size());
    for (int i = 0; i < warnings.size(); ++i) {
        QVERIFY2(warnings[i].contains(warningWords[i]), qPrintable(warnings[i]));
        QVERIFY(warnings[i].contains(QStringLiteral("Read and Trade")));
    }
}

void TestTokenScopes::malformed_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("missing") << QByteArray(R"({})");
    QTest::newRow("string") << QByteArray(R"({"scopes":"read,trade"})");
    QTest::newRow("number-entry") << QByteArray(R"({"scopes":["read",1]})");
    QTest::newRow("object-entry") << QByteArray(R"({"scopes":[{"name":"trade"}]})");
}

void TestTokenScopes::malformed()
{
    QFETCH(QByteArray, json);
    const QJsonValue v = QJsonDocument::fromJson(json).object().value(QStringLiteral("scopes"));
    const Result<TokenScopes> parsed = TokenScopes::fromJson(v);
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error().code, QStringLiteral("InvalidScopes"));
    QCOMPARE(parsed.error().kind, ErrorKind::Protocol);
}

void TestTokenScopes::ofMatchesParsed()
{
    using S = TokenScopes::Scope;
    const Result<TokenScopes> parsed = TokenScopes::fromJson(QJsonArray{QStringLiteral("trade"), QStringLiteral("read")});
    QVERIFY(parsed.ok());
    QCOMPARE(TokenScopes::of({S::Read, S::Trade}), parsed.value());
    QVERIFY(parsed->has(S::Trade));
    QVERIFY(!parsed->has(S::Admin));
}

QTEST_APPLESS_MAIN(TestTokenScopes)
#include "tst_tokenscopes.moc"
