// SPDX-License-Identifier: GPL-3.0-or-later
#include <deque>

#include <QRandomGenerator>
#include <QTest>

#include "deriv/ratelimiter.h"

using namespace Vigil;
using Group = RateLimiter::Group;

class TestRateLimiter : public QObject
{
    Q_OBJECT

private:
    static RateLimiter::Options one(Group g, int calls, qint64 windowMs, int burst = 0)
    {
        RateLimiter::Options o;
        o.rules = {RateLimiter::Rule{g, calls, windowMs, burst}};
        return o;
    }

private Q_SLOTS:
    void groupsFollowTheProtocol_data()
    {
        QTest::addColumn<QString>("call");
        QTest::addColumn<int>("group");
        QTest::newRow("ping") << "ping" << int(Group::PingTime);
        QTest::newRow("time") << "time" << int(Group::PingTime);
        QTest::newRow("portfolio") << "portfolio" << int(Group::Outcome);
        QTest::newRow("statement") << "statement" << int(Group::Outcome);
        QTest::newRow("profit_table") << "profit_table" << int(Group::Outcome);
        QTest::newRow("proposal") << "proposal" << int(Group::Pricing);
        QTest::newRow("proposal_open_contract") << "proposal_open_contract" << int(Group::Pricing);
        QTest::newRow("buy") << "buy" << int(Group::General);
        QTest::newRow("ticks") << "ticks" << int(Group::General);
        QTest::newRow("authorize") << "authorize" << int(Group::General);
    }
    void groupsFollowTheProtocol()
    {
        QFETCH(QString, call);
        QFETCH(int, group);
        QCOMPARE(int(RateLimiter::groupFor(call)), group);
    }

    void defaultsAreDerivsPublishedBudget()
    {
        const QList<RateLimiter::Rule> rules = RateLimiter::derivDefaults();
        const auto has = [&](Group g, int calls, qint64 window) {
            return std::any_of(rules.begin(), rules.end(),
                               [&](const RateLimiter::Rule &r) { return r.group == g && r.calls == calls && r.windowMs == window; });
        };
        QVERIFY(has(Group::General, 180, 60'000));
        QVERIFY(has(Group::General, 14'400, 3'600'000));
        QVERIFY(has(Group::Outcome, 25, 60'000));
        QVERIFY(has(Group::Outcome, 1'500, 3'600'000));
        QVERIFY(has(Group::Pricing, 80, 60'000));
        QVERIFY(has(Group::Pricing, 3'600, 3'600'000));
        QVERIFY(has(Group::PingTime, 10, 1'000));
    }

    void burstThenSteadyRefill()
    {
        // 8 calls per 800 ms with a burst of 2: 2 at once, then one every 800 / 6 ms.
        RateLimiter l(one(Group::General, 8, 800, 2));
        QVERIFY(l.tryAcquire(Group::General, 0));
        QVERIFY(l.tryAcquire(Group::General, 0));
        QVERIFY(!l.tryAcquire(Group::General, 0));
        const qint64 wait = l.waitMs(Group::General, 0);
        QVERIFY2(wait >= 133 && wait <= 134, qPrintable(QString::number(wait)));
        QVERIFY(!l.tryAcquire(Group::General, wait - 2));
        QVERIFY(l.tryAcquire(Group::General, wait));
        // Two places back in the queue waits two refills more.
        const qint64 third = l.waitMs(Group::General, wait, 2);
        QVERIFY2(third >= 399 && third <= 401, qPrintable(QString::number(third)));
    }

    void groupsAreIndependent()
    {
        RateLimiter l(one(Group::Outcome, 1, 1000));
        QVERIFY(l.tryAcquire(Group::Outcome, 0));
        QVERIFY(!l.tryAcquire(Group::Outcome, 10));
        // No rule for General: unlimited.
        for (int i = 0; i < 1000; ++i)
            QVERIFY(l.tryAcquire(Group::General, 10));
    }

    void neverMoreThanTheBudgetInAnyWindow_data()
    {
        QTest::addColumn<int>("calls");
        QTest::addColumn<qint64>("window");
        QTest::addColumn<int>("burst");
        QTest::newRow("ping 10/s") << 10 << qint64(1000) << 0;
        QTest::newRow("outcome 25/min") << 25 << qint64(60'000) << 0;
        QTest::newRow("general 180/min") << 180 << qint64(60'000) << 0;
        QTest::newRow("single") << 1 << qint64(500) << 0;
        QTest::newRow("all burst") << 5 << qint64(1000) << 5;
    }
    void neverMoreThanTheBudgetInAnyWindow()
    {
        // A greedy caller with random pauses; the sent times must satisfy the sliding-window budget.
        QFETCH(int, calls);
        QFETCH(qint64, window);
        QFETCH(int, burst);
        RateLimiter l(one(Group::General, calls, window, burst));
        QRandomGenerator rng(1234);
        std::deque<qint64> sent;
        qint64 t = 0;
        for (int i = 0; i < 5000; ++i) {
            t += rng.bounded(0, int(window / std::max(1, calls)) + 2);
            if (!l.tryAcquire(Group::General, t)) {
                t += l.waitMs(Group::General, t);
                QVERIFY(l.tryAcquire(Group::General, t));
            }
            sent.push_back(t);
            while (!sent.empty() && sent.front() <= t - window)
                sent.pop_front();
            QVERIFY2(int(sent.size()) <= calls, qPrintable(QStringLiteral("%1 calls in %2 ms at t=%3").arg(sent.size()).arg(window).arg(t)));
        }
    }

    void serverRateLimitBacksOffLikeDerivsBot()
    {
        RateLimiter l(one(Group::Pricing, 1000, 1000));
        QCOMPARE(l.waitMs(Group::Pricing, 0), 0);
        l.noteRateLimited(Group::Pricing, 0);
        QCOMPARE(l.blockedUntil(Group::Pricing), 2500);
        QCOMPARE(l.waitMs(Group::Pricing, 1000) >= 1500, true);
        l.noteRateLimited(Group::Pricing, 3000);
        QCOMPARE(l.blockedUntil(Group::Pricing), 3000 + 5000);
        for (int n = 3; n <= 8; ++n)
            l.noteRateLimited(Group::Pricing, 10'000);
        QCOMPARE(l.blockedUntil(Group::Pricing), 10'000 + 15'000); // capped at 15 s
        QCOMPARE(l.consecutiveRateLimits(Group::Pricing), 8);
        // Other groups are not held.
        QCOMPARE(l.waitMs(Group::General, 10'000), 0);
        // A success starts the multiplier again.
        l.noteSuccess(Group::Pricing);
        l.noteRateLimited(Group::Pricing, 30'000);
        QCOMPARE(l.blockedUntil(Group::Pricing), 32'500);
    }

    void backoffIsConfigurable()
    {
        RateLimiter::Options o;
        o.rules = {};
        o.backoffStepMs = 100;
        o.backoffMaxMs = 250;
        RateLimiter l(o);
        l.noteRateLimited(Group::General, 0);
        QCOMPARE(l.waitMs(Group::General, 0), 100);
        l.noteRateLimited(Group::General, 0);
        QCOMPARE(l.waitMs(Group::General, 0), 200);
        l.noteRateLimited(Group::General, 0);
        QCOMPARE(l.waitMs(Group::General, 0), 250);
    }
};

QTEST_APPLESS_MAIN(TestRateLimiter)
#include "tst_ratelimiter.moc"
