// SPDX-License-Identifier: GPL-3.0-or-later
#include <limits>

#include <QJsonValue>
#include <QTest>

#include "strategy/fixedentry.h"
#include "strategy/tickmomentum.h"

using namespace Vigil;

namespace {

Tick tick(qint64 second, qint64 pips, const char *symbol = "R_100", int digits = 2)
{
    return Tick{QLatin1String(symbol), second * 1000, pips, digits};
}

// Feeds quotes one per second and returns what the signal proposed at each tick:
// '.' nothing, 'C' CALL, 'P' PUT, 'c' CALLE, 'p' PUTE.
QString run(EntrySignal &signal, const QList<qint64> &quotes)
{
    QString out;
    qint64 second = 1000;
    for (qint64 q : quotes) {
        const std::optional<EntryIntent> e = signal.onTick(tick(++second, q));
        if (!e) {
            out += u'.';
            continue;
        }
        switch (e->contractType) {
        case ContractType::Call: out += u'C'; break;
        case ContractType::Put: out += u'P'; break;
        case ContractType::CallE: out += u'c'; break;
        case ContractType::PutE: out += u'p'; break;
        default: out += u'?'; break;
        }
        if (!e->barrier.isEmpty())
            out += u'!';
    }
    return out;
}

} // namespace

class TestEntrySignal final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void fixedProposesEveryTick();
    void momentum_data();
    void momentum();
    void momentumIgnoresRepeatedAndOlderTicks();
    void momentumStartsOverOnOtherSymbolAndReset();
    void momentumComparesAcrossPrecision();
    void tickDigitsAndQuotes();
};

void TestEntrySignal::fixedProposesEveryTick()
{
    FixedEntry fixed(EntryIntent{ContractType::DigitOver, QStringLiteral("4")});
    for (int i = 0; i < 3; ++i) {
        const std::optional<EntryIntent> e = fixed.onTick(tick(100 + i, 1000 + i));
        QVERIFY(e.has_value());
        QCOMPARE(e->contractType, ContractType::DigitOver);
        QCOMPARE(e->barrier, QStringLiteral("4"));
    }
    QCOMPARE(fixed.name(), QStringLiteral("fixed"));
}

void TestEntrySignal::momentum_data()
{
    QTest::addColumn<int>("moves");
    QTest::addColumn<bool>("allowEqual");
    QTest::addColumn<QList<qint64>>("quotes");
    QTest::addColumn<QString>("expected");

    using L = QList<qint64>;
    QTest::newRow("3 rises need 4 ticks") << 3 << false << L{10, 11, 12, 13} << "...C";
    QTest::newRow("3 falls") << 3 << false << L{20, 19, 18, 17} << "...P";
    QTest::newRow("2 rises not enough for 3") << 3 << false << L{10, 11, 12} << "...";
    QTest::newRow("unchanged quote breaks run") << 3 << false << L{10, 11, 12, 12, 13, 14} << "......";
    QTest::newRow("reversal starts new run") << 2 << false << L{10, 11, 10, 9} << "...P";
    QTest::newRow("run restarts after proposal") << 2 << false << L{10, 11, 12, 13, 14, 15} << "..C.C.";
    QTest::newRow("one move") << 1 << false << L{10, 11, 10, 10, 11} << ".CP.C";
    QTest::newRow("CALLE family") << 2 << true << L{10, 11, 12, 11, 10} << "..c.p";
    QTest::newRow("zig-zag never fires") << 2 << false << L{10, 11, 10, 11, 10, 11} << "......";
}

void TestEntrySignal::momentum()
{
    QFETCH(int, moves);
    QFETCH(bool, allowEqual);
    QFETCH(QList<qint64>, quotes);
    QFETCH(QString, expected);
    TickMomentum m(moves, allowEqual ? ContractType::CallE : ContractType::Call);
    QCOMPARE(run(m, quotes), expected);
}

void TestEntrySignal::momentumIgnoresRepeatedAndOlderTicks()
{
    TickMomentum m(2);
    QVERIFY(!m.onTick(tick(10, 100)));
    QVERIFY(!m.onTick(tick(11, 101)));
    // A repeat of the last tick (e.g. replayed after a reconnect) and an older one change nothing.
    QVERIFY(!m.onTick(tick(11, 101)));
    QVERIFY(!m.onTick(tick(9, 50)));
    QCOMPARE(m.run(), 1);
    const std::optional<EntryIntent> e = m.onTick(tick(12, 102));
    QVERIFY(e);
    QCOMPARE(e->contractType, ContractType::Call);
}

void TestEntrySignal::momentumStartsOverOnOtherSymbolAndReset()
{
    TickMomentum m(2);
    QVERIFY(!m.onTick(tick(10, 100)));
    QVERIFY(!m.onTick(tick(11, 101)));
    QVERIFY(!m.onTick(tick(12, 5000, "R_50", 4))); // other symbol: history dropped
    QCOMPARE(m.run(), 0);
    QVERIFY(!m.onTick(tick(13, 5001, "R_50", 4)));
    QCOMPARE(m.run(), 1);
    m.reset();
    QCOMPARE(m.run(), 0);
    QVERIFY(!m.onTick(tick(14, 5002, "R_50", 4))); // first tick after reset is only a reference
    QCOMPARE(m.run(), 0);
}

void TestEntrySignal::momentumComparesAcrossPrecision()
{
    QCOMPARE(Tick::compareQuotes(Tick{{}, 0, 12345, 2}, Tick{{}, 0, 123450, 3}), 0);
    QCOMPARE(Tick::compareQuotes(Tick{{}, 0, 12345, 2}, Tick{{}, 0, 123451, 3}), -1);
    QCOMPARE(Tick::compareQuotes(Tick{{}, 0, 12346, 2}, Tick{{}, 0, 123451, 3}), 1);
}

void TestEntrySignal::tickDigitsAndQuotes()
{
    const Tick t{QStringLiteral("R_100"), 1'700'000'000'000, 123450, 2};
    QCOMPARE(t.lastDigit(), 0); // 1234.50: the trailing zero is the digit Deriv settles on
    QCOMPARE(t.quoteString(), QStringLiteral("1234.50"));
    QCOMPARE(t.epoch(), 1'700'000'000);
    QCOMPARE(Tick::quoteFromJson(QJsonValue(1234.5), 2), 123450);
    QCOMPARE(Tick::quoteFromJson(QJsonValue(0.1 + 0.2), 2), 30);
    QCOMPARE(Tick::quoteFromJson(QJsonValue(QStringLiteral("6123.0421")), 4), 61230421);
    QVERIFY(!Tick::quoteFromJson(QJsonValue(QStringLiteral("1.234")), 2));
    QVERIFY(!Tick::quoteFromJson(QJsonValue(true), 2));
    QCOMPARE((Tick{{}, 0, 61230427, 4}).lastDigit(), 7);
    // A quote read exactly as written (the client's typed ticks): scaled up, or rounded half away from zero.
    QCOMPARE(Tick::quoteFromDecimal(12345, 1, 2), 123450);       // 1234.5 → 1234.50
    QCOMPARE(Tick::quoteFromDecimal(123474, 2, 2), 123474);
    QCOMPARE(Tick::quoteFromDecimal(1234745, 3, 2), 123475);     // 1234.745 → 1234.75 (a double would say .74)
    QCOMPARE(Tick::quoteFromDecimal(1234744, 3, 2), 123474);
    QCOMPARE(Tick::quoteFromDecimal(-1234745, 3, 2), -123475);
    QCOMPARE(Tick::quoteFromDecimal(7, 0, 4), 70000);
    QVERIFY(!Tick::quoteFromDecimal(std::numeric_limits<qint64>::max() / 10, 0, 2)); // overflows
    QVERIFY(!Tick::quoteFromDecimal(1, 0, 9));                     // more decimals than any symbol has
    // A JSON number gives what its text would: the same pips on the typed path and the JSON one.
    QCOMPARE(Tick::quoteFromJson(QJsonValue(1.005), 2), Tick::quoteFromDecimal(1005, 3, 2));   // 101, not 100
    QCOMPARE(Tick::quoteFromJson(QJsonValue(0.285), 2), Tick::quoteFromDecimal(285, 3, 2));    // 29
    QCOMPARE(Tick::quoteFromJson(QJsonValue(-1234.745), 2), Tick::quoteFromDecimal(-1234745, 3, 2));
    QCOMPARE(Tick::quoteFromJson(QJsonValue(2e13), 2), Tick::quoteFromDecimal(20'000'000'000'000, 0, 2));
    QVERIFY(!Tick::quoteFromJson(QJsonValue(1e20), 2));            // more than 18 digits: no tick, either way
    QVERIFY(!Tick::quoteFromJson(QJsonValue(99'999'999'999.99), 8)); // overflows: dropped, never INT64_MIN
}

QTEST_APPLESS_MAIN(TestEntrySignal)
#include "tst_entrysignal.moc"
