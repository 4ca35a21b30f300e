// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>
#include <vector>

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>

#include "health/error.h"
#include "sim/contractterms.h"
#include "sim/faultinjector.h"
#include "sim/simconfig.h"
#include "sim/simstats.h"
#include "sim/symbol.h"

QT_BEGIN_NAMESPACE
class QTimer;
class QWebSocket;
QT_END_NAMESPACE

namespace Vigil {
class Clock;
}

namespace Vigil::Sim {

class FaultInjector;
class Market;
class RateLimiter;
class TradingDesk;
class VirtualClock;
struct Transaction;

// What every session of one server shares (owned by SimServer).
struct SimContext
{
    SimConfig config;
    const Clock *realClock = nullptr;
    VirtualClock *clock = nullptr;
    Market *market = nullptr;
    TradingDesk *desk = nullptr;
    RateLimiter *limiter = nullptr;
    FaultInjector *faults = nullptr;
    bool rateLimitsEnabled = true;
    QString siteStatus;
    QHash<QString, int> proposalStreams; // concurrent proposal subscriptions per budget key
};

// One WebSocket connection: its authorization, its subscriptions and its proposals. All of it
// dies with the connection, as on Deriv. Owned by SimServer; lives on the server's thread.
// The server feeds it ticks and account events; it answers requests in Deriv's dialect.
class SimSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SimSession)

public:
    // Takes ownership of `socket`.
    SimSession(quint64 id, QWebSocket *socket, const QString &appId, SimContext &context, QObject *parent = nullptr);
    ~SimSession() override;

    quint64 id() const { return m_id; }
    const QString &loginid() const { return m_loginid; }
    bool isOpen() const;
    ConnectionStats stats() const;

    // Events routed by the server.
    void onTick(const QString &symbol, const Tick &tick);
    void onContractChanged(const QString &loginid, qint64 contractId);
    void onTransaction(const QString &loginid, const Transaction &transaction);
    void onTokenDeleted(const QString &token);
    void onSiteStatusChanged();

    // Faults.
    void dropNow();
    void dropAfterFrames(int frames);
    void sendMalformedNow(MalformedKind kind, int bytes);

Q_SIGNALS:
    // The connection is gone; the server deletes the session later.
    void closed(quint64 id);
    // A request was handled (after the reply or the drop): the server flushes the desk's events.
    void requestHandled();

private:
    struct Stream
    {
        QString id;
        QString type;    // forget_all type: ticks, candles, proposal, proposal_open_contract, balance, transaction, website_status
        QString msgType; // msg_type of its frames
        QString key;     // what it is on (AlreadySubscribed identity)
        QJsonObject request;
        bool authenticated = false;
        QString account; // authenticated streams: the account they follow
        QString symbol;
        int granularity = 0;
        qint64 candleOpen = 0;
        qint64 open = 0, high = 0, low = 0, close = 0;
        qint64 contractId = 0; // proposal_open_contract: 0 = all open contracts
        ContractTerms terms;   // proposal
        QString budgetKey;     // proposal: the account (or connection) it counts against
    };

    // A buy is "in flight" from receipt until its reply is sent or lost; the ticket releases the
    // count exactly once, whichever comes first (reply, drop, connection gone, server gone).
    class BuyTicket;

    // The frames a request answers with (none for ticks, one per contract for all open contracts).
    struct Outcome
    {
        QList<QJsonObject> frames;
    };

    void onText(const QString &frame);
    void onBinary(const QByteArray &frame);
    void onDisconnected();
    void handle(const QJsonObject &request, const QString &call);
    void deliver(QJsonObject reply, const FaultInjector::Decision &decision, std::shared_ptr<BuyTicket> ticket);
    void send(const QJsonObject &frame);
    void sendRaw(const QString &text);
    void closeWith(int code, const QString &reason);

    // Call handlers: return the reply (or an error reply).
    QJsonObject authorize(const QJsonObject &req);
    QJsonObject logout(const QJsonObject &req);
    QJsonObject websiteStatus(const QJsonObject &req);
    QJsonObject activeSymbols(const QJsonObject &req);
    QJsonObject contractsFor(const QJsonObject &req);
    Outcome ticks(const QJsonObject &req);
    QJsonObject ticksHistory(const QJsonObject &req);
    QJsonObject proposal(const QJsonObject &req);
    QJsonObject buyNow(const QJsonObject &req, const ContractTerms &terms, Money maxPrice);
    QJsonObject sell(const QJsonObject &req);
    Outcome openContracts(const QJsonObject &req);
    QJsonObject portfolio(const QJsonObject &req);
    QJsonObject profitTable(const QJsonObject &req);
    QJsonObject statement(const QJsonObject &req);
    QJsonObject transaction(const QJsonObject &req);
    QJsonObject balance(const QJsonObject &req);
    QJsonObject forget(const QJsonObject &req);
    QJsonObject forgetAll(const QJsonObject &req);
    QJsonObject apiToken(const QJsonObject &req);

    // The buy call: resolves the contract, then executes now or after the processing delay.
    void buy(const QJsonObject &req, const FaultInjector::Decision &decision);

    // Auth: nullopt if allowed, else the error reply.
    std::optional<QJsonObject> requireAuth(const QJsonObject &req, const QString &call, const QStringList &anyScope);
    QString accountFor(const QJsonObject &req) const;
    QString budgetKey() const;

    QJsonObject errorReply(const QJsonObject &req, const QString &msgType, const Error &error) const;
    Stream *findStream(const QString &key);
    Stream &addStream(Stream stream);
    void removeStream(const QString &id);
    void dropAuthenticatedStreams();
    QJsonObject streamFrame(const Stream &s) const;
    QJsonObject pocFrame(const Stream &s, qint64 contractId) const;
    QJsonObject balanceObject(const QString &loginid, const QString &subscriptionId) const;
    QString newId() const;
    qint64 nowMs() const;

    quint64 m_id;
    QPointer<QWebSocket> m_socket;
    QString m_appId;
    QString m_peer;
    SimContext &m_ctx;
    QTimer *m_idle = nullptr;

    QString m_token;
    QString m_loginid;
    QHash<QString, QString> m_extraTokens; // loginid → token from authorize.tokens
    bool m_tokenRevoked = false;

    std::vector<Stream> m_streams;
    QHash<QString, ContractTerms> m_proposals; // single-use proposal ids (unsubscribed proposals)
    QStringList m_proposalOrder;
    int m_dropAfterFrames = -1;
    qint64 m_framesIn = 0;
    qint64 m_framesOut = 0;
    bool m_closed = false;
};

} // namespace Vigil::Sim
