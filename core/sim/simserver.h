// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <map>
#include <memory>
#include <optional>

#include <QHostAddress>
#include <QJsonObject>
#include <QObject>
#include <QUrl>

#include "health/result.h"
#include "money/money.h"
#include "sim/faultinjector.h"
#include "sim/simconfig.h"
#include "sim/simsession.h"
#include "sim/simstats.h"

QT_BEGIN_NAMESPACE
class QTcpServer;
class QTcpSocket;
class QTimer;
class QWebSocketServer;
QT_END_NAMESPACE

namespace Vigil::Sim {

class Market;
class RateLimiter;
class TradingDesk;
class VirtualClock;

// A Deriv-compatible WebSocket server (API v3 dialect): the peer every Vigil test runs against and
// the embedded broker for paper trading. Same calls, message and field names, JSON types, error
// codes, echo_req/req_id/passthrough, subscription ids and rate limits as Deriv's server, on
// synthetic indices generated from a seed, with a virtual clock that can run faster than real time.
//
// Threading: a SimServer and everything it owns live on the thread that created it; call its
// methods from that thread (invokeMethod with a queued lambda from elsewhere). Its signals are
// emitted on that thread. It needs a running event loop there.
//
// Connections: ws://127.0.0.1:<port>/websockets/v3?app_id=<digits>. A missing or malformed app_id
// is refused at the HTTP upgrade with 401 and body {"error":"InvalidAppID"}, as Deriv does. Each
// connection gets its own session: authorization and subscriptions die with it.
class SimServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SimServer)

public:
    explicit SimServer(const SimConfig &config = SimConfig(), QObject *parent = nullptr);
    ~SimServer() override;

    // Starts accepting connections; returns the port (a free one when port = 0).
    Result<quint16> listen(const QHostAddress &address = QHostAddress::LocalHost, quint16 port = 0);
    // Stops accepting and drops every connection.
    void close();
    bool isListening() const;
    quint16 port() const;
    // ws://127.0.0.1:<port>/websockets/v3?app_id=1089 (the bound address when not loopback).
    QUrl url() const;

    // Accounts and tokens. addAccount returns the new loginid (VRTC1000001, ... for virtual
    // accounts, CR9000001, ... for real ones); fails on a malformed or duplicate token.
    static QStringList defaultScopes();
    Result<QString> addAccount(const QString &token, const QString &currency = QStringLiteral("USD"),
                               Money balance = Money::fromMinor(10'000'00), const QStringList &scopes = defaultScopes(),
                               bool isVirtual = true);
    Result<QString> addAccount(const AccountSpec &spec);
    // A new token with a generated value (as api_token new_token does); returns the value.
    Result<QString> createToken(const QString &loginid, const QString &displayName, const QStringList &scopes);
    Result<void> addToken(const QString &loginid, const QString &token, const QStringList &scopes = defaultScopes());
    // Deletes the token like api_token delete_token: sessions authorized with it get InvalidToken on
    // their next authenticated call, and their balance/transaction/proposal_open_contract streams stop.
    bool deleteToken(const QString &token);

    // Market and time. advanceTime() moves virtual time (the only way it moves with
    // SimConfig::manualClock) and delivers every tick due, synchronously.
    Market &market();
    qint64 nowMs() const;
    void advanceTime(qint64 virtualMs);
    // The next quotes of `symbol`, exactly ("1234.56"); false if a quote does not parse.
    bool scriptQuotes(const QString &symbol, const QStringList &quotes);

    FaultInjector &faults();
    void setRateLimitsEnabled(bool enabled);
    bool rateLimitsEnabled() const;
    void setResaleRules(const ResaleRules &rules);
    ResaleRules resaleRules() const;
    // "up", "down" or "updating"; website_status subscribers are told. As on Deriv, "updating" is
    // followed by a disconnect of every connection (after SimConfig::updatingDisconnectMs).
    void setSiteStatus(const QString &status);

    // Observability.
    SimStats stats() const;
    // One account's figures (a default AccountStats with an empty loginid if unknown).
    AccountStats accountStats(const QString &loginid) const;
    int connectionCount() const;
    // Buys on an account outside any session (the contract a lost buy reply leaves behind).
    // `parameters` as buy.parameters; maxPrice defaults to the ask. Returns the buy object
    // (contract_id, transaction_id, buy_price, ...) or Deriv's error.
    Result<QJsonObject> buyDirect(const QString &loginid, const QJsonObject &parameters,
                                  std::optional<Money> maxPrice = std::nullopt);

Q_SIGNALS:
    void connectionOpened(quint64 id);
    void connectionClosed(quint64 id);

private:
    void onTcpConnection();
    void tryHandshake(QTcpSocket *socket);
    void onWebSocket();
    void onTick(const QString &symbol, const Vigil::Sim::Tick &tick);
    void pump();
    void scheduleNextTick();
    void forEachSession(const QString &loginid, const std::function<void(SimSession *)> &fn);

    SimContext m_ctx;
    std::unique_ptr<VirtualClock> m_clock;
    std::unique_ptr<RateLimiter> m_limiter;
    Market *m_market = nullptr;
    TradingDesk *m_desk = nullptr;
    FaultInjector *m_faults = nullptr;
    QTcpServer *m_tcp = nullptr;
    QWebSocketServer *m_ws = nullptr;
    QTimer *m_tickTimer = nullptr;
    std::map<quint64, SimSession *> m_sessions;
    quint64 m_nextSession = 1;
    int m_connectionsOpened = 0;
};

} // namespace Vigil::Sim
