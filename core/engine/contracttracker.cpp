// SPDX-License-Identifier: GPL-3.0-or-later
#include "contracttracker.h"

#include <algorithm>

#include <QJsonObject>
#include <QList>
#include <QTimer>

#include "deriv/derivclient.h"
#include "deriv/derivfields.h"
#include "health/clock.h"
#include "health/logcategories.h"

namespace Vigil {

namespace {

QJsonObject openContractRequest(qint64 contractId)
{
    return QJsonObject{{QStringLiteral("proposal_open_contract"), 1}, {QStringLiteral("contract_id"), contractId}};
}

bool isSold(const QJsonObject &poc)
{
    return DerivFields::flag(poc.value(QLatin1String("is_sold"))).value_or(false);
}

// Past its expiry and settleable, yet not settled: the server should settle it by itself.
bool isExpiredUnsettled(const QJsonObject &poc)
{
    return DerivFields::flag(poc.value(QLatin1String("is_expired"))).value_or(false)
        && DerivFields::flag(poc.value(QLatin1String("is_settleable"))).value_or(false) && !isSold(poc);
}

} // namespace

ContractTracker::ContractTracker(DerivClient *client, int moneyDigits, QObject *parent)
    : ContractTracker(client, moneyDigits, Options(), parent)
{
}

ContractTracker::ContractTracker(DerivClient *client, int moneyDigits, Options options, QObject *parent)
    : QObject(parent), m_client(client), m_digits(moneyDigits), m_options(options)
{
    // A session that comes back (a fresh open()) resumes whatever was left waiting for it.
    connect(m_client, &DerivClient::ready, this, &ContractTracker::resume);
    if (m_options.silenceQueryMs > 0) {
        m_silenceTimer = new QTimer(this);
        m_silenceTimer->setInterval(std::max(1, m_options.silenceQueryMs / 4));
        connect(m_silenceTimer, &QTimer::timeout, this, &ContractTracker::checkSilence);
    }
}

ContractTracker::~ContractTracker()
{
    for (Followed &f : m_followed)
        dropStream(f);
}

bool ContractTracker::isParked(qint64 contractId) const
{
    const auto it = m_followed.constFind(contractId);
    return it != m_followed.cend() && it->parked;
}

qint64 ContractTracker::nowMs() const
{
    return (m_options.clock ? m_options.clock : &Clock::system())->monotonicMs();
}

int ContractTracker::backoffMs(int attempt) const
{
    const int shift = std::clamp(attempt - 1, 0, 20);
    const qint64 ms = qint64(std::max(1, m_options.retryInitialMs)) << shift;
    return int(std::min<qint64>(ms, std::max(1, m_options.retryMaxMs)));
}

void ContractTracker::dropStream(Followed &f)
{
    if (f.streamKey)
        m_client->unsubscribe(f.streamKey);
    f.streamKey = 0;
}

void ContractTracker::follow(qint64 localId, qint64 contractId)
{
    if (contractId <= 0 || m_followed.contains(contractId))
        return;
    Followed f;
    f.localId = localId;
    f.entry = ++m_nextEntry;
    f.lastHeardMs = nowMs();
    m_followed.insert(contractId, f);
    if (m_silenceTimer && !m_silenceTimer->isActive())
        m_silenceTimer->start();
    subscribeStream(contractId);
}

void ContractTracker::checkSilence()
{
    if (m_followed.isEmpty()) {
        m_silenceTimer->stop();
        return;
    }
    // The stream of an open contract speaks at every tick. Silence means its sold message was lost (the server
    // ends the stream after it) or the server stopped the stream without a word: ask for the contract.
    const DerivClient::State state = m_client->state();
    if (state == DerivClient::State::Failed || state == DerivClient::State::Closed)
        return; // nobody to ask; resume() picks the contracts up when a session is ready again
    const qint64 t = nowMs();
    QList<qint64> silent;
    for (auto it = m_followed.begin(); it != m_followed.end(); ++it) {
        if (it->parked || it->querying || it->waiting || t - it->lastHeardMs < m_options.silenceQueryMs)
            continue;
        it->lastHeardMs = t; // once per silence interval
        silent.append(it.key());
    }
    for (qint64 id : std::as_const(silent)) {
        qCInfo(lcEngine) << "nothing heard about contract" << id << "for" << m_options.silenceQueryMs << "ms: asking for it";
        query(id);
    }
}

void ContractTracker::forget(qint64 contractId)
{
    auto it = m_followed.find(contractId);
    if (it == m_followed.end())
        return;
    dropStream(*it);
    m_followed.erase(it);
}

void ContractTracker::subscribeStream(qint64 contractId)
{
    auto it = m_followed.find(contractId);
    if (it == m_followed.end())
        return;
    const quint64 entry = it->entry;
    const auto onEvent = [this, contractId, entry](const DerivClient::StreamEvent &ev) {
        auto f = m_followed.find(contractId);
        if (f == m_followed.end() || f->entry != entry)
            return;
        switch (ev.kind) {
        case DerivClient::StreamEvent::Kind::Message: {
            f->lastHeardMs = nowMs();
            const QJsonObject poc = ev.message.value(QLatin1String("proposal_open_contract")).toObject();
            if (isSold(poc))
                onFinal(contractId, poc);
            else
                onOpenMessage(contractId, poc);
            break;
        }
        case DerivClient::StreamEvent::Kind::Reconnected:
            break;
        case DerivClient::StreamEvent::Kind::Ended:
            // The stream ended without a sold message we could use: ask for the contract's truth.
            f->streamKey = 0;
            if (!f->querying && !f->waiting && !f->parked)
                query(contractId);
            break;
        case DerivClient::StreamEvent::Kind::Failed:
            f->streamKey = 0;
            onFollowFailed(contractId, ev.error);
            break;
        }
    };
    it->streamKey = m_client->subscribe(openContractRequest(contractId), this, onEvent);
}

void ContractTracker::onOpenMessage(qint64 contractId, const QJsonObject &poc)
{
    auto it = m_followed.find(contractId);
    if (it == m_followed.end())
        return;
    // The stream carries the contract again: the outage (if any) is over.
    it->failures = 0;
    it->lostReported = false;
    if (!isExpiredUnsettled(poc)) {
        it->expiredSinceMs = -1;
    } else if (it->expiredSinceMs < 0) {
        it->expiredSinceMs = nowMs();
        const quint64 entry = it->entry;
        QTimer::singleShot(std::max(1, m_options.sellExpiredAfterMs), this, [this, contractId, entry] {
            const auto f = m_followed.constFind(contractId);
            if (f != m_followed.cend() && f->entry == entry)
                checkExpired(contractId);
        });
    }
    Q_EMIT contractUpdated(it->localId, poc);
}

void ContractTracker::checkExpired(qint64 contractId)
{
    auto it = m_followed.find(contractId);
    if (it == m_followed.end() || it->expiredSinceMs < 0 || it->parked)
        return; // settled, forgotten, or no longer in that state
    const qint64 stuckMs = nowMs() - it->expiredSinceMs;
    const int interval = std::max(1, m_options.sellExpiredAfterMs);
    const quint64 entry = it->entry;
    const auto again = [this, contractId, entry](qint64 ms) {
        QTimer::singleShot(int(std::max<qint64>(1, ms)), this, [this, contractId, entry] {
            const auto f = m_followed.constFind(contractId);
            if (f != m_followed.cend() && f->entry == entry)
                checkExpired(contractId);
        });
    };
    if (stuckMs < interval) {
        again(interval - stuckMs);
        return;
    }
    qCWarning(lcEngine) << "contract" << contractId << "expired and settleable but unsettled for" << stuckMs
                        << "ms: asking the server to settle expired contracts";
    it->expiredSinceMs = nowMs(); // look again one interval from now if it is still stuck
    again(interval);
    sellExpired();
}

void ContractTracker::sellExpired()
{
    // sell_expired settles every expired contract of the account: one request per interval covers them all.
    const qint64 t = nowMs();
    if (m_sellExpiredInFlight || (m_lastSellExpiredMs >= 0 && t - m_lastSellExpiredMs < m_options.sellExpiredAfterMs))
        return;
    m_lastSellExpiredMs = t;
    m_sellExpiredInFlight = true;
    m_client->send(QJsonObject{{QStringLiteral("sell_expired"), 1}}, this, [this](const Result<QJsonObject> &reply) {
        m_sellExpiredInFlight = false;
        if (!reply.ok())
            qCWarning(lcEngine) << "sell_expired failed:" << reply.error().toString();
        else
            qCInfo(lcEngine) << "sell_expired settled"
                             << reply->value(QLatin1String("sell_expired")).toObject().value(QLatin1String("count")).toInteger()
                             << "contract(s)";
        // Whatever it did, ask for the truth of every contract that was stuck.
        QList<qint64> stuck;
        for (auto it = m_followed.cbegin(); it != m_followed.cend(); ++it) {
            if (it->expiredSinceMs >= 0 && !it->querying && !it->parked)
                stuck.append(it.key());
        }
        for (qint64 id : std::as_const(stuck))
            query(id);
    });
}

void ContractTracker::onFinal(qint64 contractId, const QJsonObject &poc)
{
    auto it = m_followed.find(contractId);
    if (it == m_followed.end() || it->parked)
        return;
    dropStream(*it); // a sold contract's stream ends anyway
    const std::optional<ContractSettlement> outcome = ContractSettlement::fromOpenContract(poc, m_digits, contractId);
    if (outcome) {
        const qint64 localId = it->localId;
        m_followed.erase(it);
        Q_EMIT contractSettled(localId, *outcome);
        return;
    }
    ++it->finalQueries;
    if (it->finalQueries <= m_options.maxFinalQueries) {
        qCWarning(lcEngine) << "contract" << contractId << "reported sold without readable figures; querying again ("
                            << it->finalQueries << "of" << m_options.maxFinalQueries << ')';
        scheduleRetry(contractId, backoffMs(it->finalQueries));
        return;
    }
    // Bounded: the server keeps saying "sold" without the numbers. Reconciliation reads profit_table instead.
    it->parked = true;
    it->waiting = false;
    ++it->timerGen;
    Error e = Error::make(ErrorKind::Protocol, QStringLiteral("IncompleteSettlement"),
                          QStringLiteral("contract %1 reported sold %2 times without readable buy/sell figures; left to "
                                         "reconciliation")
                              .arg(contractId)
                              .arg(it->finalQueries));
    e.msgType = QStringLiteral("proposal_open_contract");
    const qint64 localId = it->localId;
    Q_EMIT contractLost(localId, contractId, e);
}

void ContractTracker::onFollowFailed(qint64 contractId, const Error &error)
{
    auto it = m_followed.find(contractId);
    if (it == m_followed.end() || it->parked)
        return;
    ++it->failures;
    const DerivClient::State s = m_client->state();
    const bool sessionOver = s == DerivClient::State::Failed || s == DerivClient::State::Closed;
    qCWarning(lcEngine).noquote() << "following contract" << contractId << "failed (" << it->failures << "in a row):"
                                  << error.toString() << (sessionOver ? "- session over, waiting for it" : "- retrying");
    const bool report = !it->lostReported && (sessionOver || it->failures >= m_options.lostAfterFailures);
    if (report)
        it->lostReported = true;
    if (!sessionOver)
        scheduleRetry(contractId, backoffMs(it->failures)); // else resume() picks it up when a session is ready
    if (report)
        Q_EMIT contractLost(it->localId, contractId, error);
}

void ContractTracker::scheduleRetry(qint64 contractId, int delayMs)
{
    auto it = m_followed.find(contractId);
    if (it == m_followed.end())
        return;
    it->waiting = true;
    const quint64 gen = ++it->timerGen;
    const quint64 entry = it->entry;
    QTimer::singleShot(delayMs, this, [this, contractId, entry, gen] {
        auto f = m_followed.find(contractId);
        if (f == m_followed.end() || f->entry != entry || f->timerGen != gen || !f->waiting)
            return;
        f->waiting = false;
        query(contractId);
    });
}

void ContractTracker::resume()
{
    QList<qint64> idle;
    for (auto it = m_followed.begin(); it != m_followed.end(); ++it) {
        if (!it->parked && it->streamKey == 0 && !it->querying) {
            it->waiting = false;
            ++it->timerGen;
            idle.append(it.key());
        }
    }
    for (qint64 id : std::as_const(idle))
        query(id);
}

void ContractTracker::query(qint64 contractId)
{
    auto it = m_followed.find(contractId);
    if (it == m_followed.end() || it->parked)
        return;
    it->querying = true;
    const quint64 entry = it->entry;
    DerivClient::RequestOptions opts;
    opts.resendAfterReconnect = true;
    m_client->send(openContractRequest(contractId), this, [this, contractId, entry](const Result<QJsonObject> &reply) {
        auto f = m_followed.find(contractId);
        if (f == m_followed.end() || f->entry != entry)
            return;
        f->querying = false;
        f->lastHeardMs = nowMs();
        if (f->parked)
            return;
        if (!reply.ok()) {
            if (f->streamKey == 0)
                onFollowFailed(contractId, reply.error());
            return; // a live stream still follows it
        }
        const QJsonObject poc = reply->value(QLatin1String("proposal_open_contract")).toObject();
        if (isSold(poc)) {
            onFinal(contractId, poc);
            return;
        }
        // Still open. Failures are only forgiven when a stream delivers again, so a subscribe that keeps
        // failing backs off instead of looping at the first delay.
        if (!isExpiredUnsettled(poc))
            f->expiredSinceMs = -1;
        if (f->streamKey == 0)
            subscribeStream(contractId);
    }, opts);
}

} // namespace Vigil
