// SPDX-License-Identifier: GPL-3.0-or-later
#include "simserver.h"

#include <limits>
#include <vector>

#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketServer>

#include "health/clock.h"
#include "health/logcategories.h"
#include "sim/market.h"
#include "sim/ratelimiter.h"
#include "sim/replyformat.h"
#include "sim/tradingdesk.h"
#include "sim/virtualclock.h"

namespace Vigil::Sim {

namespace {
constexpr int s_maxHandshakeBytes = 16 * 1024;
constexpr int s_handshakeTimeoutMs = 10'000;
const char *const s_upgradedProperty = "vigilUpgraded";

void rejectHandshake(QTcpSocket *socket, const QByteArray &status, const QByteArray &body)
{
    QByteArray response = "HTTP/1.1 " + status + "\r\nContent-Type: application/json\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    socket->write(response);
    socket->disconnectFromHost();
}
} // namespace

SimServer::SimServer(const SimConfig &config, QObject *parent)
    : QObject(parent)
{
    m_ctx.config = config;
    m_ctx.realClock = config.clock ? config.clock : &Clock::system();
    m_clock = std::make_unique<VirtualClock>(*m_ctx.realClock, config.timeScale, config.manualClock, config.startEpochMs);
    m_limiter = std::make_unique<RateLimiter>(config.rateLimits);
    m_market = new Market(config.seed, m_clock->nowSec(), config.historyTicks, config.maxHistoryTicks, this);
    m_desk = new TradingDesk(config.seed, config.resale, this);
    m_faults = new FaultInjector(this);
    m_ctx.clock = m_clock.get();
    m_ctx.market = m_market;
    m_ctx.desk = m_desk;
    m_ctx.limiter = m_limiter.get();
    m_ctx.faults = m_faults;
    m_ctx.rateLimitsEnabled = config.rateLimitsEnabled;
    m_ctx.siteStatus = config.siteStatus;

    connect(m_market, &Market::ticked, this, &SimServer::onTick);
    connect(m_desk, &TradingDesk::transactionRecorded, this, [this](const QString &loginid, const Transaction &t) {
        forEachSession(loginid, [&](SimSession *s) { s->onTransaction(loginid, t); });
    });
    connect(m_desk, &TradingDesk::contractChanged, this, [this](const QString &loginid, qint64 id) {
        forEachSession(loginid, [&](SimSession *s) { s->onContractChanged(loginid, id); });
    });
    connect(m_desk, &TradingDesk::tokenDeleted, this, [this](const QString &token, const QString &) {
        forEachSession(QString(), [&](SimSession *s) { s->onTokenDeleted(token); });
    });
    connect(m_faults, &FaultInjector::dropRequested, this, [this](const QString &loginid) {
        forEachSession(loginid, [](SimSession *s) { s->dropNow(); });
    });
    connect(m_faults, &FaultInjector::dropAfterFramesRequested, this, [this](const QString &loginid, int frames) {
        forEachSession(loginid, [frames](SimSession *s) { s->dropAfterFrames(frames); });
    });
    connect(m_faults, &FaultInjector::malformedRequested, this,
            [this](const QString &loginid, MalformedKind kind, int bytes) {
                forEachSession(loginid, [kind, bytes](SimSession *s) { s->sendMalformedNow(kind, bytes); });
            });

    m_tickTimer = new QTimer(this);
    m_tickTimer->setSingleShot(true);
    m_tickTimer->setTimerType(Qt::PreciseTimer);
    connect(m_tickTimer, &QTimer::timeout, this, &SimServer::pump);

    for (const AccountSpec &spec : config.accounts) {
        const auto added = addAccount(spec);
        if (!added.ok())
            qCWarning(lcSim) << "could not add account:" << added.error().message;
    }
    scheduleNextTick();
}

SimServer::~SimServer()
{
    // Sessions refer to the shared context: they go first, including those already closed and
    // waiting for deleteLater.
    m_sessions.clear();
    qDeleteAll(findChildren<SimSession *>(Qt::FindDirectChildrenOnly));
}

QStringList SimServer::defaultScopes()
{
    return AccountSpec().scopes;
}

Result<quint16> SimServer::listen(const QHostAddress &address, quint16 port)
{
    if (m_tcp)
        return Error::make(ErrorKind::Configuration, QStringLiteral("AlreadyListening"),
                           QStringLiteral("The simulator is already listening on port %1").arg(m_tcp->serverPort()));
    auto *tcp = new QTcpServer(this);
    if (!tcp->listen(address, port)) {
        const QString why = tcp->errorString();
        delete tcp;
        return Error::make(ErrorKind::Configuration, QStringLiteral("ListenFailed"),
                           QStringLiteral("Cannot listen on %1:%2: %3").arg(address.toString()).arg(port).arg(why));
    }
    m_tcp = tcp;
    m_ws = new QWebSocketServer(QStringLiteral("vigil-sim"), QWebSocketServer::NonSecureMode, this);
    m_ws->setHandshakeTimeout(s_handshakeTimeoutMs);
    connect(m_ws, &QWebSocketServer::newConnection, this, &SimServer::onWebSocket);
    connect(m_tcp, &QTcpServer::newConnection, this, &SimServer::onTcpConnection);
    qCDebug(lcSim) << "simulator listening on" << url().toString();
    return m_tcp->serverPort();
}

void SimServer::close()
{
    if (m_tcp) {
        m_tcp->close();
        delete m_tcp;
        m_tcp = nullptr;
    }
    if (m_ws) {
        delete m_ws;
        m_ws = nullptr;
    }
    std::vector<SimSession *> sessions;
    for (const auto &[id, s] : m_sessions)
        sessions.push_back(s);
    for (SimSession *s : sessions)
        s->dropNow();
}

bool SimServer::isListening() const
{
    return m_tcp && m_tcp->isListening();
}

quint16 SimServer::port() const
{
    return m_tcp ? m_tcp->serverPort() : 0;
}

QUrl SimServer::url() const
{
    if (!m_tcp)
        return QUrl();
    QHostAddress host = m_tcp->serverAddress();
    QString hostText;
    if (host == QHostAddress::Any || host == QHostAddress::AnyIPv4 || host == QHostAddress::LocalHost || host.isNull())
        hostText = QStringLiteral("127.0.0.1");
    else if (host == QHostAddress::AnyIPv6 || host == QHostAddress::LocalHostIPv6)
        hostText = QStringLiteral("[::1]");
    else if (host.protocol() == QAbstractSocket::IPv6Protocol)
        hostText = u'[' + host.toString() + u']';
    else
        hostText = host.toString();
    return QUrl(QStringLiteral("ws://%1:%2/websockets/v3?app_id=1089").arg(hostText).arg(m_tcp->serverPort()));
}

void SimServer::onTcpConnection()
{
    while (QTcpSocket *socket = m_tcp->nextPendingConnection()) {
        connect(socket, &QTcpSocket::readyRead, this, [this, socket] { tryHandshake(socket); });
        // A client that never completes its upgrade request does not hold a socket forever.
        QTimer::singleShot(s_handshakeTimeoutMs, socket, [socket] {
            if (!socket->property(s_upgradedProperty).toBool())
                socket->abort();
        });
        connect(socket, &QTcpSocket::disconnected, socket, [socket] {
            if (!socket->property(s_upgradedProperty).toBool())
                socket->deleteLater();
        });
        if (socket->bytesAvailable() > 0)
            tryHandshake(socket);
    }
}

void SimServer::tryHandshake(QTcpSocket *socket)
{
    if (socket->property(s_upgradedProperty).toBool())
        return;
    const QByteArray head = socket->peek(s_maxHandshakeBytes);
    const qsizetype end = head.indexOf("\r\n\r\n");
    if (end < 0) {
        if (head.size() >= s_maxHandshakeBytes) {
            disconnect(socket, nullptr, this, nullptr);
            rejectHandshake(socket, "431 Request Header Fields Too Large", "{\"error\":\"RequestTooLarge\"}");
        }
        return;
    }
    disconnect(socket, nullptr, this, nullptr);
    const QList<QByteArray> requestLine = head.left(head.indexOf("\r\n")).split(' ');
    if (requestLine.size() < 3 || requestLine.at(0) != "GET") {
        rejectHandshake(socket, "400 Bad Request", "{\"error\":\"BadRequest\"}");
        return;
    }
    const QUrl target = QUrl::fromEncoded(requestLine.at(1));
    const QString appId = QUrlQuery(target).queryItemValue(QStringLiteral("app_id"));
    static const QRegularExpression digits(QStringLiteral("^[0-9]{1,10}$"));
    const QStringList &allowed = m_ctx.config.appIds;
    if (!digits.match(appId).hasMatch() || (!allowed.isEmpty() && !allowed.contains(appId))) {
        qCInfo(lcSim) << "refused a connection without a valid app_id";
        rejectHandshake(socket, "401 Unauthorized", "{\"error\":\"InvalidAppID\"}");
        return;
    }
    socket->setProperty(s_upgradedProperty, true);
    // Hand the untouched request to Qt's WebSocket handshake.
    m_ws->handleConnection(socket);
}

void SimServer::onWebSocket()
{
    while (m_ws && m_ws->hasPendingConnections()) {
        QWebSocket *ws = m_ws->nextPendingConnection();
        const QString appId = QUrlQuery(ws->requestUrl()).queryItemValue(QStringLiteral("app_id"));
        const quint64 id = m_nextSession++;
        auto *session = new SimSession(id, ws, appId, m_ctx, this);
        m_sessions.emplace(id, session);
        ++m_connectionsOpened;
        connect(session, &SimSession::closed, this, [this](quint64 closedId) {
            const auto it = m_sessions.find(closedId);
            if (it == m_sessions.end())
                return;
            it->second->deleteLater();
            m_sessions.erase(it);
            Q_EMIT connectionClosed(closedId);
        });
        connect(session, &SimSession::requestHandled, m_desk, &TradingDesk::flush);
        Q_EMIT connectionOpened(id);
    }
}

void SimServer::forEachSession(const QString &loginid, const std::function<void(SimSession *)> &fn)
{
    // A snapshot: a session may close (and leave the map) while we call into it.
    std::vector<SimSession *> targets;
    targets.reserve(m_sessions.size());
    for (const auto &[id, s] : m_sessions) {
        if (loginid.isEmpty() || s->loginid() == loginid)
            targets.push_back(s);
    }
    for (SimSession *s : targets)
        fn(s);
}

void SimServer::onTick(const QString &symbol, const Tick &tick)
{
    m_desk->onTick(symbol, tick);
    forEachSession(QString(), [&](SimSession *s) { s->onTick(symbol, tick); });
    m_desk->flush();
}

void SimServer::pump()
{
    m_market->advanceTo(m_clock->nowMs());
    scheduleNextTick();
}

void SimServer::scheduleNextTick()
{
    if (m_clock->isManual())
        return;
    const qint64 delay = m_clock->realDelayUntil(m_market->nextTickEpoch() * 1000);
    m_tickTimer->start(int(std::clamp<qint64>(delay, 0, 60'000)));
}

Result<QString> SimServer::addAccount(const QString &token, const QString &currency, Money balance,
                                      const QStringList &scopes, bool isVirtual)
{
    AccountSpec spec;
    spec.token = token;
    spec.currency = currency;
    spec.balance = balance;
    spec.scopes = scopes;
    spec.isVirtual = isVirtual;
    return addAccount(spec);
}

Result<QString> SimServer::addAccount(const AccountSpec &spec)
{
    return m_desk->addAccount(spec, m_clock->nowSec());
}

Result<QString> SimServer::createToken(const QString &loginid, const QString &displayName, const QStringList &scopes)
{
    if (!m_desk->account(loginid))
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("loginid"), QStringLiteral("Unknown account ") + loginid);
    auto created = m_desk->createToken(loginid, displayName, scopes);
    if (!created.ok())
        return created.error();
    return created->token;
}

Result<void> SimServer::addToken(const QString &loginid, const QString &token, const QStringList &scopes)
{
    return m_desk->addToken(loginid, token, QStringLiteral("vigil-sim"), scopes);
}

bool SimServer::deleteToken(const QString &token)
{
    return m_desk->deleteToken(token);
}

Market &SimServer::market()
{
    return *m_market;
}

qint64 SimServer::nowMs() const
{
    return m_clock->nowMs();
}

void SimServer::advanceTime(qint64 virtualMs)
{
    m_clock->advance(virtualMs);
    pump();
}

bool SimServer::scriptQuotes(const QString &symbol, const QStringList &quotes)
{
    return m_market->scriptQuotes(symbol, quotes);
}

FaultInjector &SimServer::faults()
{
    return *m_faults;
}

void SimServer::setRateLimitsEnabled(bool enabled)
{
    m_ctx.rateLimitsEnabled = enabled;
}

bool SimServer::rateLimitsEnabled() const
{
    return m_ctx.rateLimitsEnabled;
}

void SimServer::setResaleRules(const ResaleRules &rules)
{
    m_desk->resale() = rules;
}

ResaleRules SimServer::resaleRules() const
{
    return m_desk->resale();
}

void SimServer::setSiteStatus(const QString &status)
{
    m_ctx.siteStatus = status;
    forEachSession(QString(), [](SimSession *s) { s->onSiteStatusChanged(); });
    if (status != QLatin1String("updating"))
        return;
    QTimer::singleShot(int(std::clamp<qint64>(m_ctx.config.updatingDisconnectMs, 0, std::numeric_limits<int>::max())), this,
                       [this] {
                           if (m_ctx.siteStatus == QLatin1String("updating"))
                               forEachSession(QString(), [](SimSession *s) { s->dropNow(); });
                       });
}

int SimServer::connectionCount() const
{
    return int(m_sessions.size());
}

SimStats SimServer::stats() const
{
    SimStats st;
    st.virtualTimeMs = m_clock->nowMs();
    st.connectionsOpened = m_connectionsOpened;
    for (const QString &loginid : m_desk->loginids()) {
        const Account &a = *m_desk->account(loginid);
        AccountStats s;
        s.loginid = a.loginid;
        s.currency = a.currency;
        s.isVirtual = a.isVirtual;
        s.balance = a.balance;
        s.buysReceived = a.counters.buysReceived;
        s.buysCompleted = a.counters.buysCompleted;
        s.buysInFlight = a.counters.buysInFlight;
        s.maxBuysInFlight = a.counters.maxBuysInFlight;
        s.directBuys = a.counters.directBuys;
        s.sells = a.counters.sells;
        s.openContracts = a.openContracts;
        s.maxOpenContracts = a.counters.maxOpenContracts;
        s.recentBuys = a.counters.recentBuys;
        for (const auto &[id, session] : m_sessions) {
            if (session->loginid() == loginid && session->isOpen())
                s.sessions += 1;
        }
        st.accounts.append(s);
    }
    for (const auto &[id, session] : m_sessions)
        st.connections.append(session->stats());
    for (const Contract *c : m_desk->allContracts()) {
        ContractStats s;
        s.contractId = c->id();
        s.loginid = c->loginid();
        s.contractType = c->terms().contractType;
        s.symbol = c->symbol().symbol;
        s.status = c->statusName();
        s.buyPrice = c->buyPrice();
        s.payout = c->payout();
        s.sellPrice = c->sellPrice();
        s.purchaseTime = c->purchaseTime();
        s.sellTime = c->sellTime();
        st.contracts.append(s);
    }
    return st;
}

AccountStats SimServer::accountStats(const QString &loginid) const
{
    const SimStats st = stats();
    const AccountStats *a = st.account(loginid);
    return a ? *a : AccountStats();
}

Result<QJsonObject> SimServer::buyDirect(const QString &loginid, const QJsonObject &parameters,
                                         std::optional<Money> maxPrice)
{
    Account *a = m_desk->account(loginid);
    if (!a)
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("loginid"), QStringLiteral("Unknown account ") + loginid);
    const SimConfig &c = m_ctx.config;
    auto terms = ContractTerms::fromJson(parameters, ContractLimits{c.minStake, c.maxStake, c.maxPayout}, m_clock->nowSec());
    if (!terms.ok())
        return terms.error();
    auto bought = m_desk->buy(loginid, *terms, maxPrice.value_or(terms->stake), m_clock->nowSec());
    if (!bought.ok())
        return bought.error();
    a->counters.directBuys += 1;
    const QJsonObject receipt = ReplyFormat::buyReceipt(**bought, a->balance);
    m_desk->flush();
    return receipt;
}

} // namespace Vigil::Sim
