// SPDX-License-Identifier: GPL-3.0-or-later
#include <atomic>
#include <latch>
#include <thread>
#include <vector>

#include <QSignalSpy>
#include <QTest>

#include "engine/circuitbreaker.h"
#include "support/fakeclock.h"

using namespace Vigil;
using State = CircuitBreaker::State;

namespace {

Error serverFault()
{
    return Error::broker(QStringLiteral("InternalServerError"), QStringLiteral("Sorry, an error occurred."));
}

Error clientError()
{
    return Error::broker(QStringLiteral("InvalidContractProposal"), QStringLiteral("Proposal id is invalid."));
}

CircuitBreaker::Config config(int threshold, qint64 coolDownMs)
{
    CircuitBreaker::Config c;
    c.failureThreshold = threshold;
    c.coolDownMs = coolDownMs;
    return c;
}

QList<QPair<State, State>> changes(const QSignalSpy &spy)
{
    QList<QPair<State, State>> out;
    for (const QList<QVariant> &args : spy)
        out.append({args.at(0).value<State>(), args.at(1).value<State>()});
    return out;
}

} // namespace

class TestCircuitBreaker final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void whatCounts_data();
    void whatCounts();
    void opensAfterConsecutiveFaults();
    void successResetsTheStreak();
    void neutralErrorsNeitherCountNorReset_data();
    void neutralErrorsNeitherCountNorReset();
    void coolDownThenSingleProbe();
    void probeSuccessCloses();
    void probeFaultReopensAndRestartsCoolDown();
    void neutralProbeFreesTheSlot();
    void notSentFreesTheProbe();
    void lostProbeTimesOut();
    void lateResultsWhileOpenAreIgnored();
    void refreshEmitsHalfOpen();
    void admitExplainsRefusal();
    void exactlyOneConcurrentProbe();
};

void TestCircuitBreaker::whatCounts_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("code");
    QTest::addColumn<bool>("counts");
    auto broker = [](const char *name, const char *code, bool counts) {
        QTest::newRow(name) << int(ErrorKind::Broker) << QString::fromLatin1(code) << counts;
    };
    broker("InternalServerError", "InternalServerError", true);
    broker("WrongResponse", "WrongResponse", true);
    broker("CallError", "CallError", true);
    broker("GetProposalFailure", "GetProposalFailure", true);
    broker("InvalidContractProposal", "InvalidContractProposal", false);
    broker("InputValidationFailed", "InputValidationFailed", false);
    broker("ContractBuyValidationError", "ContractBuyValidationError", false);
    broker("PriceMoved", "PriceMoved", false);
    broker("InsufficientBalance", "InsufficientBalance", false);
    broker("InvalidToken", "InvalidToken", false);
    broker("RateLimit", "RateLimit", false);
    QTest::newRow("outcome unknown") << int(ErrorKind::OutcomeUnknown) << QString() << true;
    QTest::newRow("timeout") << int(ErrorKind::Timeout) << QString() << true;
    QTest::newRow("protocol") << int(ErrorKind::Protocol) << QString() << true;
    QTest::newRow("not sent") << int(ErrorKind::NotSent) << QString() << false;
    QTest::newRow("cancelled") << int(ErrorKind::Cancelled) << QString() << false;
    QTest::newRow("rate limited (client)") << int(ErrorKind::RateLimited) << QString() << false;
    QTest::newRow("invalid input") << int(ErrorKind::InvalidInput) << QString() << false;
}

void TestCircuitBreaker::whatCounts()
{
    QFETCH(int, kind);
    QFETCH(QString, code);
    QFETCH(bool, counts);
    const Error e = Error::make(ErrorKind(kind), code, QStringLiteral("m"));
    QCOMPARE(CircuitBreaker::countsAsFault(e), counts);

    // And the breaker acts on it: three of them open a threshold-3 breaker only if they count.
    Test::FakeClock clock;
    CircuitBreaker b(QStringLiteral("CR1/buy"), config(3, 1000), clock);
    for (int i = 0; i < 3; ++i) {
        QVERIFY(b.allowRequest());
        b.recordFailure(e);
    }
    QCOMPARE(b.state(), counts ? State::Open : State::Closed);
}

void TestCircuitBreaker::opensAfterConsecutiveFaults()
{
    Test::FakeClock clock;
    CircuitBreaker b(QStringLiteral("CR1/buy"), config(3, 5000), clock);
    QSignalSpy spy(&b, &CircuitBreaker::stateChanged);
    QCOMPARE(b.state(), State::Closed);
    b.recordFailure(serverFault());
    b.recordFailure(serverFault());
    QCOMPARE(b.state(), State::Closed);
    QCOMPARE(b.consecutiveFailures(), 2);
    QVERIFY(b.allowRequest());
    b.recordFailure(Error::make(ErrorKind::Timeout, {}, QStringLiteral("no reply in 10 s")));
    QCOMPARE(b.state(), State::Open);
    QVERIFY(!b.allowRequest());
    QCOMPARE(b.retryInMs(), 5000);
    QCOMPARE(changes(spy), (QList<QPair<State, State>>{{State::Closed, State::Open}}));
    QCOMPARE(b.lastFault()->kind, ErrorKind::Timeout);
}

void TestCircuitBreaker::successResetsTheStreak()
{
    Test::FakeClock clock;
    CircuitBreaker b(QStringLiteral("x"), config(3, 5000), clock);
    b.recordFailure(serverFault());
    b.recordFailure(serverFault());
    b.recordSuccess();
    QCOMPARE(b.consecutiveFailures(), 0);
    b.recordFailure(serverFault());
    b.recordFailure(serverFault());
    QCOMPARE(b.state(), State::Closed);
    b.recordFailure(serverFault());
    QCOMPARE(b.state(), State::Open);
}

void TestCircuitBreaker::neutralErrorsNeitherCountNorReset_data()
{
    QTest::addColumn<QString>("code");
    QTest::newRow("InvalidContractProposal") << "InvalidContractProposal";
    QTest::newRow("InputValidationFailed") << "InputValidationFailed";
    QTest::newRow("RateLimit") << "RateLimit";
}

void TestCircuitBreaker::neutralErrorsNeitherCountNorReset()
{
    QFETCH(QString, code);
    Test::FakeClock clock;
    CircuitBreaker b(QStringLiteral("x"), config(3, 5000), clock);
    for (int i = 0; i < 20; ++i)
        b.recordFailure(Error::broker(code, QStringLiteral("client side")));
    QCOMPARE(b.state(), State::Closed);
    QCOMPARE(b.consecutiveFailures(), 0);
    b.recordFailure(serverFault());
    b.recordFailure(serverFault());
    b.recordFailure(Error::broker(code, QStringLiteral("client side")));
    QCOMPARE(b.consecutiveFailures(), 2);
    b.recordFailure(serverFault());
    QCOMPARE(b.state(), State::Open);
}

void TestCircuitBreaker::coolDownThenSingleProbe()
{
    Test::FakeClock clock;
    CircuitBreaker b(QStringLiteral("x"), config(1, 5000), clock);
    QSignalSpy spy(&b, &CircuitBreaker::stateChanged);
    b.recordFailure(serverFault());
    QCOMPARE(b.state(), State::Open);
    clock.advance(4999);
    QVERIFY(!b.allowRequest());
    QCOMPARE(b.retryInMs(), 1);
    // Wall-clock jumps do not matter: the cool-down runs on the monotonic clock.
    clock.jumpWall(3'600'000);
    QVERIFY(!b.allowRequest());
    clock.advance(1);
    QCOMPARE(b.state(), State::HalfOpen);
    QCOMPARE(b.retryInMs(), 0);
    QVERIFY(b.allowRequest());  // the probe
    QVERIFY(!b.allowRequest()); // only one
    QVERIFY(!b.allowRequest());
    QCOMPARE(b.state(), State::HalfOpen);
    QCOMPARE(changes(spy),
             (QList<QPair<State, State>>{{State::Closed, State::Open}, {State::Open, State::HalfOpen}}));
}

void TestCircuitBreaker::probeSuccessCloses()
{
    Test::FakeClock clock;
    CircuitBreaker b(QStringLiteral("x"), config(2, 1000), clock);
    QSignalSpy spy(&b, &CircuitBreaker::stateChanged);
    b.recordFailure(serverFault());
    b.recordFailure(serverFault());
    clock.advance(1000);
    QVERIFY(b.allowRequest());
    b.recordSuccess();
    QCOMPARE(b.state(), State::Closed);
    QCOMPARE(b.consecutiveFailures(), 0);
    QVERIFY(!b.lastFault());
    QVERIFY(b.allowRequest());
    QVERIFY(b.allowRequest());
    // Closed again means the full threshold is needed to re-open.
    b.recordFailure(serverFault());
    QCOMPARE(b.state(), State::Closed);
    QCOMPARE(changes(spy), (QList<QPair<State, State>>{{State::Closed, State::Open},
                                                       {State::Open, State::HalfOpen},
                                                       {State::HalfOpen, State::Closed}}));
}

void TestCircuitBreaker::probeFaultReopensAndRestartsCoolDown()
{
    Test::FakeClock clock;
    CircuitBreaker b(QStringLiteral("x"), config(2, 1000), clock);
    QSignalSpy spy(&b, &CircuitBreaker::stateChanged);
    b.recordFailure(serverFault());
    b.recordFailure(serverFault());
    clock.advance(1500);
    QVERIFY(b.allowRequest());
    b.recordFailure(Error::make(ErrorKind::OutcomeUnknown, {}, QStringLiteral("socket dropped")));
    QCOMPARE(b.state(), State::Open); // one fault is enough in HalfOpen
    QCOMPARE(b.retryInMs(), 1000);    // counted from the probe's failure, not the first opening
    clock.advance(999);
    QVERIFY(!b.allowRequest());
    clock.advance(1);
    QVERIFY(b.allowRequest());
    QCOMPARE(changes(spy), (QList<QPair<State, State>>{{State::Closed, State::Open},
                                                       {State::Open, State::HalfOpen},
                                                       {State::HalfOpen, State::Open},
                                                       {State::Open, State::HalfOpen}}));
}

void TestCircuitBreaker::neutralProbeFreesTheSlot()
{
    Test::FakeClock clock;
    CircuitBreaker b(QStringLiteral("x"), config(1, 1000), clock);
    b.recordFailure(serverFault());
    clock.advance(1000);
    QVERIFY(b.allowRequest());
    QVERIFY(!b.allowRequest());
    b.recordFailure(clientError()); // says nothing about the server's health
    QCOMPARE(b.state(), State::HalfOpen);
    QVERIFY(b.allowRequest()); // another probe may go
    QVERIFY(!b.allowRequest());
    b.recordFailure(Error::make(ErrorKind::NotSent, QStringLiteral("GateHalted"), QStringLiteral("not sent")));
    QVERIFY(b.allowRequest());
    b.recordSuccess();
    QCOMPARE(b.state(), State::Closed);
}

void TestCircuitBreaker::notSentFreesTheProbe()
{
    Test::FakeClock clock;
    CircuitBreaker b(QStringLiteral("x"), config(1, 1000), clock);
    b.recordFailure(serverFault());
    clock.advance(1000);
    QVERIFY(b.admit().ok()); // the probe slot is taken...
    QVERIFY(!b.allowRequest());
    b.recordNotSent(); // ...but a limit check stopped the buy before it was sent
    QCOMPARE(b.state(), State::HalfOpen);
    QVERIFY(b.allowRequest());
    // In Closed, not-sent changes nothing.
    b.recordSuccess();
    b.recordNotSent();
    QCOMPARE(b.state(), State::Closed);
    QCOMPARE(b.consecutiveFailures(), 0);
}

void TestCircuitBreaker::lostProbeTimesOut()
{
    Test::FakeClock clock;
    CircuitBreaker::Config c = config(1, 1000);
    c.probeTimeoutMs = 5000;
    CircuitBreaker b(QStringLiteral("x"), c, clock);
    b.recordFailure(serverFault());
    clock.advance(1000);
    QVERIFY(b.allowRequest()); // a probe whose result is never reported
    clock.advance(4999);
    QVERIFY(!b.allowRequest());
    clock.advance(1);
    QVERIFY(b.allowRequest()); // presumed lost: the next request probes
    QVERIFY(!b.allowRequest());
    b.recordSuccess();
    QCOMPARE(b.state(), State::Closed);
}

void TestCircuitBreaker::lateResultsWhileOpenAreIgnored()
{
    Test::FakeClock clock;
    CircuitBreaker b(QStringLiteral("x"), config(1, 1000), clock);
    b.recordFailure(serverFault());
    clock.advance(600);
    b.recordSuccess(); // a reply to a request sent before it opened
    QCOMPARE(b.state(), State::Open);
    b.recordFailure(serverFault()); // must not extend the cool-down
    QCOMPARE(b.retryInMs(), 400);
    clock.advance(400);
    QVERIFY(b.allowRequest());
}

void TestCircuitBreaker::refreshEmitsHalfOpen()
{
    Test::FakeClock clock;
    CircuitBreaker b(QStringLiteral("x"), config(1, 1000), clock);
    b.recordFailure(serverFault());
    QSignalSpy spy(&b, &CircuitBreaker::stateChanged);
    clock.advance(1000);
    QCOMPARE(b.state(), State::HalfOpen); // reported already
    QCOMPARE(spy.count(), 0);             // but taken lazily
    b.refresh();
    QCOMPARE(changes(spy), (QList<QPair<State, State>>{{State::Open, State::HalfOpen}}));
    b.refresh();
    QCOMPARE(spy.count(), 1);
    QVERIFY(b.allowRequest());
}

void TestCircuitBreaker::admitExplainsRefusal()
{
    Test::FakeClock clock;
    CircuitBreaker b(QStringLiteral("CR90/proposal"), config(2, 30'000), clock);
    QVERIFY(b.admit().ok());
    b.recordFailure(serverFault());
    b.recordFailure(serverFault());
    clock.advance(10'500);
    const Result<void> r = b.admit();
    QVERIFY(!r.ok());
    QCOMPARE(r.error().kind, ErrorKind::NotSent);
    QCOMPARE(r.error().code, QStringLiteral("CircuitOpen"));
    QVERIFY2(r.error().message.contains(QLatin1String("CR90/proposal")), qPrintable(r.error().message));
    QVERIFY2(r.error().message.contains(QLatin1String("InternalServerError")), qPrintable(r.error().message));
    QVERIFY2(r.error().message.contains(QLatin1String("retry in 20 s")), qPrintable(r.error().message));
    QCOMPARE(r.error().details.value(QLatin1String("retry_in_ms")).toInteger(), 19'500);
    clock.advance(19'500);
    QVERIFY(b.admit().ok());
    const Result<void> busy = b.admit();
    QVERIFY(!busy.ok());
    QVERIFY(busy.error().message.contains(QLatin1String("probe")));
}

void TestCircuitBreaker::exactlyOneConcurrentProbe()
{
    constexpr int threads = 8;
    for (int round = 0; round < 200; ++round) {
        Test::FakeClock clock;
        CircuitBreaker b(QStringLiteral("x"), config(1, 10), clock);
        b.recordFailure(serverFault());
        clock.advance(10);
        std::atomic<int> granted{0};
        std::latch start(threads);
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t) {
            pool.emplace_back([&] {
                start.arrive_and_wait();
                if (b.allowRequest())
                    ++granted;
            });
        }
        for (std::thread &t : pool)
            t.join();
        QCOMPARE(granted.load(), 1);
        QCOMPARE(b.state(), State::HalfOpen);
    }
}

QTEST_APPLESS_MAIN(TestCircuitBreaker)
#include "tst_circuitbreaker.moc"
