// SPDX-License-Identifier: GPL-3.0-or-later
#include <QTest>

#include "deriv/derivcall.h"
#include "deriv/derivrequests.h"

using namespace Vigil;

class TestDerivRequests : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void buyByParametersCarriesMoneyAsNumbers()
    {
        DerivRequests::ContractParameters c;
        c.contractType = "CALL";
        c.symbol = "R_100";
        c.amount = Money::fromMinor(1050);
        const QJsonObject r = DerivRequests::buyByParameters(c, Money::fromMinor(1100));
        QCOMPARE(DerivCall::nameOf(r), QStringLiteral("buy"));
        QCOMPARE(r.value("buy").toString(), QStringLiteral("1"));
        QCOMPARE(r.value("price").toDouble(), 11.0);
        const QJsonObject p = r.value("parameters").toObject();
        QCOMPARE(p.value("amount").toDouble(), 10.5);
        QCOMPARE(p.value("basis").toString(), QStringLiteral("stake"));
        QCOMPARE(p.value("contract_type").toString(), QStringLiteral("CALL"));
        QCOMPARE(p.value("currency").toString(), QStringLiteral("USD"));
        QCOMPARE(p.value("duration").toInt(), 5);
        QCOMPARE(p.value("duration_unit").toString(), QStringLiteral("t"));
        QCOMPARE(p.value("symbol").toString(), QStringLiteral("R_100"));
        QVERIFY(!p.contains("barrier"));
    }

    void proposalWithBarrier()
    {
        DerivRequests::ContractParameters c;
        c.contractType = "DIGITOVER";
        c.symbol = "1HZ100V";
        c.amount = Money::fromMinor(35);
        c.barrier = "5";
        const QJsonObject r = DerivRequests::proposal(c);
        QCOMPARE(DerivCall::nameOf(r), QStringLiteral("proposal"));
        QCOMPARE(r.value("amount").toDouble(), 0.35);
        QCOMPARE(r.value("barrier").toString(), QStringLiteral("5"));
    }

    void sellAndFollow()
    {
        const QJsonObject s = DerivRequests::sell(250123456789, Money::zero());
        QCOMPARE(s.value("sell").toInteger(), 250123456789);
        QCOMPARE(s.value("price").toDouble(), 0.0);
        const QJsonObject poc = DerivRequests::proposalOpenContract(250123456789);
        QCOMPARE(DerivCall::nameOf(poc), QStringLiteral("proposal_open_contract"));
        QCOMPARE(poc.value("contract_id").toInteger(), 250123456789);
    }

    void outcomeQueries()
    {
        const QJsonObject p = DerivRequests::profitTable(50, 1700000000, 1700003600);
        QCOMPARE(DerivCall::nameOf(p), QStringLiteral("profit_table"));
        QCOMPARE(p.value("limit").toInt(), 50);
        QCOMPARE(p.value("date_from").toInteger(), 1700000000);
        QCOMPARE(p.value("date_to").toInteger(), 1700003600);
        const QJsonObject s = DerivRequests::statement(100);
        QCOMPARE(DerivCall::nameOf(s), QStringLiteral("statement"));
        QVERIFY(!s.contains("date_from"));
        QCOMPARE(DerivCall::nameOf(DerivRequests::ticksHistory("R_100", 1, "latest", 10)), QStringLiteral("ticks_history"));
    }
};

QTEST_APPLESS_MAIN(TestDerivRequests)
#include "tst_derivrequests.moc"
