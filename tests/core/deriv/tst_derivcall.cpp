// SPDX-License-Identifier: GPL-3.0-or-later
#include <QTest>

#include "deriv/derivcall.h"

using namespace Vigil;

class TestDerivCall : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void namesTheCall_data()
    {
        QTest::addColumn<QJsonObject>("request");
        QTest::addColumn<QString>("call");
        QTest::newRow("ticks") << QJsonObject{{"ticks", "R_100"}, {"subscribe", 1}, {"req_id", 3}} << "ticks";
        QTest::newRow("ticks_history") << QJsonObject{{"ticks_history", "R_50"}, {"end", "latest"}, {"count", 10}} << "ticks_history";
        QTest::newRow("buy with parameters")
            << QJsonObject{{"buy", "1"}, {"price", 10}, {"parameters", QJsonObject{{"contract_type", "CALL"}}}} << "buy";
        QTest::newRow("sell") << QJsonObject{{"sell", 123}, {"price", 0}} << "sell";
        QTest::newRow("poc") << QJsonObject{{"proposal_open_contract", 1}, {"contract_id", 5}} << "proposal_open_contract";
        QTest::newRow("proposal")
            << QJsonObject{{"proposal", 1}, {"amount", 10}, {"basis", "stake"}, {"contract_type", "CALL"}, {"currency", "USD"},
                           {"duration", 5}, {"duration_unit", "t"}, {"symbol", "R_100"}}
            << "proposal";
        QTest::newRow("unknown") << QJsonObject{{"frobnicate", 1}} << "";
        QTest::newRow("empty") << QJsonObject{} << "";
    }
    void namesTheCall()
    {
        QFETCH(QJsonObject, request);
        QFETCH(QString, call);
        QCOMPARE(DerivCall::nameOf(request), call);
    }

    void readsAndWrites_data()
    {
        QTest::addColumn<QString>("call");
        QTest::addColumn<bool>("read");
        QTest::addColumn<bool>("auth");
        QTest::newRow("buy") << "buy" << false << true;
        QTest::newRow("sell") << "sell" << false << true;
        QTest::newRow("api_token") << "api_token" << false << true;
        QTest::newRow("topup_virtual") << "topup_virtual" << false << true;
        QTest::newRow("authorize") << "authorize" << false << false;
        QTest::newRow("portfolio") << "portfolio" << true << true;
        QTest::newRow("statement") << "statement" << true << true;
        QTest::newRow("balance") << "balance" << true << true;
        QTest::newRow("ticks") << "ticks" << true << false;
        QTest::newRow("proposal") << "proposal" << true << false;
        QTest::newRow("unknown is a write") << "something_new" << false << false;
    }
    void readsAndWrites()
    {
        QFETCH(QString, call);
        QFETCH(bool, read);
        QFETCH(bool, auth);
        QCOMPARE(DerivCall::isRead(call), read);
        QCOMPARE(DerivCall::needsAuthorization(call), auth);
    }
};

QTEST_APPLESS_MAIN(TestDerivCall)
#include "tst_derivcall.moc"
