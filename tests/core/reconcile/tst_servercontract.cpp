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

    // Deriv's shortcode layout: <TYPE>_<SYMBOL>_<payout>_<start>_<expiry>[_<barrier>_<barrier2>]; the symbol
    // may contain underscores and digits, the payout may lack a decimal point, other families put more after it.
    void shortcodeTerms_data()
    {
        QTest::addColumn<QString>("shortcode");
        QTest::addColumn<QString>("knownType");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("symbol");
        QTest::newRow("R_100 ticks") << "CALL_R_100_19.54_1700000000_5T_S0P_0" << "" << true << "CALL" << "R_100";
        QTest::newRow("1HZ10V digit") << "DIGITMATCH_1HZ10V_18.18_1700000000_5T_5_0" << "" << true << "DIGITMATCH"
                                      << "1HZ10V";
        QTest::newRow("1HZ100V") << "PUT_1HZ100V_19.53_1700000000_1700000060_S0P_0" << "" << true << "PUT" << "1HZ100V";
        QTest::newRow("forex, upper-cased") << "CALL_FRXEURUSD_10_1554286803_1554287103_S0P_0" << "" << true << "CALL"
                                            << "FRXEURUSD";
        QTest::newRow("forex") << "PUT_frxEURUSD_19.5_1554286803_1554287103_S0P_0" << "" << true << "PUT" << "frxEURUSD";
        QTest::newRow("integer payout after R_100") << "CALL_R_100_50_1587533920_1587533980_S10P_0" << "" << true << "CALL"
                                                    << "R_100";
        QTest::newRow("payout equal to the symbol's number") << "CALL_R_100_100_1234567890_1234567950_S0P_0" << ""
                                                             << true << "CALL" << "R_100";
        QTest::newRow("no barriers") << "DIGITEVEN_R_10_3.00_1745277401_1T" << "" << true << "DIGITEVEN" << "R_10";
        QTest::newRow("underscored index") << "CALL_OTC_DJI_19.54_1700000000_1700000300_S0P_0" << "" << true << "CALL"
                                           << "OTC_DJI";
        QTest::newRow("multiplier") << "MULTUP_R_100_10.00_10_1700000000_4854326400_60m_0.00_N1" << "" << true << "MULTUP"
                                    << "R_100";
        QTest::newRow("known type") << "CALLE_R_25_19.54_1700000000_5T_S0P_0" << "CALLE" << true << "CALLE" << "R_25";
        QTest::newRow("no payout segment") << "CALL_R_100" << "" << false << "" << "";
        QTest::newRow("lower-case type") << "call_R_100_19.54_1700000000_5T_S0P_0" << "" << false << "" << "";
        QTest::newRow("empty") << "" << "" << false << "" << "";
        QTest::newRow("symbol with punctuation") << "CALL_R-100_19.54_1700000000_5T_S0P_0" << "" << false << "" << "";
    }
    void shortcodeTerms()
    {
        QFETCH(QString, shortcode);
        QFETCH(QString, knownType);
        QFETCH(bool, ok);
        QFETCH(QString, type);
        QFETCH(QString, symbol);
        QString t = knownType;
        QString s;
        QCOMPARE(ServerContract::parseShortcodeTerms(shortcode, &t, &s), ok);
        if (ok) {
            QCOMPARE(t, type);
            QCOMPARE(s, symbol);
        }
    }

    // profit_table marks every descriptive field optional: a row with only a shortcode is still a contract.
    void rowsWithoutSymbolUseTheShortcode_data()
    {
        QTest::addColumn<QString>("shortcode");
        QTest::addColumn<QString>("symbol");
        QTest::addColumn<QString>("type");
        QTest::addColumn<int>("duration");
        QTest::newRow("R_100") << "CALL_R_100_19.53_1700000000_5T_S0P_0" << "R_100" << "CALL" << 5;
        QTest::newRow("1HZ10V") << "DIGITMATCH_1HZ10V_19.53_1700000000_3T_7_0" << "1HZ10V" << "DIGITMATCH" << 3;
        QTest::newRow("frxEURUSD") << "PUT_FRXEURUSD_19.53_1700000000_1700000600_S0P_0" << "FRXEURUSD" << "PUT" << 10;
    }
    void rowsWithoutSymbolUseTheShortcode()
    {
        QFETCH(QString, shortcode);
        QFETCH(QString, symbol);
        QFETCH(QString, type);
        QFETCH(int, duration);
        QJsonObject row{{"buy_price", 10},        {"contract_id", 42},       {"payout", 19.53},
                        {"purchase_time", 1700000000}, {"sell_price", 0}, {"sell_time", 1700000060},
                        {"shortcode", shortcode}, {"underlying_symbol", QJsonValue()}};
        const auto c = ServerContract::fromProfitTable(row, 2);
        QVERIFY2(c.ok(), qPrintable(c.ok() ? QString() : c.error().message));
        QCOMPARE(c->symbol, symbol);
        QCOMPARE(c->contractType, type);
        QCOMPARE(c->duration, duration);
        // The same in a portfolio item, and a given contract_type is kept.
        QJsonObject item{{"buy_price", 10}, {"contract_id", 43}, {"payout", 19.53}, {"purchase_time", 1700000000},
                         {"shortcode", shortcode}, {"contract_type", type}};
        const auto p = ServerContract::fromPortfolio(item, 2);
        QVERIFY(p.ok());
        QCOMPARE(p->symbol, symbol);
        QCOMPARE(p->duration, duration);
    }

    void rowsWithNeitherSymbolNorShortcodeAreRefused()
    {
        const QJsonObject row{{"buy_price", 10}, {"contract_id", 42}, {"payout", 19.53}, {"purchase_time", 1700000000},
                              {"sell_price", 0}, {"sell_time", 1700000060}};
        const auto c = ServerContract::fromProfitTable(row, 2);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().code, QStringLiteral("BadServerContract"));
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
        QTest::newRow("symbol spelled otherwise") << "CALL_FRXEURUSD_19.53_1700000000_1700000300_S0P_0" << "CALL"
                                                  << "frxEURUSD" << true << 5 << "m";
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
