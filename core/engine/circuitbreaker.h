// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QMutex>
#include <QObject>
#include <QString>

#include "health/clock.h"
#include "health/error.h"
#include "health/result.h"

namespace Vigil {

struct CircuitBreakerConfig
{
    int failureThreshold = 5;   // consecutive faults that open the breaker, >= 1
    qint64 coolDownMs = 30'000; // how long it stays open before a probe, >= 0
    // A probe that has not reported (success, failure or not-sent) within this time is presumed lost and
    // its slot is given to the next request, so a forgotten report cannot wedge the breaker. >= 1.
    qint64 probeTimeoutMs = 60'000;
};

// Stops hammering a failing server: one breaker per account and call ("CR123/buy").
//
//   Closed   – requests pass; `failureThreshold` consecutive faults open it.
//   Open     – requests are refused for `coolDownMs` (monotonic clock) after the last fault.
//   HalfOpen – after the cool-down exactly one request (the probe) is let through; its success closes the
//              breaker, its fault re-opens it and restarts the cool-down. A probe that ends with a neutral
//              error (below) or recordNotSent() frees the slot for another probe; so does probeTimeoutMs
//              without any report.
//
// Every allowRequest()/admit() that returned true must be followed by exactly one of recordSuccess(),
// recordFailure() or recordNotSent() — including when a later check (limits, locks, gate) stops the
// request before it is sent. Otherwise a HalfOpen breaker keeps refusing until the probe times out.
//
// What counts (countsAsFault): server faults and lost replies –
//   ErrorKind::OutcomeUnknown, ErrorKind::Timeout, ErrorKind::Protocol (malformed reply), and Broker errors
//   InternalServerError, WrongResponse, CallError, GetProposalFailure.
// Everything else is neutral: it neither counts nor resets the streak. That includes the client's own
// mistakes and business refusals (InvalidContractProposal, InputValidationFailed, ContractBuyValidationError,
// PriceMoved, InsufficientBalance, InvalidToken, ...), RateLimit (it has its own back-off), and requests
// that never left (NotSent, Cancelled). A success resets the streak.
//
// Results that arrive while Open (replies to requests sent before it opened) are ignored.
// The Open → HalfOpen step is taken lazily by allowRequest()/refresh() (no timer); state() already reports
// HalfOpen once the cool-down has passed.
//
// Thread-safe: every method may be called from any thread. stateChanged is emitted on the thread whose
// call caused the change, after the internal lock is released (connect with a context object; a queued
// connection for another thread).
class CircuitBreaker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CircuitBreaker)

public:
    enum class State { Closed, Open, HalfOpen };
    Q_ENUM(State)

    using Config = CircuitBreakerConfig;

    explicit CircuitBreaker(const QString &name, Config config = {}, Clock &clock = Clock::system(),
                            QObject *parent = nullptr);
    ~CircuitBreaker() override;

    // True if a request may be sent now. In HalfOpen it takes the single probe slot atomically: of several
    // threads asking at once exactly one gets true.
    bool allowRequest();
    // As allowRequest(), with the refusal as an Error (kind NotSent, code "CircuitOpen", message with the
    // breaker name, the last fault and the time left) for the caller to report.
    Result<void> admit();
    void recordSuccess();
    void recordFailure(const Error &error);
    // The request allowed by allowRequest()/admit() was not sent after all (same as a NotSent failure).
    void recordNotSent();
    // Takes the time-driven Open → HalfOpen step now if due (and emits it); for owners with a timer.
    void refresh();

    State state() const;
    int consecutiveFailures() const;
    // Milliseconds until a probe will be allowed; 0 unless Open.
    qint64 retryInMs() const;
    std::optional<Error> lastFault() const;
    const QString &name() const { return m_name; }
    Config config() const { return m_config; }

    static bool countsAsFault(const Error &error);
    static QString stateName(State state);

Q_SIGNALS:
    void stateChanged(Vigil::CircuitBreaker::State from, Vigil::CircuitBreaker::State to);

private:
    struct Change
    {
        State from;
        State to;
    };
    // Each returns the change it made, if any; called with m_mutex held.
    std::optional<Change> setStateLocked(State to);
    std::optional<Change> refreshLocked();
    void notify(std::optional<Change> change);

    const QString m_name;
    const Config m_config;
    Clock &m_clock;

    mutable QMutex m_mutex;
    State m_state = State::Closed;
    int m_failures = 0;
    qint64 m_openedAtMs = 0;
    bool m_probeInFlight = false;
    qint64 m_probeStartedMs = 0;
    std::optional<Error> m_lastFault;
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::CircuitBreakerConfig)
