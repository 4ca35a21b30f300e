// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QJsonObject>
#include <QObject>

#include "engine/contractsettlement.h"
#include "health/error.h"

class QTimer;

namespace Vigil {

class Clock;
class DerivClient;

// Follows open contracts of one account until they settle: one proposal_open_contract subscription per
// contract on the account's DerivClient (which restores them after a reconnect).
//
// A contract is never dropped while it may be open: only a settlement or forget() removes it. When its
// stream fails (a lost subscribe reply, repeated rate limits, an error mid-stream) the tracker asks for the
// contract once and subscribes again, with capped exponential backoff; after `lostAfterFailures`
// consecutive failures it also reports contractLost (reconciliation is asked to look) and keeps trying.
// A sold message whose figures cannot be read is queried again at most `maxFinalQueries` times; then the
// contract is parked for reconciliation (contractLost; no more queries; forget() removes it). A contract
// the server leaves expired and settleable but unsettled for `sellExpiredAfterMs` gets {"sell_expired":1}
// (at most once per interval for the account) and is queried again. A contract nothing was heard about for
// `silenceQueryMs` (its sold message lost while the socket stayed up, or a stream the server stopped without
// a word) is queried too.
// Lives on the account thread with its client; signals are emitted on that thread.
class ContractTracker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ContractTracker)

public:
    struct Options
    {
        int retryInitialMs = 1000;       // first re-follow after a failed stream; doubles per failure
        int retryMaxMs = 60000;          // backoff cap
        int lostAfterFailures = 3;       // consecutive failures before contractLost (once per outage)
        int maxFinalQueries = 3;         // queries for a sold contract's missing figures before parking it
        int sellExpiredAfterMs = 30000;  // expired + settleable without settling this long → sell_expired
        int silenceQueryMs = 20000;      // no message about a contract this long → ask for it (a lost sold
                                         // message, a stream the server stopped silently); <= 0 = never
        Clock *clock = nullptr;          // default Clock::system(); must outlive the tracker
    };

    // `client` is not owned and must outlive the tracker.
    explicit ContractTracker(DerivClient *client, int moneyDigits = 2, QObject *parent = nullptr);
    ContractTracker(DerivClient *client, int moneyDigits, Options options, QObject *parent = nullptr);
    ~ContractTracker() override;

    // Starts following; a contract already followed (or parked) is not subscribed twice.
    void follow(qint64 localId, qint64 contractId);
    // Stops following (reconciliation settled it, or it failed): no more signals for it.
    void forget(qint64 contractId);
    bool isFollowing(qint64 contractId) const { return m_followed.contains(contractId); }
    // Sold with figures the server never completed: waiting for reconciliation (still counted as followed).
    bool isParked(qint64 contractId) const;
    int count() const { return int(m_followed.size()); }

Q_SIGNALS:
    // Every update of an open contract (bid price, current spot, validity to sell).
    void contractUpdated(qint64 localId, const QJsonObject &openContract);
    // The contract is sold or expired and settled: the figures are the server's.
    void contractSettled(qint64 localId, const Vigil::ContractSettlement &settlement);
    // Following it is interrupted (its stream keeps failing, the session ended, or its final figures never
    // came): reconciliation must resolve it. The tracker keeps the contract and, unless it is parked or the
    // session is over, keeps trying to follow it.
    void contractLost(qint64 localId, qint64 contractId, const Vigil::Error &error);

private:
    struct Followed
    {
        qint64 localId = 0;
        quint64 entry = 0;        // unique per follow(): late callbacks of a forgotten entry are ignored
        quint64 timerGen = 0;     // a scheduled retry / expiry check is valid only for the current value
        quint64 streamKey = 0;
        bool querying = false;    // a one-shot proposal_open_contract is in flight
        bool waiting = false;     // a retry is scheduled
        bool parked = false;
        bool lostReported = false;
        int failures = 0;         // consecutive failures to follow it
        int finalQueries = 0;     // queries made because a sold message lacked figures
        qint64 expiredSinceMs = -1; // monotonic: first seen expired + settleable and unsold
        qint64 lastHeardMs = 0;     // monotonic: follow(), or the last message or answer about it
    };
    void subscribeStream(qint64 contractId);
    void onOpenMessage(qint64 contractId, const QJsonObject &poc);
    void onFinal(qint64 contractId, const QJsonObject &poc);
    void onFollowFailed(qint64 contractId, const Error &error);
    void query(qint64 contractId);
    void scheduleRetry(qint64 contractId, int delayMs);
    void resume();
    void checkExpired(qint64 contractId);
    void checkSilence();
    void sellExpired();
    void dropStream(Followed &f);
    int backoffMs(int attempt) const;
    qint64 nowMs() const;

    DerivClient *m_client;
    int m_digits;
    Options m_options;
    QHash<qint64, Followed> m_followed; // by contract id
    quint64 m_nextEntry = 0;
    qint64 m_lastSellExpiredMs = -1;    // monotonic
    bool m_sellExpiredInFlight = false;
    QTimer *m_silenceTimer = nullptr;
};

} // namespace Vigil
