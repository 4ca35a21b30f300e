// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QString>

#include "engine/contractsettlement.h"
#include "engine/executionpermit.h"
#include "health/result.h"
#include "risk/ledgerusage.h"
#include "risk/reservation.h"
#include "store/trade.h"
#include "strategy/tradeintent.h"

namespace Vigil {

class Bot;
struct DailyUsage;
class CircuitBreaker;
class Clock;
class ContractTracker;
class DerivClient;
class ExecutionLocks;
class Journal;
class LimitLedger;
class OpenContractBook;
class RedisUsageBoard;
class TradingGate;

// Runs one account's trading cycles on the account thread:
//   gate → reconciled? → breaker → limits reserve → account lock, bot lock → limits again, against the journal
//   (every instance sharing it) → journal "pending" (fenced)
//   → buy (the guard re-checks gate and lock validity immediately before the frame is written)
//   → reply: "open" + follow, or "failed", or "unknown" (reply lost: never re-sent; reconciliation decides)
//   → settle → ledger, strategy.
// Every refusal undoes what was reserved; locks are released on every path.
class AccountExecutor final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccountExecutor)

public:
    struct Context
    {
        QString account;   // login id
        QString currency = QStringLiteral("USD");
        int digits = 2;
        QString instanceId;
        int lockTimeoutMs = 5000;
        TradingGate *gate = nullptr;
        LimitLedger *ledger = nullptr;
        ExecutionLocks *locks = nullptr;
        OpenContractBook *book = nullptr;
        DerivClient *client = nullptr;
        Journal *journal = nullptr;
        CircuitBreaker *breaker = nullptr;
        ContractTracker *tracker = nullptr;
        Clock *clock = nullptr;
        // Instances on other journals (other machines or --db files) trading this account too: their usage of its
        // limits, and this journal's, go through Redis. Null: only the journal is shared. Used on this thread.
        RedisUsageBoard *board = nullptr;
    };

    explicit AccountExecutor(Context context, QObject *parent = nullptr);
    ~AccountExecutor() override;

    // A limit refusal that clears by itself when a contract settles (LimitConcurrentOpen, a LimitDailyLoss
    // only due to open stakes): the bot waits, it is not halted.
    static bool isTransientLimit(const Error &error);

    // Starts a cycle for the bot's intent. Refusals arrive as buyRefused (nothing was sent).
    void execute(Bot *bot, const TradeIntent &intent);
    // Buys are allowed only after the account's reconciliation passed (start-up, reconnect, lost reply).
    void setReconciled(bool reconciled) { m_reconciled = reconciled; }
    bool isReconciled() const { return m_reconciled; }

    // The trades whose reply was lost (localId → bot id); they hold their limit reservation until resolved.
    const QHash<qint64, QString> &unknownTrades() const { return m_unknownBots; }
    int inFlight() const { return m_inFlight; }
    // A journal row changed outside the executor (reconciliation): apply it to limits, bots and tracking.
    void applyResolved(const Trade &after, Bot *bot);
    // Contracts already open at start (from the journal): follow them; their settlement frees the ledger.
    void adoptOpen(const Trade &trade, Bot *bot);
    // The tracker's settlement of a contract.
    void onSettled(qint64 localId, const ContractSettlement &settlement, Bot *bot);
    // Reads the account's usage from the journal (other instances' trades too) into the ledger's view.
    void refreshSharedUsage();

Q_SIGNALS:
    void buyRefused(const QString &bot, const Vigil::Error &error);     // nothing was sent
    void buyFailed(const QString &bot, const Vigil::Error &error);      // sent and rejected
    void tradeOpened(const QString &bot, const Vigil::Trade &trade);
    void tradeClosed(const QString &bot, const Vigil::Trade &trade);
    void outcomeUnknown(const QString &bot, qint64 localId, const Vigil::Error &error);
    void limitReached(const Vigil::Error &error);
    void storageFailed(const QString &bot, const Vigil::Error &error);
    void coordinationFailed(const QString &bot, const Vigil::Error &error);

private:
    struct Cycle
    {
        QString bot;
        TradeIntent intent;
        Reservation reservation;
        ExecutionPermit permit;
        qint64 localId = 0;
        QString tag;
    };
    void onPermit(const std::shared_ptr<Cycle> &cycle, const Result<ExecutionPermit> &permit, Bot *bot);
    void onBuyReply(const std::shared_ptr<Cycle> &cycle, const Result<QJsonObject> &reply, Bot *bot);
    Result<void> verifySharedLimits(const Reservation &reservation);
    Result<DailyUsage> readJournalUsage(const QDate &day) const;
    // The journal's usage of the account's limits (every instance on it); with a board, plus every other journal's.
    Result<LedgerUsage> accountUsage();
    // Publishes this journal's share (no board: nothing to do).
    Result<void> shareUsage();
    void shareUsageQuietly();
    void shareUsageSoon(); // queued, coalesced
    void onUnrecordedBuy(const std::shared_ptr<Cycle> &cycle, qint64 contractId, const Error &refusal, Bot *bot);
    bool joinRecordedContract(const std::shared_ptr<Cycle> &cycle, qint64 contractId, Bot *bot);
    void refuse(Bot *bot, const Error &error);
    // ReconcilePending while the account is not reconciled or a buy's outcome is unknown.
    Result<void> checkReconciled() const;
    qint64 settleFence() const;

    Context m_ctx;
    bool m_reconciled = false;
    int m_inFlight = 0;
    int m_buysOnWire = 0; // counted in the book (beginBuy) and not yet answered
    quint64 m_seq = 0;
    bool m_sharePending = false;
    // Contracts bought here and not yet recorded as this journal's in Redis: the next share records them in the same
    // script, so a share without pending buys implies they are recorded.
    QList<qint64> m_unrecordedContracts;
    QHash<qint64, Reservation> m_reservations; // localId → its ledger reservation (bought by this process)
    QHash<qint64, QString> m_unknownBots;      // localId → bot, reply lost
    QHash<qint64, Money> m_seededStakes;       // open at start, no reservation
};

} // namespace Vigil
