// SPDX-License-Identifier: GPL-3.0-or-later
// Contract terms (validation, pricing, texts) and a contract's life from ticks, without sockets.
#include <QJsonObject>
#include <QTest>

#include "sim/contract.h"

using namespace Vigil;
using namespace Vigil::Sim;

namespace {
constexpr qint64 s_now = 1'700'000'000;

QJsonObject params(const QString &type, int duration, const QString &unit, double amount,
                   const QString &barrier = QString(), const QString &symbol = QStringLiteral("R_100"))
{
    QJsonObject p{{QStringLiteral("contract_type"), type},   {QStringLiteral("currency"), QStringLiteral("USD")},
                  {QStringLiteral("symbol"), symbol},        {QStringLiteral("duration"), duration},
                  {QStringLiteral("duration_unit"), unit},   {QStringLiteral("amount"), amount},
                  {QStringLiteral("basis"), QStringLiteral("stake")}};
    if (!barrier.isEmpty())
        p.insert(QStringLiteral("barrier"), barrier);
    return p;
}

ContractTerms terms(const QJsonObject &p)
{
    auto t = ContractTerms::fromJson(p, ContractLimits{}, s_now);
    Q_ASSERT(t.ok());
    return *t;
}
} // namespace

class TestSimContract final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void payoutFormulaInCents_data();
    void payoutFormulaInCents();
    void durationsConvert();
    void textsDescribeTheContract();
    void entryIsFirstTickAfterPurchaseSecond();
    void secondContractExitsAtLastTickBeforeExpiry();
    void saleChecksFollowTheRules();
    void bidPriceFollowsTheSpot();
};

void TestSimContract::payoutFormulaInCents_data()
{
    QTest::addColumn<qint64>("stake");
    QTest::addColumn<int>("p");
    QTest::addColumn<qint64>("payout");
    QTest::newRow("10 at 0.5") << qint64(1000) << 500 << qint64(1953);   // 10 / 0.512 = 19.53125
    QTest::newRow("0.35 at 0.5") << qint64(35) << 500 << qint64(68);     // 0.68359
    QTest::newRow("half rounds up") << qint64(64) << 500 << qint64(125); // 0.64 / 0.512 = 1.25 exactly
    QTest::newRow("1 at 0.1") << qint64(100) << 100 << qint64(893);      // 8.928571
    QTest::newRow("1000 at 0.9") << qint64(100000) << 900 << qint64(109649); // 1096.4912
}

void TestSimContract::payoutFormulaInCents()
{
    QFETCH(qint64, stake);
    QFETCH(int, p);
    QFETCH(qint64, payout);
    QCOMPARE(ContractTerms::payoutForStake(Money::fromMinor(stake), p).minor(), payout);
    // And back: the stake that buys a payout.
    QCOMPARE(ContractTerms::stakeForPayout(Money::fromMinor(1000), 500).minor(), 512);
}

void TestSimContract::durationsConvert()
{
    QCOMPARE(terms(params(QStringLiteral("CALL"), 2, QStringLiteral("m"), 1)).duration, 120);
    QCOMPARE(terms(params(QStringLiteral("CALL"), 1, QStringLiteral("h"), 1)).duration, 3600);
    QVERIFY(!ContractTerms::fromJson(params(QStringLiteral("CALL"), 1, QStringLiteral("d"), 1), ContractLimits{}, s_now).ok());
    QVERIFY(!ContractTerms::fromJson(params(QStringLiteral("CALL"), 25, QStringLiteral("h"), 1), ContractLimits{}, s_now).ok());
    QJsonObject expiry = params(QStringLiteral("PUT"), 0, QStringLiteral("s"), 1);
    expiry.remove(QStringLiteral("duration"));
    expiry.remove(QStringLiteral("duration_unit"));
    expiry.insert(QStringLiteral("date_expiry"), s_now + 300);
    QCOMPARE(terms(expiry).duration, 300);
    expiry.insert(QStringLiteral("duration"), 5);
    const auto both = ContractTerms::fromJson(expiry, ContractLimits{}, s_now);
    QVERIFY(both.error().is("ContractBuyValidationError"));
    // Tick contracts: R_100 ticks every 2 s; Rise/Fall exits N ticks after entry, digits at the N-th.
    QCOMPARE(terms(params(QStringLiteral("CALL"), 5, QStringLiteral("t"), 1)).expectedLengthSec(), 12);
    QCOMPARE(terms(params(QStringLiteral("DIGITODD"), 5, QStringLiteral("t"), 1)).expectedLengthSec(), 10);
    QCOMPARE(terms(params(QStringLiteral("DIGITODD"), 5, QStringLiteral("t"), 1, QString(), QStringLiteral("1HZ10V")))
                 .expectedLengthSec(), 5);
}

void TestSimContract::textsDescribeTheContract()
{
    ContractTerms t = terms(params(QStringLiteral("CALL"), 5, QStringLiteral("t"), 10));
    QCOMPARE(t.longcode(), QStringLiteral("Win payout if Volatility 100 Index after 5 ticks is strictly higher than entry spot."));
    QCOMPARE(t.shortcode(s_now, s_now + 12), QStringLiteral("CALL_R_100_19.53_1700000000_5T_S0P_0"));
    t = terms(params(QStringLiteral("PUTE"), 1, QStringLiteral("m"), 10));
    QCOMPARE(t.longcode(), QStringLiteral("Win payout if Volatility 100 Index is lower than or equal to entry spot at 1 minute after contract start time."));
    QCOMPARE(t.shortcode(s_now, s_now + 60), QStringLiteral("PUTE_R_100_19.53_1700000000_1700000060_S0P_0"));
    t = terms(params(QStringLiteral("DIGITDIFF"), 1, QStringLiteral("t"), 10, QStringLiteral("3"), QStringLiteral("1HZ50V")));
    QCOMPARE(t.longcode(), QStringLiteral("Win payout if the last digit of Volatility 50 (1s) Index is not 3 after 1 tick."));
    QCOMPARE(t.durationType(), QStringLiteral("ticks"));
}

void TestSimContract::entryIsFirstTickAfterPurchaseSecond()
{
    Contract c(1, QStringLiteral("VRTC1"), terms(params(QStringLiteral("CALL"), 2, QStringLiteral("t"), 10)), s_now);
    QVERIFY(!c.onTick(Tick{s_now, 100'000})); // same second as the purchase: not the entry
    QVERIFY(c.onTick(Tick{s_now + 2, 100'000}));
    QCOMPARE(c.entry().epoch, s_now + 2);
    QVERIFY(c.onTick(Tick{s_now + 4, 100'100}));
    QVERIFY(!c.isExpired());
    QVERIFY(!c.onTick(Tick{s_now + 4, 100'200})); // a repeated epoch is ignored
    QVERIFY(c.onTick(Tick{s_now + 6, 99'000}));
    QVERIFY(c.isExpired());
    QCOMPARE(c.exit().epoch, s_now + 6);
    QVERIFY(!c.wins()); // 990.00 < 1000.00
    QCOMPARE(c.bidPrice(0), Money::zero());
    c.settle(77);
    QCOMPARE(c.status(), ContractStatus::Lost);
    QCOMPARE(c.sellPrice(), Money::zero());
    QCOMPARE(c.sellTime(), s_now + 6);
    QCOMPARE(c.tickStream().size(), 3);
    QVERIFY(!c.onTick(Tick{s_now + 8, 200'000})); // settled contracts ignore ticks
}

void TestSimContract::secondContractExitsAtLastTickBeforeExpiry()
{
    Contract c(2, QStringLiteral("VRTC1"), terms(params(QStringLiteral("PUT"), 15, QStringLiteral("s"), 10)), s_now);
    QVERIFY(c.onTick(Tick{s_now + 2, 100'000}));
    QVERIFY(c.onTick(Tick{s_now + 14, 99'000}));
    QVERIFY(!c.isExpired());
    // The feed skips past the expiry (s_now + 15): the exit is the last tick at or before it.
    QVERIFY(c.onTick(Tick{s_now + 16, 101'000}));
    QVERIFY(c.isExpired());
    QCOMPARE(c.exit().epoch, s_now + 14);
    QVERIFY(c.wins());
    c.settle(78);
    QCOMPARE(c.status(), ContractStatus::Won);
    QCOMPARE(c.sellPrice(), Money::fromMinor(1953));
    QCOMPARE(c.sellTime(), s_now + 15);
    QCOMPARE(c.dateExpiry(), s_now + 15);
}

void TestSimContract::saleChecksFollowTheRules()
{
    ResaleRules rules;
    Contract ticks(3, QStringLiteral("VRTC1"), terms(params(QStringLiteral("CALL"), 5, QStringLiteral("t"), 1)), s_now);
    QCOMPARE(ticks.saleCheck(rules).code, QStringLiteral("ResaleNotOffered"));
    Contract digits(4, QStringLiteral("VRTC1"), terms(params(QStringLiteral("DIGITEVEN"), 5, QStringLiteral("t"), 1)), s_now);
    QCOMPARE(digits.saleCheck(rules).code, QStringLiteral("ResaleNotOffered"));
    rules.digits = true;
    QCOMPARE(digits.saleCheck(rules).code, QStringLiteral("EntryTickMissing"));

    Contract seconds(5, QStringLiteral("VRTC1"), terms(params(QStringLiteral("CALL"), 60, QStringLiteral("s"), 1)), s_now);
    QCOMPARE(seconds.saleCheck(rules).message, QStringLiteral("Waiting for entry tick."));
    seconds.onTick(Tick{s_now + 2, 100'000});
    QCOMPARE(seconds.saleCheck(rules).message, QStringLiteral("Contract cannot be sold at entry tick. Please wait for the next tick."));
    seconds.onTick(Tick{s_now + 4, 100'000});
    QVERIFY(seconds.saleCheck(rules).ok());
    seconds.sellEarly(Money::fromMinor(50), s_now + 4, 9);
    QCOMPARE(seconds.saleCheck(rules).code, QStringLiteral("ContractAlreadySold"));
    QCOMPARE(seconds.status(), ContractStatus::Sold);
    QCOMPARE(seconds.profit(0), Money::fromMinor(-50));
}

void TestSimContract::bidPriceFollowsTheSpot()
{
    auto bidAfter = [](const QString &type, qint64 spotPips, qint64 nowSec) {
        Contract c(6, QStringLiteral("VRTC1"), terms(params(type, 120, QStringLiteral("s"), 10)), s_now);
        c.onTick(Tick{s_now + 2, 100'000});
        c.onTick(Tick{s_now + 4, spotPips});
        return c.bidPrice(nowSec * 1000);
    };
    const Money flat = bidAfter(QStringLiteral("CALL"), 100'000, s_now + 4);
    const Money up = bidAfter(QStringLiteral("CALL"), 100'500, s_now + 4);
    const Money down = bidAfter(QStringLiteral("CALL"), 99'500, s_now + 4);
    QVERIFY(down < flat && flat < up);
    // At the money: about half the payout less commission (0.488 × 19.53 ≈ 9.5).
    QVERIFY2(flat.minor() > 900 && flat.minor() < 1000, qPrintable(flat.toString()));
    QVERIFY(bidAfter(QStringLiteral("PUT"), 99'500, s_now + 4) > bidAfter(QStringLiteral("PUT"), 100'500, s_now + 4));
    // Close to expiry an in-the-money contract is worth nearly the payout.
    QVERIFY(bidAfter(QStringLiteral("CALL"), 100'500, s_now + 121).minor() > 1850);
}

QTEST_APPLESS_MAIN(TestSimContract)
#include "tst_simcontract.moc"
