// SPDX-License-Identifier: GPL-3.0-or-later
#include <QRandomGenerator>
#include <QTest>

#include "deriv/reconnectbackoff.h"

using namespace Vigil;

class TestReconnectBackoff : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ceilingDoublesUpToTheCap()
    {
        ReconnectBackoff b(250, 30'000);
        const qint64 expected[] = {250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
        QRandomGenerator rng(7);
        for (qint64 ceiling : expected) {
            QCOMPARE(b.ceilingMs(), ceiling);
            const qint64 d = b.nextDelayMs(&rng);
            QVERIFY(d >= 0 && d <= ceiling);
        }
        b.reset();
        QCOMPARE(b.ceilingMs(), 250);
        QCOMPARE(b.attempt(), 0);
    }

    void fullJitterSpreadsDelays()
    {
        // Full jitter: delays cover the whole [0, ceiling] range, not just its top.
        QRandomGenerator rng(99);
        qint64 low = 1'000'000;
        qint64 high = 0;
        for (int i = 0; i < 500; ++i) {
            ReconnectBackoff b(1000, 1000);
            const qint64 d = b.nextDelayMs(&rng);
            low = std::min(low, d);
            high = std::max(high, d);
        }
        QVERIFY2(low < 100, qPrintable(QString::number(low)));
        QVERIFY2(high > 900, qPrintable(QString::number(high)));
    }

    void manyAttemptsDoNotOverflow()
    {
        ReconnectBackoff b(250, 30'000);
        for (int i = 0; i < 1000; ++i)
            QVERIFY(b.nextDelayMs() <= 30'000);
        QCOMPARE(b.ceilingMs(), 30'000);
    }
};

QTEST_APPLESS_MAIN(TestReconnectBackoff)
#include "tst_reconnectbackoff.moc"
