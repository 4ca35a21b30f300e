// SPDX-License-Identifier: GPL-3.0-or-later
#include <QJsonObject>
#include <QTest>

#include "reconcile/servercontract.h"

using namespace Vigil;

class TestServerContract : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void portfolioItem()
    {
        const QJsonObject item{{"buy_price", 10},
                               {"contract_id", 210000000007LL},
                               {"contract_type", "CALL"},
                               {"currency", "USD"},
                               {"date_start", 1700000000},
                               {"expiry_time", 1700000010},
                               {"payout", 19.53},
                               {"purchase_time", 1700000000},
                               {"shortcode", "CALL_R_100_19.53_1700000000_5T_S0P_0"},
                               {"symbol", "R_100"},
                               {"transaction_id", 420000000011LL}};
        const auto c = ServerContract::fromPortfolio(item, 2);
        QVERIFY(c.ok());
        QCOMPARE(c->contractId, 210000000007LL);
        QCOMPARE(c->transactionId, 420000000011LL);
        QCOMPARE(c->symbol, QStringLiteral("R_100"));
        QCOMPARE(c->contractType, QStringLiteral("CALL"));
        QCOMPARE(c->buyPrice, Money::fromMinor(1000));
        QCOMPARE(c->payout, Money::fromMinor(1953));
        QCOMPARE(c->purchaseMs, 1700000000000LL);
        QCOMPARE(c->status, TradeStatus::Open);
        QVERIFY(!c->sellPrice);
        QCOMPARE(c->duration, 5);
        QCOMPARE(c->durationUnit, QStringLiteral("t"));
    }

    // The newer dialect sends numbers as strings.
    void portfolioItemWithStrings()
    {
        const QJsonObject item{{"buy_price", "10.00"}, {"contract_id", "210000000007"}, {"contract_type", "PUT"},
                               {"payout", "19.53"},    {"purchase_time", "1700000000"}, {"underlying_symbol", "1HZ100V"}};
        const auto c = ServerContract::fromPortfolio(item, 2);
        QVERIFY(c.ok());
        QCOMPARE(c->contractId, 210000000007LL);
        QCOMPARE(c->symbol, QStringLiteral("1HZ100V"));
        QCOMPARE(c->payout, Money::fromMinor(1953));
        QCOMPARE(c->duration, 0); // no shortcode: not known
    }

    void badItemsAreErrors_data()
    {
        QTest::addColumn<QString>("drop");
        QTest::newRow("no contract_id") << "contract_id";
        QTest::newRow("no buy_price") << "buy_price";
        QTest::newRow("no payout") << "payout";
        QTest::newRow("no purchase_time") << "purchase_time";
        QTest::newRow("no symbol") << "symbol";
    }
    void badItemsAreErrors()
    {
        QFETCH(QString, drop);
        QJsonObject item{{"buy_price", 10},      {"contract_id", 5}, {"contract_type", "CALL"},
                         {"payout", 19.53},      {"purchase_time", 1700000000}, {"symbol", "R_100"}};
        item.remove(drop);
        const auto c = ServerContract::fromPortfolio(item, 2);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().kind, ErrorKind::Protocol);
        QCOMPARE(c.error().code, QStringLiteral("BadServerContract"));
        QVERIFY2(c.error().message.contains(drop), qPrintable(c.error().message));
    }

    void profitTableRow_data()
    {
        QTest::addColumn<double>("sellPrice");
        QTest::addColumn<TradeStatus>("status");
        QTest::addColumn<qint64>("profitMinor");
        QTest::newRow("won") << 19.53 << TradeStatus::Won << qint64(953);
        QTest::newRow("lost") << 0.0 << TradeStatus::Lost << qint64(-1000);
        QTest::newRow("sold early") << 12.40 << TradeStatus::Sold << qint64(240);
    }
    void profitTableRow()
    {
        QFETCH(double, sellPrice);
        QFETCH(TradeStatus, status);
        QFETCH(qint64, profitMinor);
        const QJsonObject row{{"buy_price", 10},
                              {"contract_id", 42},
                              {"contract_type", "CALL"},
                              {"duration_type", "seconds"},
                              {"payout", 19.53},
                              {"purchase_time", 1700000000},
                              {"sell_price", sellPrice},
                              {"sell_time", 1700000060},
                              {"shortcode", "CALL_R_100_19.53_1700000000_1700000600_S0P_0"},
                              {"transaction_id", 77},
                              {"underlying_symbol", "R_100"}};
        const auto c = ServerContract::fromProfitTable(row, 2);
        QVERIFY(c.ok());
        QCOMPARE(c->source, ServerContract::Source::ProfitTable);
        QCOMPARE(c->status, status);
        QCOMPARE(*c->profit, Money::fromMinor(profitMinor));
        QCOMPARE(c->sellMs, 1700000060000LL);
        QCOMPARE(c->duration, 10);
        QCOMPARE(c->durationUnit, QStringLiteral("m"));
    }

    void profitTableRowNeedsSellFigures()
    {
        const QJsonObject row{{"buy_price", 10}, {"contract_id", 42}, {"contract_type", "CALL"},
                              {"payout", 19.53}, {"purchase_time", 1700000000}, {"underlying_symbol", "R_100"}};
        QVERIFY(!ServerContract::fromProfitTable(row, 2).ok());
    }

    void openContractPayload()
    {
        QJsonObject poc{{"buy_price", 10},
                        {"contract_id", 42},
                        {"contract_type", "PUT"},
                        {"payout", 19.53},
                        {"purchase_time", 1700000000},
                        {"underlying", "R_50"},
                        {"is_sold", 0},
                        {"status", "open"},
                        {"transaction_ids", QJsonObject{{"buy", 99}}}};
        auto open = ServerContract::fromOpenContract(poc, 2);
        QVERIFY(open.ok());
        QVERIFY(open.value().has_value());
        QCOMPARE(open.value()->status, TradeStatus::Open);
        QCOMPARE(open.value()->transactionId, 99);
        QCOMPARE(open.value()->symbol, QStringLiteral("R_50"));

        poc.insert("is_sold", 1);
        poc.insert("status", "sold");
        poc.insert("sell_price", 19.53); // sold early at the payout: the status says so, the figures could not
        poc.insert("profit", 9.53);
        poc.insert("sell_time", 1700000004);
        auto sold = ServerContract::fromOpenContract(poc, 2);
        QVERIFY(sold.ok());
        QCOMPARE(sold.value()->status, TradeStatus::Sold);
        QCOMPARE(*sold.value()->profit, Money::fromMinor(953));
        QCOMPARE(sold.value()->sellMs, 1700000004000LL);
    }

    void openContractUnknownToServer()
    {
        auto none = ServerContract::fromOpenContract(QJsonObject(), 2);
        QVERIFY(none.ok());
        QVERIFY(!none.value().has_value());
    }

    void shortcodeDuration_data()
    {
        QTest::addColumn<QString>("shortcode");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("symbol");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<int>("duration");
        QTest::addColumn<QString>("unit");
        QTest::newRow("ticks") << "CALL_R_100_19.53_1700000000_5T_S0P_0" << "CALL" << "R_100" << true << 5 << "t";
        QTest::newRow("digit") << "DIGITOVER_1HZ10V_35.5_1700000000_3T_5_0" << "DIGITOVER" << "1HZ10V" << true << 3 << "t";
        QTest::newRow("seconds") << "PUT_R_50_19.53_1700000000_1700000045_S0P_0" << "PUT" << "R_50" << true << 45 << "s";
        QTest::newRow("minutes") << "PUT_R_50_19.53_1700000000_1700000120_S0P_0" << "PUT" << "R_50" << true << 2 << "m";
        QTest::newRow("hours") << "PUT_R_50_19.53_1700000000_1700007200F_S0P_0" << "PUT" << "R_50" << true << 2 << "h";
        QTest::newRow("other symbol") << "PUT_R_50_19.53_1700000000_5T_S0P_0" << "PUT" << "R_100" << false << 0 << "";
        QTest::newRow("garbage") << "CALL_R_100_x" << "CALL" << "R_100" << false << 0 << "";
        QTest::newRow("expiry before start") << "CALL_R_100_1_1700000000_1690000000_S0P_0" << "CALL" << "R_100" << false
                                             << 0 << "";
    }
    void shortcodeDuration()
    {
        QFETCH(QString, shortcode);
        QFETCH(QString, type);
        QFETCH(QString, symbol);
        QFETCH(bool, ok);
        QFETCH(int, duration);
        QFETCH(QString, unit);
        int d = -1;
        QString u = QStringLiteral("x");
        QCOMPARE(ServerContract::parseShortcodeDuration(shortcode, type, symbol, &d, &u), ok);
        QCOMPARE(d, duration);
        QCOMPARE(u, unit);
    }
};

QTEST_APPLESS_MAIN(TestServerContract)
#include "tst_servercontract.moc"
