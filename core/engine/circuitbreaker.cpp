// SPDX-License-Identifier: GPL-3.0-or-later
#include "circuitbreaker.h"

#include <algorithm>

#include <QMutexLocker>

#include "health/logcategories.h"

namespace Vigil {

CircuitBreaker::CircuitBreaker(const QString &name, Config config, Clock &clock, QObject *parent)
    : QObject(parent), m_name(name), m_config(config), m_clock(clock)
{
    Q_ASSERT(config.failureThreshold >= 1);
    Q_ASSERT(config.coolDownMs >= 0);
    Q_ASSERT(config.probeTimeoutMs >= 1);
}

CircuitBreaker::~CircuitBreaker() = default;

bool CircuitBreaker::countsAsFault(const Error &error)
{
    switch (error.kind) {
    case ErrorKind::OutcomeUnknown:
    case ErrorKind::Timeout:
    case ErrorKind::Protocol:
        return true;
    case ErrorKind::Broker:
        return error.code == QLatin1String("InternalServerError") || error.code == QLatin1String("WrongResponse")
            || error.code == QLatin1String("CallError") || error.code == QLatin1String("GetProposalFailure");
    default:
        return false;
    }
}

QString CircuitBreaker::stateName(State state)
{
    switch (state) {
    case State::Closed: return QStringLiteral("closed");
    case State::Open: return QStringLiteral("open");
    case State::HalfOpen: return QStringLiteral("half_open");
    }
    Q_UNREACHABLE();
    return {};
}

std::optional<CircuitBreaker::Change> CircuitBreaker::setStateLocked(State to)
{
    if (m_state == to)
        return std::nullopt;
    const Change c{m_state, to};
    m_state = to;
    return c;
}

std::optional<CircuitBreaker::Change> CircuitBreaker::refreshLocked()
{
    if (m_state == State::Open && m_clock.monotonicMs() - m_openedAtMs >= m_config.coolDownMs) {
        m_probeInFlight = false;
        return setStateLocked(State::HalfOpen);
    }
    return std::nullopt;
}

void CircuitBreaker::notify(std::optional<Change> change)
{
    if (!change)
        return;
    qCInfo(lcEngine).noquote() << "circuit breaker" << m_name << stateName(change->from) << "->" << stateName(change->to);
    Q_EMIT stateChanged(change->from, change->to);
}

bool CircuitBreaker::allowRequest()
{
    return admit().ok();
}

Result<void> CircuitBreaker::admit()
{
    std::optional<Change> change;
    std::optional<Error> refusal;
    {
        QMutexLocker lock(&m_mutex);
        change = refreshLocked();
        switch (m_state) {
        case State::Closed:
            break;
        case State::HalfOpen:
            if (!m_probeInFlight || m_clock.monotonicMs() - m_probeStartedMs >= m_config.probeTimeoutMs) {
                if (m_probeInFlight)
                    qCWarning(lcEngine).noquote() << "circuit breaker" << m_name << "probe never reported; probing again";
                m_probeInFlight = true;
                m_probeStartedMs = m_clock.monotonicMs();
                break;
            }
            [[fallthrough]];
        case State::Open: {
            const qint64 left = m_state == State::Open
                ? std::max<qint64>(0, m_config.coolDownMs - (m_clock.monotonicMs() - m_openedAtMs))
                : 0;
            QString message = m_state == State::HalfOpen
                ? QStringLiteral("%1: recovering from server faults; a probe request is already in flight").arg(m_name)
                : QStringLiteral("%1: paused after %2 consecutive server faults, retry in %3 s")
                      .arg(m_name)
                      .arg(m_failures)
                      .arg((left + 999) / 1000);
            if (m_lastFault)
                message += QStringLiteral(" (last: ") + m_lastFault->toString() + u')';
            Error e = Error::make(ErrorKind::NotSent, QStringLiteral("CircuitOpen"), message);
            e.details.insert(QStringLiteral("breaker"), m_name);
            e.details.insert(QStringLiteral("state"), stateName(m_state));
            e.details.insert(QStringLiteral("retry_in_ms"), left);
            refusal = std::move(e);
            break;
        }
        }
    }
    notify(change);
    if (refusal)
        return *refusal;
    return {};
}

void CircuitBreaker::recordSuccess()
{
    std::optional<Change> change;
    {
        QMutexLocker lock(&m_mutex);
        switch (m_state) {
        case State::Closed:
            m_failures = 0;
            break;
        case State::Open:
            break; // a late reply to a request sent before the breaker opened
        case State::HalfOpen:
            m_failures = 0;
            m_probeInFlight = false;
            m_lastFault.reset();
            change = setStateLocked(State::Closed);
            break;
        }
    }
    notify(change);
}

void CircuitBreaker::recordFailure(const Error &error)
{
    const bool fault = countsAsFault(error);
    std::optional<Change> change;
    {
        QMutexLocker lock(&m_mutex);
        switch (m_state) {
        case State::Closed:
            if (fault) {
                m_lastFault = error;
                if (++m_failures >= m_config.failureThreshold) {
                    m_openedAtMs = m_clock.monotonicMs();
                    change = setStateLocked(State::Open);
                }
            }
            break;
        case State::Open:
            break; // late result; the cool-down is not extended by requests sent before it opened
        case State::HalfOpen:
            m_probeInFlight = false;
            if (fault) {
                m_lastFault = error;
                ++m_failures;
                m_openedAtMs = m_clock.monotonicMs();
                change = setStateLocked(State::Open);
            }
            break;
        }
    }
    notify(change);
}

void CircuitBreaker::recordNotSent()
{
    recordFailure(Error::make(ErrorKind::NotSent, QStringLiteral("NotSent"), QStringLiteral("request not sent")));
}

void CircuitBreaker::refresh()
{
    std::optional<Change> change;
    {
        QMutexLocker lock(&m_mutex);
        change = refreshLocked();
    }
    notify(change);
}

CircuitBreaker::State CircuitBreaker::state() const
{
    QMutexLocker lock(&m_mutex);
    if (m_state == State::Open && m_clock.monotonicMs() - m_openedAtMs >= m_config.coolDownMs)
        return State::HalfOpen;
    return m_state;
}

int CircuitBreaker::consecutiveFailures() const
{
    QMutexLocker lock(&m_mutex);
    return m_failures;
}

qint64 CircuitBreaker::retryInMs() const
{
    QMutexLocker lock(&m_mutex);
    if (m_state != State::Open)
        return 0;
    return std::max<qint64>(0, m_config.coolDownMs - (m_clock.monotonicMs() - m_openedAtMs));
}

std::optional<Error> CircuitBreaker::lastFault() const
{
    QMutexLocker lock(&m_mutex);
    return m_lastFault;
}

} // namespace Vigil
