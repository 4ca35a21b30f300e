// SPDX-License-Identifier: GPL-3.0-or-later
#include <cmath>

#include <QTest>

#include "sim/market.h"

using namespace Vigil::Sim;

namespace {
constexpr qint64 s_start = 1'700'000'000; // seconds, even

struct Recorded
{
    QString symbol;
    Tick tick;
};

QList<Recorded> run(Market &market, qint64 untilSec)
{
    QList<Recorded> out;
    QObject context;
    QObject::connect(&market, &Market::ticked, &context,
                     [&out](const QString &symbol, const Tick &t) { out.append(Recorded{symbol, t}); });
    market.advanceTo(untilSec * 1000);
    return out;
}

// n ticks of one symbol up to s_start, and the standard deviation of one tick's log move its sigma implies.
struct Path
{
    QList<Tick> ticks;
    double sigmaPerTick = 0;
};

Path longPath(const QString &symbol, quint64 seed, int n)
{
    const SymbolSpec &spec = *findSymbol(symbol);
    Market m(seed, s_start, n, n);
    return Path{m.history(symbol, 0, s_start, n),
                spec.sigma * std::sqrt(double(spec.tickIntervalSec) / (365.0 * 24 * 3600))};
}
} // namespace

class TestSimMarket final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sameSeedSamePaths();
    void differentSeedsDiffer();
    void cadenceAndOrder();
    void quotesFormatWithTrailingZeros();
    void volatilityMatchesSigma_data();
    void volatilityMatchesSigma();
    void jumpIndicesJumpAndVolatilityIndicesDoNot_data();
    void jumpIndicesJumpAndVolatilityIndicesDoNot();
    void scriptedQuotesAreExact();
    void historyQueries();
};

void TestSimMarket::sameSeedSamePaths()
{
    Market a(42, s_start, 50, 1000);
    Market b(42, s_start, 50, 1000);
    const QList<Recorded> ra = run(a, s_start + 120);
    const QList<Recorded> rb = run(b, s_start + 120);
    QCOMPARE(ra.size(), rb.size());
    for (qsizetype i = 0; i < ra.size(); ++i) {
        QCOMPARE(ra[i].symbol, rb[i].symbol);
        QCOMPARE(ra[i].tick.epoch, rb[i].tick.epoch);
        QCOMPARE(ra[i].tick.pips, rb[i].tick.pips);
    }
    // The backfilled history is part of the path too.
    QCOMPARE(a.history(u"R_100", 0, s_start, 50).first().pips, b.history(u"R_100", 0, s_start, 50).first().pips);
    // Watching fewer symbols does not change a path: generation is per symbol.
    Market c(42, s_start, 50, 1000);
    c.advanceTo((s_start + 60) * 1000);
    c.advanceTo((s_start + 120) * 1000);
    QCOMPARE(c.lastTick(u"1HZ75V").pips, a.lastTick(u"1HZ75V").pips);
}

void TestSimMarket::differentSeedsDiffer()
{
    Market a(1, s_start, 10, 100);
    Market b(2, s_start, 10, 100);
    a.advanceTo((s_start + 20) * 1000);
    b.advanceTo((s_start + 20) * 1000);
    QVERIFY(a.lastTick(u"R_100").pips != b.lastTick(u"R_100").pips);
}

void TestSimMarket::cadenceAndOrder()
{
    Market m(3, s_start, 5, 100);
    QCOMPARE(m.nextTickEpoch(), s_start + 1);
    const QList<Recorded> ticks = run(m, s_start + 10);
    qint64 lastEpoch = 0;
    QHash<QString, qint64> previous;
    for (const Recorded &r : ticks) {
        QVERIFY(r.tick.epoch >= lastEpoch); // chronological across symbols
        lastEpoch = r.tick.epoch;
        const int interval = findSymbol(r.symbol)->tickIntervalSec;
        QCOMPARE(r.tick.epoch % interval, 0);
        if (previous.contains(r.symbol))
            QCOMPARE(r.tick.epoch - previous.value(r.symbol), qint64(interval));
        previous[r.symbol] = r.tick.epoch;
    }
    // 10 s: each 1 s index ticks 10 times, each 2 s index 5 times.
    qsizetype expected = 0;
    for (const SymbolSpec &spec : symbolTable())
        expected += 10 / spec.tickIntervalSec;
    QCOMPARE(ticks.size(), expected);
    QCOMPARE(ticks.size(), 10 * 10 + 10 * 5); // ten 1 s indices, five volatility and five jump indices at 2 s
    QCOMPARE(m.lastTick(u"R_10").epoch, s_start + 10);
    QCOMPARE(m.lastTick(u"1HZ10V").epoch, s_start + 10);
    QVERIFY(!m.lastTick(u"R_99").isValid());
}

void TestSimMarket::quotesFormatWithTrailingZeros()
{
    QCOMPARE(findSymbol(u"R_50")->formatQuote(12'345'000), QStringLiteral("1234.5000"));
    QCOMPARE(findSymbol(u"R_10")->formatQuote(6'123'450), QStringLiteral("6123.450"));
    QCOMPARE(findSymbol(u"R_100")->formatQuote(100'010), QStringLiteral("1000.10"));
    QCOMPARE(findSymbol(u"R_75")->pip(), 0.0001);
    QCOMPARE(findSymbol(u"1HZ25V")->pip(), 0.01);
    QCOMPARE((Tick{1, 100'010}.lastDigit()), 0);
    QCOMPARE((Tick{1, 100'017}.lastDigit()), 7);
}

void TestSimMarket::volatilityMatchesSigma_data()
{
    QTest::addColumn<QString>("symbol");
    QTest::newRow("1HZ100V") << "1HZ100V";
    QTest::newRow("R_10") << "R_10";
    QTest::newRow("R_75") << "R_75";
}

void TestSimMarket::volatilityMatchesSigma()
{
    QFETCH(QString, symbol);
    const int n = 40'000;
    const Path path = longPath(symbol, 9, n);
    const QList<Tick> &ticks = path.ticks;
    QCOMPARE(ticks.size(), n);
    double sum = 0, sumSq = 0;
    for (qsizetype i = 1; i < ticks.size(); ++i) {
        const double r = std::log(double(ticks[i].pips) / double(ticks[i - 1].pips));
        sum += r;
        sumSq += r * r;
    }
    const double count = double(ticks.size() - 1);
    const double stdev = std::sqrt(sumSq / count - (sum / count) * (sum / count));
    const double expected = path.sigmaPerTick;
    QVERIFY2(std::fabs(stdev / expected - 1.0) < 0.03, qPrintable(QStringLiteral("%1 vs %2").arg(stdev).arg(expected)));
}

void TestSimMarket::jumpIndicesJumpAndVolatilityIndicesDoNot_data()
{
    QTest::addColumn<QString>("symbol");
    QTest::addColumn<int>("minJumps");
    QTest::addColumn<int>("maxJumps");
    // 40,000 ticks every 2 s = 22.2 h; a jump every 20 min on average → ~67 (Poisson, sd ~8).
    QTest::newRow("JD50") << "JD50" << 35 << 105;
    QTest::newRow("JD10") << "JD10" << 35 << 105;
    QTest::newRow("R_50 (no jumps)") << "R_50" << 0 << 0;
}

void TestSimMarket::jumpIndicesJumpAndVolatilityIndicesDoNot()
{
    QFETCH(QString, symbol);
    QFETCH(int, minJumps);
    QFETCH(int, maxJumps);
    const int n = 40'000;
    const Path path = longPath(symbol, 11, n);
    const QList<Tick> &ticks = path.ticks;
    QCOMPARE(ticks.size(), n);
    // A normal move beyond 10 sigma never happens in 40,000 draws; a jump is ~30 sigma.
    const double perTick = path.sigmaPerTick;
    int jumps = 0;
    for (qsizetype i = 1; i < ticks.size(); ++i) {
        if (std::fabs(std::log(double(ticks[i].pips) / double(ticks[i - 1].pips))) > 10.0 * perTick)
            ++jumps;
    }
    QVERIFY2(jumps >= minJumps && jumps <= maxJumps, qPrintable(QStringLiteral("%1 jumps").arg(jumps)));
}

void TestSimMarket::scriptedQuotesAreExact()
{
    Market m(5, s_start, 5, 100);
    QVERIFY(!m.scriptQuotes(u"R_100", {QStringLiteral("1000.00"), QStringLiteral("1000.001")})); // finer than the pip
    QVERIFY(!m.scriptQuotes(u"R_100", {QStringLiteral("abc")}));
    QVERIFY(!m.scriptQuotes(u"R_0", {QStringLiteral("1")}));
    QVERIFY(m.scriptQuotes(u"R_100", {QStringLiteral("1000.00"), QStringLiteral("1000.5"), QStringLiteral("999")}));
    m.advanceTo((s_start + 6) * 1000);
    const QList<Tick> h = m.history(u"R_100", s_start + 1, s_start + 6, 10);
    QCOMPARE(h.size(), 3);
    QCOMPARE(h[0].pips, 100'000);
    QCOMPARE(h[1].pips, 100'050);
    QCOMPARE(h[2].pips, 99'900);
    // The walk resumes from the last scripted quote.
    m.advanceTo((s_start + 8) * 1000);
    QVERIFY(std::abs(m.lastTick(u"R_100").pips - 99'900) < 1'000);
}

void TestSimMarket::historyQueries()
{
    Market m(6, s_start, 100, 150);
    QCOMPARE(m.history(u"R_100", 0, s_start, 1000).size(), 100);
    QCOMPARE(m.history(u"R_100", 0, s_start, 10).last().epoch, s_start);
    QCOMPARE(m.history(u"R_100", 0, s_start, 10).first().epoch, s_start - 18);
    QCOMPARE(m.history(u"R_100", s_start - 10, s_start - 4, 100).size(), 4);
    QCOMPARE(m.history(u"R_100", s_start + 1, s_start + 100, 100).size(), 0);
    QCOMPARE(m.history(u"R_100", s_start, s_start - 1, 100).size(), 0);
    // Retention: the oldest ticks go beyond the maximum.
    m.advanceTo((s_start + 200) * 1000);
    QCOMPARE(m.history(u"R_100", 0, s_start + 200, 1000).size(), 150);
}

QTEST_APPLESS_MAIN(TestSimMarket)
#include "tst_simmarket.moc"
