// SPDX-License-Identifier: GPL-3.0-or-later
#include "simsession.h"

#include <algorithm>

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>
#include <QUuid>
#include <QWebSocket>

#include "health/clock.h"
#include "health/logcategories.h"
#include "health/redactor.h"
#include "sim/account.h"
#include "sim/contract.h"
#include "sim/market.h"
#include "sim/ratelimiter.h"
#include "sim/replyformat.h"
#include "sim/requestvalidator.h"
#include "sim/tradingdesk.h"
#include "sim/virtualclock.h"

namespace Vigil::Sim {

namespace {
const QString s_ticks = QStringLiteral("ticks");
const QString s_candles = QStringLiteral("candles");
const QString s_proposal = QStringLiteral("proposal");
const QString s_poc = QStringLiteral("proposal_open_contract");
const QString s_balance = QStringLiteral("balance");
const QString s_transaction = QStringLiteral("transaction");
const QString s_websiteStatus = QStringLiteral("website_status");

QJsonObject subscription(const QString &id)
{
    return QJsonObject{{QStringLiteral("id"), id}};
}

Error brokerError(const char *code, const QString &message)
{
    return Error::broker(QLatin1String(code), message);
}

ContractLimits limitsOf(const SimConfig &c)
{
    return ContractLimits{c.minStake, c.maxStake, c.maxPayout};
}

// A profit_table date bound: "YYYY-MM-DD" (UTC day; the end bound includes the whole day) or epoch.
qint64 dateBound(const QString &text, bool end)
{
    if (text.contains(u'-')) {
        const QDate d = QDate::fromString(text, QStringLiteral("yyyy-M-d"));
        if (!d.isValid())
            return end ? std::numeric_limits<qint64>::max() : 0;
        const qint64 start = QDateTime(d, QTime(0, 0), Qt::UTC).toSecsSinceEpoch();
        return end ? start + 86'399 : start;
    }
    return text.toLongLong();
}

QString frameText(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

// A deliberately broken version of `reply` for fault injection.
QString malformedText(QJsonObject reply, MalformedKind kind, int bytes)
{
    const QString msgType = reply.value(QLatin1String("msg_type")).toString();
    switch (kind) {
    case MalformedKind::NotJson:
        return QStringLiteral("{\"msg_type\":\"%1\",\"echo_req\":{\"truncated\":").arg(msgType);
    case MalformedKind::WrongTypes: {
        const QJsonValue payload = reply.value(msgType);
        reply.insert(msgType, payload.isObject() || payload.isArray() ? QJsonValue(QStringLiteral("malformed"))
                                                                      : QJsonValue(QJsonObject{{QStringLiteral("malformed"), true}}));
        reply.insert(QStringLiteral("echo_req"), 42);
        return frameText(reply);
    }
    case MalformedKind::MissingMsgType:
        reply.remove(QStringLiteral("msg_type"));
        return frameText(reply);
    case MalformedKind::Oversized:
        reply.insert(QStringLiteral("padding"), QString(qMax(bytes, 1), u'x'));
        return frameText(reply);
    }
    return QString();
}
} // namespace

class SimSession::BuyTicket
{
public:
    BuyTicket(TradingDesk *desk, const QString &loginid, const QJsonObject &passthrough)
        : m_desk(desk)
        , m_loginid(loginid)
    {
        if (Account *a = desk->account(loginid)) {
            a->counters.buysReceived += 1;
            a->counters.buysInFlight += 1;
            a->counters.maxBuysInFlight = std::max(a->counters.maxBuysInFlight, a->counters.buysInFlight);
            m_seq = a->counters.buysReceived;
            QList<BuyRecord> &log = a->counters.recentBuys;
            if (log.size() >= AccountCounters::MaxRecentBuys)
                log.removeFirst();
            log.append(BuyRecord{m_seq, passthrough, true, 0});
        }
    }
    ~BuyTicket() { release(); }
    Q_DISABLE_COPY_MOVE(BuyTicket)

    void release()
    {
        if (m_released)
            return;
        m_released = true;
        if (m_desk) {
            if (Account *a = m_desk->account(m_loginid)) {
                a->counters.buysInFlight -= 1;
                if (BuyRecord *r = record(*a))
                    r->inFlight = false;
            }
        }
    }

    // The contract the buy created (from its reply; an error reply has none).
    void noteReply(const QJsonObject &reply)
    {
        const qint64 contractId = reply.value(QLatin1String("buy")).toObject().value(QLatin1String("contract_id")).toInteger();
        noteContract(contractId);
    }
    void noteContract(qint64 contractId)
    {
        if (contractId == 0 || !m_desk)
            return;
        if (Account *a = m_desk->account(m_loginid)) {
            if (BuyRecord *r = record(*a))
                r->contractId = contractId;
        }
    }

private:
    BuyRecord *record(Account &a) const
    {
        for (auto it = a.counters.recentBuys.rbegin(); it != a.counters.recentBuys.rend(); ++it) {
            if (it->seq == m_seq)
                return &*it;
        }
        return nullptr;
    }

    QPointer<TradingDesk> m_desk;
    QString m_loginid;
    int m_seq = 0;
    bool m_released = false;
};

SimSession::SimSession(quint64 id, QWebSocket *socket, const QString &appId, SimContext &context, QObject *parent)
    : QObject(parent)
    , m_id(id)
    , m_socket(socket)
    , m_appId(appId)
    , m_ctx(context)
{
    socket->setParent(this);
    m_peer = socket->peerAddress().toString() + u':' + QString::number(socket->peerPort());
    socket->setMaxAllowedIncomingMessageSize(quint64(qMax(context.config.maxIncomingFrameBytes, 1024)));
    connect(socket, &QWebSocket::textMessageReceived, this, &SimSession::onText);
    connect(socket, &QWebSocket::binaryMessageReceived, this, &SimSession::onBinary);
    connect(socket, &QWebSocket::disconnected, this, &SimSession::onDisconnected);
    if (context.config.idleTimeoutMs > 0) {
        m_idle = new QTimer(this);
        m_idle->setSingleShot(true);
        m_idle->setInterval(int(qMin<qint64>(context.config.idleTimeoutMs, std::numeric_limits<int>::max())));
        connect(m_idle, &QTimer::timeout, this, [this] {
            closeWith(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("Idle timeout"));
        });
        m_idle->start();
    }
}

SimSession::~SimSession()
{
    m_ctx.limiter->forget(QStringLiteral("conn:") + QString::number(m_id));
    for (const Stream &s : m_streams) {
        if (s.type == s_proposal)
            m_ctx.proposalStreams[s.budgetKey] -= 1;
    }
}

bool SimSession::isOpen() const
{
    return !m_closed && m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

qint64 SimSession::nowMs() const
{
    return m_ctx.clock->nowMs();
}

QString SimSession::newId() const
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QString SimSession::budgetKey() const
{
    if (!m_loginid.isEmpty())
        return QStringLiteral("acct:") + m_loginid;
    return QStringLiteral("app:") + m_appId + u'@' + (m_socket ? m_socket->peerAddress().toString() : QString());
}

ConnectionStats SimSession::stats() const
{
    ConnectionStats s;
    s.id = m_id;
    s.loginid = m_loginid;
    s.peer = m_peer;
    s.subscriptions = int(m_streams.size());
    for (const Stream &st : m_streams) {
        s.subscriptionsByType[st.type] += 1;
        s.subscriptionKeys.append(st.key);
    }
    s.framesReceived = m_framesIn;
    s.framesSent = m_framesOut;
    return s;
}

// ---------------------------------------------------------------------------------------------
// Transport

void SimSession::send(const QJsonObject &frame)
{
    sendRaw(frameText(frame));
}

void SimSession::sendRaw(const QString &text)
{
    if (!isOpen())
        return;
    m_socket->sendTextMessage(text);
    ++m_framesOut;
    if (m_dropAfterFrames > 0 && --m_dropAfterFrames == 0) {
        m_dropAfterFrames = -1;
        // Let the frame leave before the connection dies, as a drop mid-stream would.
        m_socket->flush();
        dropNow();
    }
}

void SimSession::closeWith(int code, const QString &reason)
{
    if (!isOpen())
        return;
    m_socket->close(QWebSocketProtocol::CloseCode(code), reason);
}

void SimSession::dropNow()
{
    if (m_closed || !m_socket)
        return;
    // An abrupt loss: no close frame, the TCP connection just ends.
    m_socket->abort();
    onDisconnected();
}

void SimSession::dropAfterFrames(int frames)
{
    if (frames <= 0) {
        dropNow();
        return;
    }
    m_dropAfterFrames = frames;
}

void SimSession::sendMalformedNow(MalformedKind kind, int bytes)
{
    const SymbolSpec &spec = *findSymbol(u"R_100");
    QJsonObject frame{{QStringLiteral("echo_req"), QJsonObject{{QStringLiteral("ticks"), spec.symbol}}},
                      {QStringLiteral("msg_type"), QStringLiteral("tick")},
                      {QStringLiteral("tick"), ReplyFormat::tick(spec, m_ctx.market->lastTick(spec.symbol), newId())}};
    sendRaw(malformedText(frame, kind, bytes));
}

void SimSession::onDisconnected()
{
    if (m_closed)
        return;
    m_closed = true;
    if (m_idle)
        m_idle->stop();
    Q_EMIT closed(m_id);
}

void SimSession::onBinary(const QByteArray &)
{
    ++m_framesIn;
    closeWith(QWebSocketProtocol::CloseCodeDatatypeNotSupported, QStringLiteral("Binary frames are not supported"));
}

void SimSession::onText(const QString &frame)
{
    if (m_closed)
        return;
    ++m_framesIn;
    if (m_idle)
        m_idle->start();
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(frame.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        qCInfo(lcSim) << "connection" << m_id << "sent invalid JSON; closing with 1007";
        closeWith(QWebSocketProtocol::CloseCodeWrongDatatype, QStringLiteral("Invalid JSON"));
        return;
    }
    const QJsonObject req = doc.object();
    const QString call = RequestValidator::callOf(req);
    if (m_ctx.config.logRequests) {
        qCInfo(lcSim).noquote() << QStringLiteral("conn=%1 account=%2 call=%3 %4")
                                       .arg(m_id)
                                       .arg(m_loginid.isEmpty() ? QStringLiteral("-") : m_loginid,
                                            call.isEmpty() ? QStringLiteral("?") : call,
                                            frameText(Redactor::redactJson(req)));
    }
    if (call.isEmpty()) {
        send(ReplyFormat::error(req, QStringLiteral("error"), QStringLiteral("UnrecognisedRequest"),
                                QStringLiteral("Unrecognised request.")));
        Q_EMIT requestHandled();
        return;
    }
    const QJsonObject details = RequestValidator::validate(call, req);
    if (!details.isEmpty()) {
        send(ReplyFormat::error(req, call, QStringLiteral("InputValidationFailed"),
                                QStringLiteral("Input validation failed: ") + details.keys().join(QStringLiteral(", ")),
                                details));
        Q_EMIT requestHandled();
        return;
    }
    if (m_ctx.rateLimitsEnabled) {
        const RateLimiter::Category category = RateLimiter::categoryOf(call);
        const QString key = category == RateLimiter::Category::PingTime ? QStringLiteral("conn:") + QString::number(m_id)
                                                                         : budgetKey();
        const qint64 realNow = m_ctx.realClock->monotonicMs();
        if (!m_ctx.limiter->allow(key, category, realNow)) {
            send(ReplyFormat::error(req, call, QStringLiteral("RateLimit"),
                                    QStringLiteral("You have reached the rate limit for %1.").arg(call)));
            if (category == RateLimiter::Category::PingTime)
                closeWith(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("Rate limit exceeded"));
            Q_EMIT requestHandled();
            return;
        }
    }
    handle(req, call);
}

void SimSession::handle(const QJsonObject &req, const QString &call)
{
    const FaultInjector::Decision decision = m_ctx.faults->onCall(call, m_loginid);
    if (decision.drop && !decision.applyEffect) {
        dropNow();
        Q_EMIT requestHandled();
        return;
    }
    if (decision.error && !decision.drop) {
        deliver(errorReply(req, call, *decision.error), decision, nullptr);
        Q_EMIT requestHandled();
        return;
    }
    if (call == QLatin1String("buy")) {
        buy(req, decision);
        return;
    }

    QList<QJsonObject> frames;
    if (call == QLatin1String("authorize")) {
        frames.append(authorize(req));
    } else if (call == QLatin1String("logout")) {
        frames.append(logout(req));
    } else if (call == QLatin1String("ping")) {
        QJsonObject r = ReplyFormat::envelope(req, call);
        r.insert(call, QStringLiteral("pong"));
        frames.append(r);
    } else if (call == QLatin1String("time")) {
        QJsonObject r = ReplyFormat::envelope(req, call);
        r.insert(call, m_ctx.clock->nowSec());
        frames.append(r);
    } else if (call == QLatin1String("website_status")) {
        frames.append(websiteStatus(req));
    } else if (call == QLatin1String("active_symbols")) {
        frames.append(activeSymbols(req));
    } else if (call == QLatin1String("contracts_for")) {
        frames.append(contractsFor(req));
    } else if (call == QLatin1String("ticks")) {
        frames = ticks(req).frames;
    } else if (call == QLatin1String("ticks_history")) {
        frames.append(ticksHistory(req));
    } else if (call == QLatin1String("proposal")) {
        frames.append(proposal(req));
    } else if (call == QLatin1String("sell")) {
        frames.append(sell(req));
    } else if (call == QLatin1String("sell_expired")) {
        if (auto denied = requireAuth(req, call, {QStringLiteral("trade")})) {
            frames.append(*denied);
        } else {
            // Expired contracts settle on their exit tick, so there is never anything left to sell.
            QJsonObject r = ReplyFormat::envelope(req, call);
            r.insert(call, QJsonObject{{QStringLiteral("count"), 0}});
            frames.append(r);
        }
    } else if (call == QLatin1String("proposal_open_contract")) {
        frames = openContracts(req).frames;
    } else if (call == QLatin1String("portfolio")) {
        frames.append(portfolio(req));
    } else if (call == QLatin1String("profit_table")) {
        frames.append(profitTable(req));
    } else if (call == QLatin1String("statement")) {
        frames.append(statement(req));
    } else if (call == QLatin1String("transaction")) {
        frames.append(transaction(req));
    } else if (call == QLatin1String("balance")) {
        frames.append(balance(req));
    } else if (call == QLatin1String("forget")) {
        frames.append(forget(req));
    } else if (call == QLatin1String("forget_all")) {
        frames.append(forgetAll(req));
    } else if (call == QLatin1String("api_token")) {
        frames.append(apiToken(req));
    } else if (call == QLatin1String("get_account_status")) {
        if (auto denied = requireAuth(req, call, {QStringLiteral("read")})) {
            frames.append(*denied);
        } else {
            const Account *a = m_ctx.desk->account(accountFor(req));
            QJsonObject r = ReplyFormat::envelope(req, call);
            r.insert(call, ReplyFormat::accountStatus(a ? a->currency : QStringLiteral("USD")));
            frames.append(r);
        }
    } else if (call == QLatin1String("trading_times")) {
        QJsonObject r = ReplyFormat::envelope(req, call);
        r.insert(call, ReplyFormat::tradingTimes());
        frames.append(r);
    } else if (call == QLatin1String("payout_currencies")) {
        // Before authorize: every currency offered; after: the account's own (as Deriv answers).
        const Account *a = m_loginid.isEmpty() ? nullptr : m_ctx.desk->account(m_loginid);
        QJsonObject r = ReplyFormat::envelope(req, call);
        r.insert(call, a ? QJsonArray{a->currency} : QJsonArray::fromStringList(ReplyFormat::currencies()));
        frames.append(r);
    }

    if (frames.isEmpty() && decision.drop)
        dropNow();
    for (const QJsonObject &f : std::as_const(frames))
        deliver(f, decision, nullptr);
    Q_EMIT requestHandled();
}

void SimSession::deliver(QJsonObject reply, const FaultInjector::Decision &decision, std::shared_ptr<BuyTicket> ticket)
{
    if (decision.drop) {
        if (ticket)
            ticket->release();
        dropNow();
        return;
    }
    QString text = decision.malformed ? malformedText(reply, *decision.malformed, decision.oversizeBytes) : frameText(reply);
    auto doSend = [this, text = std::move(text), ticket] {
        sendRaw(text);
        if (ticket)
            ticket->release();
    };
    if (decision.delayMs > 0)
        QTimer::singleShot(decision.delayMs, this, doSend);
    else
        doSend();
}

QJsonObject SimSession::errorReply(const QJsonObject &req, const QString &msgType, const Error &error) const
{
    return ReplyFormat::error(req, msgType, error.code, error.message, error.details);
}

// ---------------------------------------------------------------------------------------------
// Authorization

QString SimSession::accountFor(const QJsonObject &req) const
{
    const QString requested = req.value(QLatin1String("loginid")).toString();
    if (requested.isEmpty() || requested == m_loginid)
        return m_loginid;
    return m_extraTokens.contains(requested) ? requested : QString();
}

std::optional<QJsonObject> SimSession::requireAuth(const QJsonObject &req, const QString &call,
                                                   const QStringList &anyScope)
{
    if (m_loginid.isEmpty())
        return errorReply(req, call, brokerError("AuthorizationRequired", QStringLiteral("Please log in.")));
    const QString loginid = accountFor(req);
    if (loginid.isEmpty())
        return errorReply(req, call, brokerError("AuthorizationRequired", QStringLiteral("Please log in.")));
    const QString token = loginid == m_loginid ? m_token : m_extraTokens.value(loginid);
    const ApiToken *t = m_ctx.desk->token(token);
    if (!t || (loginid == m_loginid && m_tokenRevoked))
        return errorReply(req, call, brokerError("InvalidToken", QStringLiteral("The token is invalid.")));
    for (const QString &scope : anyScope) {
        if (t->hasScope(scope))
            return std::nullopt;
    }
    return errorReply(req, call,
                      brokerError("PermissionDenied", QStringLiteral("Permission denied, requires %1 scope(s).")
                                                          .arg(anyScope.join(QStringLiteral(", ")))));
}

QJsonObject SimSession::authorize(const QJsonObject &req)
{
    const QString call = QStringLiteral("authorize");
    const ApiToken *t = m_ctx.desk->token(req.value(call).toString());
    if (!t)
        return errorReply(req, call, brokerError("InvalidToken", QStringLiteral("The token is invalid.")));
    QHash<QString, QString> extra;
    for (const QJsonValue &v : req.value(QLatin1String("tokens")).toArray()) {
        const ApiToken *e = m_ctx.desk->token(v.toString());
        if (!e)
            return errorReply(req, call, brokerError("InvalidToken", QStringLiteral("The token is invalid.")));
        if (e->loginid != t->loginid)
            extra.insert(e->loginid, e->token);
    }
    if (!m_loginid.isEmpty() && m_loginid != t->loginid)
        dropAuthenticatedStreams();
    m_token = t->token;
    m_loginid = t->loginid;
    m_extraTokens = extra;
    m_tokenRevoked = false;
    m_ctx.desk->touchToken(m_token, m_ctx.clock->nowSec());
    const Account &a = *m_ctx.desk->account(m_loginid);

    auto listEntry = [](const Account &acc) {
        return QJsonObject{
            {QStringLiteral("account_category"), QStringLiteral("trading")},
            {QStringLiteral("account_type"), QStringLiteral("binary")},
            {QStringLiteral("broker"), acc.isVirtual ? QStringLiteral("VRTC") : QStringLiteral("CR")},
            {QStringLiteral("created_at"), acc.createdAt},
            {QStringLiteral("currency"), acc.currency},
            {QStringLiteral("currency_type"), QStringLiteral("fiat")},
            {QStringLiteral("is_disabled"), 0},
            {QStringLiteral("is_virtual"), acc.isVirtual ? 1 : 0},
            {QStringLiteral("landing_company_name"), acc.isVirtual ? QStringLiteral("virtual") : QStringLiteral("svg")},
            {QStringLiteral("linked_to"), QJsonArray()},
            {QStringLiteral("loginid"), acc.loginid},
        };
    };
    QJsonArray accounts{listEntry(a)};
    for (auto it = extra.cbegin(); it != extra.cend(); ++it)
        accounts.append(listEntry(*m_ctx.desk->account(it.key())));
    QJsonObject payload{
        {QStringLiteral("account_list"), accounts},
        {QStringLiteral("balance"), a.balance.toJson()},
        {QStringLiteral("country"), QStringLiteral("id")},
        {QStringLiteral("currency"), a.currency},
        {QStringLiteral("email"), QStringLiteral("sim@vigil.invalid")},
        {QStringLiteral("fullname"), QString()},
        {QStringLiteral("is_virtual"), a.isVirtual ? 1 : 0},
        {QStringLiteral("landing_company_fullname"), a.isVirtual ? QStringLiteral("Deriv Limited")
                                                                 : QStringLiteral("Deriv (SVG) LLC")},
        {QStringLiteral("landing_company_name"), a.isVirtual ? QStringLiteral("virtual") : QStringLiteral("svg")},
        {QStringLiteral("linked_to"), QJsonArray()},
        {QStringLiteral("local_currencies"), QJsonObject()},
        {QStringLiteral("loginid"), a.loginid},
        {QStringLiteral("preferred_language"), QStringLiteral("EN")},
        {QStringLiteral("scopes"), QJsonArray::fromStringList(t->scopes)},
        {QStringLiteral("upgradeable_landing_companies"), QJsonArray()},
        {QStringLiteral("user_id"), ReplyFormat::accountId(a.loginid)},
    };
    QJsonObject r = ReplyFormat::envelope(req, call);
    r.insert(call, payload);
    return r;
}

QJsonObject SimSession::logout(const QJsonObject &req)
{
    dropAuthenticatedStreams();
    m_token.clear();
    m_loginid.clear();
    m_extraTokens.clear();
    m_tokenRevoked = false;
    QJsonObject r = ReplyFormat::envelope(req, QStringLiteral("logout"));
    r.insert(QStringLiteral("logout"), 1);
    return r;
}

void SimSession::onTokenDeleted(const QString &token)
{
    // Deriv checks the token on every authenticated call and cancels the account's transaction-fed
    // streams when a token is deleted: the next authenticated call fails with InvalidToken and the
    // balance/transaction/proposal_open_contract streams stop (silently). Public streams stay.
    if (!m_token.isEmpty() && m_token == token) {
        m_tokenRevoked = true;
        dropAuthenticatedStreams();
    }
    for (auto it = m_extraTokens.begin(); it != m_extraTokens.end();) {
        if (it.value() == token)
            it = m_extraTokens.erase(it);
        else
            ++it;
    }
}

// ---------------------------------------------------------------------------------------------
// Streams

SimSession::Stream *SimSession::findStream(const QString &key)
{
    for (Stream &s : m_streams) {
        if (s.key == key)
            return &s;
    }
    return nullptr;
}

SimSession::Stream &SimSession::addStream(Stream stream)
{
    stream.id = newId();
    if (stream.type == s_proposal)
        m_ctx.proposalStreams[stream.budgetKey] += 1;
    m_streams.push_back(std::move(stream));
    return m_streams.back();
}

void SimSession::removeStream(const QString &id)
{
    for (auto it = m_streams.begin(); it != m_streams.end(); ++it) {
        if (it->id == id) {
            if (it->type == s_proposal)
                m_ctx.proposalStreams[it->budgetKey] -= 1;
            m_streams.erase(it);
            return;
        }
    }
}

void SimSession::dropAuthenticatedStreams()
{
    QStringList ids;
    for (const Stream &s : m_streams) {
        if (s.authenticated)
            ids.append(s.id);
    }
    for (const QString &id : std::as_const(ids))
        removeStream(id);
}

QJsonObject SimSession::streamFrame(const Stream &s) const
{
    QJsonObject f = ReplyFormat::envelope(s.request, s.msgType);
    f.insert(QStringLiteral("subscription"), subscription(s.id));
    return f;
}

QJsonObject SimSession::pocFrame(const Stream &s, qint64 contractId) const
{
    QJsonObject f = streamFrame(s);
    const Contract *c = m_ctx.desk->contract(contractId);
    QJsonObject poc;
    if (c) {
        const Account *a = m_ctx.desk->account(c->loginid());
        poc = ReplyFormat::openContract(*c, a->currency, m_ctx.market->lastTick(c->symbol().symbol), nowMs(),
                                        m_ctx.desk->resale());
        poc.insert(QStringLiteral("id"), s.id);
    }
    f.insert(s_poc, poc);
    return f;
}

void SimSession::onTick(const QString &symbol, const Tick &tick)
{
    if (m_closed || m_streams.empty())
        return;
    const SymbolSpec *spec = nullptr;
    for (Stream &s : m_streams) {
        if (s.symbol != symbol)
            continue;
        if (!spec)
            spec = findSymbol(symbol);
        QJsonObject f = streamFrame(s);
        if (s.type == s_ticks) {
            f.insert(QStringLiteral("tick"), ReplyFormat::tick(*spec, tick, s.id));
        } else if (s.type == s_candles) {
            const qint64 bucket = tick.epoch - tick.epoch % s.granularity;
            if (bucket != s.candleOpen) {
                s.candleOpen = bucket;
                s.open = s.high = s.low = tick.pips;
            }
            s.high = std::max(s.high, tick.pips);
            s.low = std::min(s.low, tick.pips);
            s.close = tick.pips;
            f.insert(QStringLiteral("ohlc"),
                     QJsonObject{{QStringLiteral("close"), spec->formatQuote(s.close)},
                                 {QStringLiteral("epoch"), tick.epoch},
                                 {QStringLiteral("granularity"), s.granularity},
                                 {QStringLiteral("high"), spec->formatQuote(s.high)},
                                 {QStringLiteral("id"), s.id},
                                 {QStringLiteral("low"), spec->formatQuote(s.low)},
                                 {QStringLiteral("open"), spec->formatQuote(s.open)},
                                 {QStringLiteral("open_time"), s.candleOpen},
                                 {QStringLiteral("pip_size"), spec->pipDecimals},
                                 {QStringLiteral("symbol"), symbol}});
        } else if (s.type == s_proposal) {
            f.insert(s_proposal, ReplyFormat::proposal(s.terms, tick, m_ctx.clock->nowSec(), s.id));
        } else {
            continue;
        }
        send(f);
    }
}

void SimSession::onContractChanged(const QString &loginid, qint64 contractId)
{
    if (m_closed || m_loginid.isEmpty() || (loginid != m_loginid && !m_extraTokens.contains(loginid)))
        return;
    const Contract *c = m_ctx.desk->contract(contractId);
    if (!c)
        return;
    QStringList finished;
    for (const Stream &s : m_streams) {
        if (s.type != s_poc || s.account != loginid)
            continue;
        if (s.contractId != 0 && s.contractId != contractId)
            continue;
        send(pocFrame(s, contractId));
        // A single-contract stream ends with the message that shows the contract sold.
        if (s.contractId != 0 && c->isSold())
            finished.append(s.id);
    }
    for (const QString &id : std::as_const(finished))
        removeStream(id);
}

QJsonObject SimSession::balanceObject(const QString &loginid, const QString &subscriptionId) const
{
    const Account *a = m_ctx.desk->account(loginid);
    QJsonObject b{{QStringLiteral("balance"), a->balance.toJson()},
                  {QStringLiteral("currency"), a->currency},
                  {QStringLiteral("loginid"), a->loginid}};
    if (!subscriptionId.isEmpty())
        b.insert(QStringLiteral("id"), subscriptionId);
    return b;
}

void SimSession::onTransaction(const QString &loginid, const Transaction &t)
{
    if (m_closed || m_loginid.isEmpty() || (loginid != m_loginid && !m_extraTokens.contains(loginid)))
        return;
    const Account *a = m_ctx.desk->account(loginid);
    for (const Stream &s : m_streams) {
        if (s.account != loginid)
            continue;
        if (s.type == s_transaction) {
            QJsonObject f = streamFrame(s);
            f.insert(s_transaction, ReplyFormat::transactionEvent(t, m_ctx.desk->contract(t.contractId), a->currency, s.id));
            send(f);
        } else if (s.type == s_balance) {
            QJsonObject f = streamFrame(s);
            QJsonObject b{{QStringLiteral("balance"), t.balanceAfter.toJson()},
                          {QStringLiteral("currency"), a->currency},
                          {QStringLiteral("id"), s.id},
                          {QStringLiteral("loginid"), loginid}};
            f.insert(s_balance, b);
            send(f);
        }
    }
}

void SimSession::onSiteStatusChanged()
{
    for (const Stream &s : m_streams) {
        if (s.type != s_websiteStatus)
            continue;
        QJsonObject f = streamFrame(s);
        f.insert(s_websiteStatus, ReplyFormat::websiteStatus(m_ctx.config.rateLimits, m_ctx.siteStatus));
        send(f);
    }
}

QJsonObject SimSession::forget(const QJsonObject &req)
{
    const QString id = req.value(QLatin1String("forget")).toString();
    bool found = false;
    for (const Stream &s : m_streams) {
        if (s.id == id)
            found = true;
    }
    if (found)
        removeStream(id);
    QJsonObject r = ReplyFormat::envelope(req, QStringLiteral("forget"));
    r.insert(QStringLiteral("forget"), found ? 1 : 0);
    return r;
}

QJsonObject SimSession::forgetAll(const QJsonObject &req)
{
    const QJsonValue v = req.value(QLatin1String("forget_all"));
    QStringList types;
    if (v.isString())
        types.append(v.toString());
    for (const QJsonValue &t : v.toArray())
        types.append(t.toString());
    QStringList ids;
    for (const Stream &s : m_streams) {
        if (types.contains(s.type))
            ids.append(s.id);
    }
    for (const QString &id : std::as_const(ids))
        removeStream(id);
    QJsonObject r = ReplyFormat::envelope(req, QStringLiteral("forget_all"));
    r.insert(QStringLiteral("forget_all"), QJsonArray::fromStringList(ids));
    return r;
}

// ---------------------------------------------------------------------------------------------
// Public calls

QJsonObject SimSession::websiteStatus(const QJsonObject &req)
{
    const QString call = QStringLiteral("website_status");
    QJsonObject r = ReplyFormat::envelope(req, call);
    if (req.value(QLatin1String("subscribe")).toInt() == 1) {
        if (findStream(call))
            return errorReply(req, call, brokerError("AlreadySubscribed",
                                                     QStringLiteral("You are already subscribed to website_status.")));
        Stream s;
        s.type = s_websiteStatus;
        s.msgType = s_websiteStatus;
        s.key = call;
        s.request = req;
        r.insert(QStringLiteral("subscription"), subscription(addStream(std::move(s)).id));
    }
    r.insert(call, ReplyFormat::websiteStatus(m_ctx.config.rateLimits, m_ctx.siteStatus));
    return r;
}

QJsonObject SimSession::activeSymbols(const QJsonObject &req)
{
    const bool full = req.value(QLatin1String("active_symbols")).toString() == QLatin1String("full");
    QJsonArray list;
    for (const SymbolSpec &s : symbolTable())
        list.append(ReplyFormat::activeSymbol(s, m_ctx.market->lastTick(s.symbol), full));
    QJsonObject r = ReplyFormat::envelope(req, QStringLiteral("active_symbols"));
    r.insert(QStringLiteral("active_symbols"), list);
    return r;
}

QJsonObject SimSession::contractsFor(const QJsonObject &req)
{
    const QString call = QStringLiteral("contracts_for");
    const SymbolSpec *spec = findSymbol(req.value(call).toString());
    if (!spec)
        return errorReply(req, call, brokerError("InvalidSymbol", QStringLiteral("The symbol is invalid.")));
    QJsonArray available;
    auto add = [&](const char *type, const char *category, const char *display, const char *barrierCategory,
                   const char *expiry, const char *minDur, const char *maxDur, const char *sentiment, bool digit) {
        QJsonObject o{
            {QStringLiteral("barrier_category"), QLatin1String(barrierCategory)},
            {QStringLiteral("barriers"), digit ? 1 : 0},
            {QStringLiteral("contract_category"), QLatin1String(category)},
            {QStringLiteral("contract_category_display"), QLatin1String(display)},
            {QStringLiteral("contract_type"), QLatin1String(type)},
            {QStringLiteral("exchange_name"), QStringLiteral("RANDOM")},
            {QStringLiteral("expiry_type"), QLatin1String(expiry)},
            {QStringLiteral("market"), QStringLiteral("synthetic_index")},
            {QStringLiteral("max_contract_duration"), QLatin1String(maxDur)},
            {QStringLiteral("min_contract_duration"), QLatin1String(minDur)},
            {QStringLiteral("sentiment"), QLatin1String(sentiment)},
            {QStringLiteral("start_type"), QStringLiteral("spot")},
            {QStringLiteral("submarket"), spec->submarket()},
            {QStringLiteral("underlying_symbol"), spec->symbol},
        };
        if (digit) {
            QJsonArray range;
            for (int d = 0; d <= 9; ++d)
                range.append(d);
            o.insert(QStringLiteral("last_digit_range"), range);
        }
        available.append(o);
    };
    for (const char *t : {"CALL", "PUT", "CALLE", "PUTE"}) {
        const bool up = t[0] == 'C';
        add(t, "callput", "Up/Down", "euro_atm", "tick", "1t", "10t", up ? "up" : "down", false);
        add(t, "callput", "Up/Down", "euro_atm", "intraday", "15s", "1d", up ? "up" : "down", false);
    }
    add("DIGITMATCH", "digits", "Digits", "non_financial", "tick", "1t", "10t", "match", true);
    add("DIGITDIFF", "digits", "Digits", "non_financial", "tick", "1t", "10t", "differ", true);
    add("DIGITOVER", "digits", "Digits", "non_financial", "tick", "1t", "10t", "over", true);
    add("DIGITUNDER", "digits", "Digits", "non_financial", "tick", "1t", "10t", "under", true);
    add("DIGITEVEN", "digits", "Digits", "non_financial", "tick", "1t", "10t", "even", false);
    add("DIGITODD", "digits", "Digits", "non_financial", "tick", "1t", "10t", "odd", false);
    QJsonObject r = ReplyFormat::envelope(req, call);
    r.insert(call, QJsonObject{{QStringLiteral("available"), available},
                               {QStringLiteral("close"), QJsonValue()},
                               {QStringLiteral("feed_license"), QStringLiteral("realtime")},
                               {QStringLiteral("hit_count"), available.size()},
                               {QStringLiteral("open"), QJsonValue()},
                               {QStringLiteral("spot"), spec->quoteToDouble(m_ctx.market->lastTick(spec->symbol).pips)}});
    return r;
}

SimSession::Outcome SimSession::ticks(const QJsonObject &req)
{
    const QString call = QStringLiteral("tick");
    const QJsonValue v = req.value(QLatin1String("ticks"));
    QStringList symbols;
    if (v.isString())
        symbols.append(v.toString());
    for (const QJsonValue &s : v.toArray())
        symbols.append(s.toString());
    symbols.removeDuplicates();
    for (const QString &symbol : std::as_const(symbols)) {
        if (!findSymbol(symbol))
            return {{errorReply(req, call, brokerError("InvalidSymbol", QStringLiteral("Symbol %1 invalid.").arg(symbol)))}};
        if (findStream(s_ticks + u':' + symbol))
            return {{errorReply(req, call, brokerError("AlreadySubscribed",
                                                       QStringLiteral("You are already subscribed to %1.").arg(symbol)))}};
    }
    for (const QString &symbol : std::as_const(symbols)) {
        Stream s;
        s.type = s_ticks;
        s.msgType = QStringLiteral("tick");
        s.key = s_ticks + u':' + symbol;
        s.request = req;
        s.symbol = symbol;
        addStream(std::move(s));
    }
    // Deriv sends the first tick message when the next tick arrives.
    return {};
}

QJsonObject SimSession::ticksHistory(const QJsonObject &req)
{
    const QString symbol = req.value(QLatin1String("ticks_history")).toString();
    const bool candles = req.value(QLatin1String("style")).toString() == QLatin1String("candles");
    const QString msgType = candles ? QStringLiteral("candles") : QStringLiteral("history");
    const SymbolSpec *spec = findSymbol(symbol);
    if (!spec)
        return errorReply(req, msgType, brokerError("InvalidSymbol", QStringLiteral("Symbol %1 invalid.").arg(symbol)));
    const QString endText = req.value(QLatin1String("end")).toString();
    const qint64 now = m_ctx.clock->nowSec();
    const qint64 end = endText == QLatin1String("latest") ? now : std::min(endText.toLongLong(), now);
    const qint64 start = req.contains(QLatin1String("start")) ? req.value(QLatin1String("start")).toInteger() : end - 86'400;
    if (start > end) {
        return errorReply(req, msgType, brokerError("InvalidStartEnd",
                                                    QStringLiteral("Start time %1 must be before end time %2").arg(start).arg(end)));
    }
    const int count = int(std::clamp<qint64>(req.value(QLatin1String("count")).toInteger(1000), 1, 5000));
    const bool subscribe = req.value(QLatin1String("subscribe")).toInt() == 1;
    const int granularity = req.value(QLatin1String("granularity")).toInt(60);
    const QString key = candles ? QStringLiteral("candles:%1:%2").arg(symbol).arg(granularity) : s_ticks + u':' + symbol;
    if (subscribe && findStream(key)) {
        return errorReply(req, msgType,
                          brokerError("AlreadySubscribed", QStringLiteral("You are already subscribed to %1.").arg(symbol)));
    }

    QJsonObject r = ReplyFormat::envelope(req, msgType);
    r.insert(QStringLiteral("pip_size"), spec->pipDecimals);
    Stream s;
    s.request = req;
    s.symbol = symbol;
    s.key = key;
    if (!candles) {
        QJsonArray prices;
        QJsonArray times;
        for (const Tick &t : m_ctx.market->history(symbol, start, end, count)) {
            prices.append(spec->quoteToDouble(t.pips));
            times.append(t.epoch);
        }
        r.insert(QStringLiteral("history"), QJsonObject{{QStringLiteral("prices"), prices}, {QStringLiteral("times"), times}});
        s.type = s_ticks;
        s.msgType = QStringLiteral("tick");
    } else {
        struct Candle
        {
            qint64 epoch, open, high, low, close;
        };
        QList<Candle> list;
        for (const Tick &t : m_ctx.market->history(symbol, start, end, std::numeric_limits<int>::max())) {
            const qint64 bucket = t.epoch - t.epoch % granularity;
            if (list.isEmpty() || list.last().epoch != bucket) {
                list.append(Candle{bucket, t.pips, t.pips, t.pips, t.pips});
            } else {
                Candle &c = list.last();
                c.high = std::max(c.high, t.pips);
                c.low = std::min(c.low, t.pips);
                c.close = t.pips;
            }
        }
        if (list.size() > count)
            list = list.mid(list.size() - count);
        QJsonArray out;
        for (const Candle &c : std::as_const(list)) {
            out.append(QJsonObject{{QStringLiteral("close"), spec->quoteToDouble(c.close)},
                                   {QStringLiteral("epoch"), c.epoch},
                                   {QStringLiteral("high"), spec->quoteToDouble(c.high)},
                                   {QStringLiteral("low"), spec->quoteToDouble(c.low)},
                                   {QStringLiteral("open"), spec->quoteToDouble(c.open)}});
        }
        r.insert(QStringLiteral("candles"), out);
        s.type = s_candles;
        s.msgType = QStringLiteral("ohlc");
        s.granularity = granularity;
        if (!list.isEmpty()) {
            const Candle &c = list.last();
            s.candleOpen = c.epoch;
            s.open = c.open;
            s.high = c.high;
            s.low = c.low;
            s.close = c.close;
        }
    }
    if (subscribe)
        r.insert(QStringLiteral("subscription"), subscription(addStream(std::move(s)).id));
    return r;
}

QJsonObject SimSession::proposal(const QJsonObject &req)
{
    const QString call = QStringLiteral("proposal");
    const qint64 nowSec = m_ctx.clock->nowSec();
    auto terms = ContractTerms::fromJson(req, limitsOf(m_ctx.config), nowSec);
    if (!terms.ok())
        return errorReply(req, call, terms.error());
    const Tick spot = m_ctx.market->lastTick(terms->symbol->symbol);
    QJsonObject r = ReplyFormat::envelope(req, call);
    if (req.value(QLatin1String("subscribe")).toInt() == 1) {
        QJsonObject identity = req;
        for (const char *k : {"req_id", "passthrough", "subscribe"})
            identity.remove(QLatin1String(k));
        const QString key = call + u':' + frameText(identity);
        if (findStream(key))
            return errorReply(req, call, brokerError("AlreadySubscribed", QStringLiteral("You are already subscribed to proposal.")));
        const QString budget = budgetKey();
        const int max = m_ctx.config.rateLimits.maxProposalSubscriptions;
        if (m_ctx.rateLimitsEnabled && m_ctx.proposalStreams.value(budget) >= max) {
            return errorReply(req, call,
                              brokerError("RateLimit", QStringLiteral("You have reached the limit of %1 concurrent proposal subscriptions.").arg(max)));
        }
        Stream s;
        s.type = s_proposal;
        s.msgType = s_proposal;
        s.key = key;
        s.request = req;
        s.symbol = terms->symbol->symbol;
        s.terms = *terms;
        s.budgetKey = budget;
        const QString id = addStream(std::move(s)).id;
        r.insert(call, ReplyFormat::proposal(*terms, spot, nowSec, id));
        r.insert(QStringLiteral("subscription"), subscription(id));
        return r;
    }
    const QString id = newId();
    m_proposals.insert(id, *terms);
    m_proposalOrder.append(id);
    // Bounded: a client pricing without ever buying must not grow the server without limit.
    while (m_proposalOrder.size() > 1000)
        m_proposals.remove(m_proposalOrder.takeFirst());
    r.insert(call, ReplyFormat::proposal(*terms, spot, nowSec, id));
    return r;
}

// ---------------------------------------------------------------------------------------------
// Trading

void SimSession::buy(const QJsonObject &req, const FaultInjector::Decision &decision)
{
    const QString call = QStringLiteral("buy");
    if (auto denied = requireAuth(req, call, {QStringLiteral("trade")})) {
        deliver(*denied, decision, nullptr);
        Q_EMIT requestHandled();
        return;
    }
    const QString loginid = accountFor(req);
    auto ticket = std::make_shared<BuyTicket>(m_ctx.desk, loginid, req.value(QLatin1String("passthrough")).toObject());
    auto fail = [&](const QJsonObject &reply) {
        deliver(reply, decision, ticket);
        Q_EMIT requestHandled();
    };

    ContractTerms terms;
    const QString proposalId = req.value(call).toString();
    if (proposalId == QLatin1String("1")) {
        if (!req.contains(QLatin1String("parameters"))) {
            fail(ReplyFormat::error(req, call, QStringLiteral("InputValidationFailed"),
                                    QStringLiteral("Input validation failed: parameters"),
                                    QJsonObject{{QStringLiteral("parameters"), QStringLiteral("Missing property.")}}));
            return;
        }
        auto parsed = ContractTerms::fromJson(req.value(QLatin1String("parameters")).toObject(), limitsOf(m_ctx.config),
                                              m_ctx.clock->nowSec());
        if (!parsed.ok()) {
            fail(errorReply(req, call, parsed.error()));
            return;
        }
        terms = *parsed;
    } else if (m_proposals.contains(proposalId)) {
        terms = m_proposals.take(proposalId);
        m_proposalOrder.removeOne(proposalId);
    } else {
        Stream *s = nullptr;
        for (Stream &st : m_streams) {
            if (st.type == s_proposal && st.id == proposalId)
                s = &st;
        }
        if (!s) {
            fail(errorReply(req, call, brokerError("InvalidContractProposal", QStringLiteral("Unknown contract proposal"))));
            return;
        }
        // A proposal id is single-use: buying it ends its stream.
        terms = s->terms;
        removeStream(proposalId);
    }
    const Money maxPrice = Money::fromJson(req.value(QLatin1String("price")), terms.stake.digits()).value_or(Money::zero());

    const int delay = m_ctx.faults->buyProcessingDelayMs();
    if (delay <= 0) {
        const QJsonObject reply = buyNow(req, terms, maxPrice);
        ticket->noteReply(reply);
        deliver(reply, decision, ticket);
        Q_EMIT requestHandled();
        return;
    }
    // The order is taken: it executes after the delay even if this connection is gone by then.
    QPointer<SimSession> self(this);
    SimContext *ctx = &m_ctx;
    QTimer::singleShot(delay, m_ctx.desk, [self, ctx, req, terms, maxPrice, decision, ticket, loginid] {
        if (self) {
            const QJsonObject reply = self->buyNow(req, terms, maxPrice);
            ticket->noteReply(reply);
            self->deliver(reply, decision, ticket);
            Q_EMIT self->requestHandled();
            return;
        }
        auto r = ctx->desk->buy(loginid, terms, maxPrice, ctx->clock->nowSec());
        if (r.ok()) {
            if (Account *a = ctx->desk->account(loginid))
                a->counters.buysCompleted += 1;
            ticket->noteContract((*r)->id());
        }
        ticket->release();
        ctx->desk->flush();
    });
}

QJsonObject SimSession::buyNow(const QJsonObject &req, const ContractTerms &terms, Money maxPrice)
{
    const QString call = QStringLiteral("buy");
    const QString loginid = accountFor(req);
    auto bought = m_ctx.desk->buy(loginid, terms, maxPrice, m_ctx.clock->nowSec());
    if (!bought.ok())
        return errorReply(req, call, bought.error());
    const Contract &c = **bought;
    Account &a = *m_ctx.desk->account(loginid);
    a.counters.buysCompleted += 1;
    QJsonObject r = ReplyFormat::envelope(req, call);
    r.insert(call, ReplyFormat::buyReceipt(c, a.balance));
    if (req.value(QLatin1String("subscribe")).toInt() == 1) {
        Stream s;
        s.type = s_poc;
        s.msgType = s_poc;
        s.key = QStringLiteral("poc:") + QString::number(c.id());
        s.request = req;
        s.authenticated = true;
        s.account = loginid;
        s.contractId = c.id();
        r.insert(QStringLiteral("subscription"), subscription(addStream(std::move(s)).id));
    }
    return r;
}

QJsonObject SimSession::sell(const QJsonObject &req)
{
    const QString call = QStringLiteral("sell");
    if (auto denied = requireAuth(req, call, {QStringLiteral("trade")}))
        return *denied;
    const QString loginid = accountFor(req);
    const Account *a = m_ctx.desk->account(loginid);
    Money minPrice = Money::fromJson(req.value(QLatin1String("price")), a->digits()).value_or(Money::zero(a->digits()));
    if (minPrice.isNegative())
        minPrice = Money::zero(a->digits());
    auto sold = m_ctx.desk->sell(loginid, req.value(call).toInteger(), minPrice, nowMs());
    if (!sold.ok())
        return errorReply(req, call, sold.error());
    const Contract &c = **sold;
    QJsonObject r = ReplyFormat::envelope(req, call);
    r.insert(call, QJsonObject{{QStringLiteral("balance_after"), a->balance.toJson()},
                               {QStringLiteral("contract_id"), c.id()},
                               {QStringLiteral("reference_id"), c.buyTransactionId()},
                               {QStringLiteral("sold_for"), c.sellPrice().toJson()},
                               {QStringLiteral("transaction_id"), c.sellTransactionId()}});
    return r;
}

SimSession::Outcome SimSession::openContracts(const QJsonObject &req)
{
    const QString call = s_poc;
    if (auto denied = requireAuth(req, call, {QStringLiteral("read"), QStringLiteral("trading_information")}))
        return {{*denied}};
    const QString loginid = accountFor(req);
    const bool subscribe = req.value(QLatin1String("subscribe")).toInt() == 1;
    const Account *a = m_ctx.desk->account(loginid);
    auto oneShot = [&](const Contract *c) {
        QJsonObject r = ReplyFormat::envelope(req, call);
        r.insert(call, c ? ReplyFormat::openContract(*c, a->currency, m_ctx.market->lastTick(c->symbol().symbol), nowMs(),
                                                     m_ctx.desk->resale())
                         : QJsonObject());
        return r;
    };

    if (req.contains(QLatin1String("contract_id"))) {
        const qint64 id = req.value(QLatin1String("contract_id")).toInteger();
        const Contract *c = m_ctx.desk->contract(id);
        if (!c || c->loginid() != loginid)
            return {{oneShot(nullptr)}};
        // A settled contract gets one answer and no subscription.
        if (!subscribe || c->isSold())
            return {{oneShot(c)}};
        const QString key = QStringLiteral("poc:") + QString::number(id);
        if (findStream(key)) {
            return {{errorReply(req, call, brokerError("AlreadySubscribed",
                                                       QStringLiteral("You are already subscribed to proposal_open_contract.")))}};
        }
        Stream s;
        s.type = s_poc;
        s.msgType = s_poc;
        s.key = key;
        s.request = req;
        s.authenticated = true;
        s.account = loginid;
        s.contractId = id;
        return {{pocFrame(addStream(std::move(s)), id)}};
    }

    QList<const Contract *> open;
    for (const Contract *c : m_ctx.desk->contracts(loginid)) {
        if (c->isOpen())
            open.append(c);
    }
    Outcome out;
    if (!subscribe) {
        for (const Contract *c : std::as_const(open))
            out.frames.append(oneShot(c));
        if (out.frames.isEmpty())
            out.frames.append(oneShot(nullptr));
        return out;
    }
    const QString key = QStringLiteral("poc:all");
    if (findStream(key)) {
        return {{errorReply(req, call, brokerError("AlreadySubscribed",
                                                   QStringLiteral("You are already subscribed to proposal_open_contract.")))}};
    }
    Stream s;
    s.type = s_poc;
    s.msgType = s_poc;
    s.key = key;
    s.request = req;
    s.authenticated = true;
    s.account = loginid;
    s.contractId = 0;
    const Stream &added = addStream(std::move(s));
    for (const Contract *c : std::as_const(open))
        out.frames.append(pocFrame(added, c->id()));
    if (out.frames.isEmpty())
        out.frames.append(pocFrame(added, 0));
    return out;
}

// ---------------------------------------------------------------------------------------------
// Account calls

QJsonObject SimSession::portfolio(const QJsonObject &req)
{
    const QString call = QStringLiteral("portfolio");
    if (auto denied = requireAuth(req, call, {QStringLiteral("read"), QStringLiteral("trading_information")}))
        return *denied;
    const QString loginid = accountFor(req);
    const Account *a = m_ctx.desk->account(loginid);
    QStringList types;
    for (const QJsonValue &v : req.value(QLatin1String("contract_type")).toArray())
        types.append(v.toString());
    QJsonArray list;
    for (const Contract *c : m_ctx.desk->contracts(loginid)) {
        if (c->isOpen() && (types.isEmpty() || types.contains(c->terms().contractType)))
            list.append(ReplyFormat::portfolioItem(*c, a->currency));
    }
    QJsonObject r = ReplyFormat::envelope(req, call);
    r.insert(call, QJsonObject{{QStringLiteral("contracts"), list}});
    return r;
}

QJsonObject SimSession::profitTable(const QJsonObject &req)
{
    const QString call = QStringLiteral("profit_table");
    if (auto denied = requireAuth(req, call, {QStringLiteral("read"), QStringLiteral("trading_information")}))
        return *denied;
    const QString loginid = accountFor(req);
    QStringList types;
    for (const QJsonValue &v : req.value(QLatin1String("contract_type")).toArray())
        types.append(v.toString());
    const qint64 from = req.contains(QLatin1String("date_from"))
        ? dateBound(req.value(QLatin1String("date_from")).toString(), false) : 0;
    const qint64 to = req.contains(QLatin1String("date_to")) ? dateBound(req.value(QLatin1String("date_to")).toString(), true)
                                                             : std::numeric_limits<qint64>::max();
    QList<const Contract *> sold;
    for (const Contract *c : m_ctx.desk->contracts(loginid)) {
        if (!c->isSold() || (!types.isEmpty() && !types.contains(c->terms().contractType)))
            continue;
        if (c->purchaseTime() < from || c->purchaseTime() > to)
            continue;
        sold.append(c);
    }
    const bool ascending = req.value(QLatin1String("sort")).toString(QStringLiteral("DESC")) == QLatin1String("ASC");
    std::stable_sort(sold.begin(), sold.end(), [ascending](const Contract *x, const Contract *y) {
        if (x->purchaseTime() != y->purchaseTime())
            return ascending ? x->purchaseTime() < y->purchaseTime() : x->purchaseTime() > y->purchaseTime();
        return ascending ? x->id() < y->id() : x->id() > y->id();
    });
    const int offset = int(req.value(QLatin1String("offset")).toInteger(0));
    const int limit = int(req.value(QLatin1String("limit")).toDouble(50));
    const bool description = req.value(QLatin1String("description")).toInt() == 1;
    QJsonArray list;
    for (qsizetype i = offset; i < sold.size() && list.size() < limit; ++i)
        list.append(ReplyFormat::profitTableItem(*sold[i], description));
    QJsonObject r = ReplyFormat::envelope(req, call);
    r.insert(call, QJsonObject{{QStringLiteral("count"), list.size()}, {QStringLiteral("transactions"), list}});
    return r;
}

QJsonObject SimSession::statement(const QJsonObject &req)
{
    const QString call = QStringLiteral("statement");
    if (auto denied = requireAuth(req, call, {QStringLiteral("read"), QStringLiteral("trading_information")}))
        return *denied;
    const Account *a = m_ctx.desk->account(accountFor(req));
    const QString action = req.value(QLatin1String("action_type")).toString();
    const qint64 from = req.value(QLatin1String("date_from")).toInteger(0);
    const qint64 to = req.contains(QLatin1String("date_to")) ? req.value(QLatin1String("date_to")).toInteger()
                                                             : std::numeric_limits<qint64>::max();
    const int offset = int(req.value(QLatin1String("offset")).toInteger(0));
    const int limit = int(req.value(QLatin1String("limit")).toDouble(100));
    const bool description = req.value(QLatin1String("description")).toInt() == 1;
    QJsonArray list;
    int skipped = 0;
    // Newest first.
    for (qsizetype i = a->transactions.size() - 1; i >= 0 && list.size() < limit; --i) {
        const Transaction &t = a->transactions[i];
        if ((!action.isEmpty() && t.action != action) || t.time < from || t.time > to)
            continue;
        if (skipped++ < offset)
            continue;
        list.append(ReplyFormat::statementItem(t, m_ctx.desk->contract(t.contractId), description));
    }
    QJsonObject r = ReplyFormat::envelope(req, call);
    r.insert(call, QJsonObject{{QStringLiteral("count"), list.size()}, {QStringLiteral("transactions"), list}});
    return r;
}

QJsonObject SimSession::transaction(const QJsonObject &req)
{
    const QString call = s_transaction;
    if (auto denied = requireAuth(req, call, {QStringLiteral("read"), QStringLiteral("trading_information")}))
        return *denied;
    const QString loginid = accountFor(req);
    const QString key = QStringLiteral("transaction:") + loginid;
    if (findStream(key))
        return errorReply(req, call, brokerError("AlreadySubscribed", QStringLiteral("You are already subscribed to transaction.")));
    Stream s;
    s.type = s_transaction;
    s.msgType = s_transaction;
    s.key = key;
    s.request = req;
    s.authenticated = true;
    s.account = loginid;
    const QString id = addStream(std::move(s)).id;
    QJsonObject r = ReplyFormat::envelope(req, call);
    r.insert(call, QJsonObject{{QStringLiteral("id"), id}});
    r.insert(QStringLiteral("subscription"), subscription(id));
    return r;
}

QJsonObject SimSession::balance(const QJsonObject &req)
{
    const QString call = s_balance;
    if (auto denied = requireAuth(req, call, {QStringLiteral("read"), QStringLiteral("trading_information")}))
        return *denied;
    const QString loginid = accountFor(req);
    const QString which = req.value(QLatin1String("account")).toString(QStringLiteral("current"));
    const bool all = which == QLatin1String("all");
    if (!all && which != QLatin1String("current") && which != loginid)
        return errorReply(req, call, brokerError("PermissionDenied", QStringLiteral("Permission denied.")));
    QString id;
    if (req.value(QLatin1String("subscribe")).toInt() == 1) {
        const QString key = QStringLiteral("balance:") + loginid;
        if (findStream(key))
            return errorReply(req, call, brokerError("AlreadySubscribed", QStringLiteral("You are already subscribed to balance.")));
        Stream s;
        s.type = s_balance;
        s.msgType = s_balance;
        s.key = key;
        s.request = req;
        s.authenticated = true;
        s.account = loginid;
        id = addStream(std::move(s)).id;
    }
    QJsonObject b = balanceObject(loginid, id);
    if (all) {
        QJsonObject accounts;
        Money real = Money::zero();
        Money demo = Money::zero();
        QStringList ids{loginid};
        ids.append(m_extraTokens.keys());
        for (const QString &l : std::as_const(ids)) {
            const Account *acc = m_ctx.desk->account(l);
            accounts.insert(l, QJsonObject{{QStringLiteral("balance"), acc->balance.toJson()},
                                           {QStringLiteral("converted_amount"), acc->balance.toJson()},
                                           {QStringLiteral("currency"), acc->currency},
                                           {QStringLiteral("demo_account"), acc->isVirtual ? 1 : 0},
                                           {QStringLiteral("status"), 1},
                                           {QStringLiteral("type"), QStringLiteral("deriv")}});
            (acc->isVirtual ? demo : real) += acc->balance;
        }
        const QString currency = m_ctx.desk->account(loginid)->currency;
        auto total = [&currency](Money m) {
            return QJsonObject{{QStringLiteral("amount"), m.toJson()}, {QStringLiteral("currency"), currency}};
        };
        b.insert(QStringLiteral("accounts"), accounts);
        b.insert(QStringLiteral("total"), QJsonObject{{QStringLiteral("deriv"), total(real)},
                                                      {QStringLiteral("deriv_demo"), total(demo)},
                                                      {QStringLiteral("mt5"), total(Money::zero())},
                                                      {QStringLiteral("mt5_demo"), total(Money::zero())}});
    }
    QJsonObject r = ReplyFormat::envelope(req, call);
    r.insert(call, b);
    if (!id.isEmpty())
        r.insert(QStringLiteral("subscription"), subscription(id));
    return r;
}

QJsonObject SimSession::apiToken(const QJsonObject &req)
{
    const QString call = QStringLiteral("api_token");
    if (auto denied = requireAuth(req, call, {QStringLiteral("admin")}))
        return *denied;
    const QString loginid = accountFor(req);
    QJsonObject payload;
    if (req.contains(QLatin1String("delete_token"))) {
        const QString value = req.value(QLatin1String("delete_token")).toString();
        const ApiToken *t = m_ctx.desk->token(value);
        if (!t || t->loginid != loginid)
            return errorReply(req, call, brokerError("InvalidToken", QStringLiteral("No token found")));
        m_ctx.desk->deleteToken(value);
        payload.insert(QStringLiteral("delete_token"), 1);
    }
    if (req.contains(QLatin1String("new_token"))) {
        QStringList scopes;
        for (const QJsonValue &v : req.value(QLatin1String("new_token_scopes")).toArray())
            scopes.append(v.toString());
        auto created = m_ctx.desk->createToken(loginid, req.value(QLatin1String("new_token")).toString(), scopes);
        if (!created.ok())
            return errorReply(req, call, created.error());
        payload.insert(QStringLiteral("new_token"), 1);
    }
    QJsonArray tokens;
    for (const ApiToken &t : m_ctx.desk->tokens(loginid))
        tokens.append(ReplyFormat::apiToken(t));
    payload.insert(QStringLiteral("tokens"), tokens);
    QJsonObject r = ReplyFormat::envelope(req, call);
    r.insert(call, payload);
    return r;
}

} // namespace Vigil::Sim
