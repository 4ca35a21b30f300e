// SPDX-License-Identifier: GPL-3.0-or-later
#include "scriptedderivserver.h"

#include <limits>

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

namespace Vigil::Test {

namespace {
const QStringList s_calls = {QStringLiteral("active_symbols"), QStringLiteral("authorize"), QStringLiteral("balance"),
                             QStringLiteral("buy"), QStringLiteral("forget"), QStringLiteral("forget_all"),
                             QStringLiteral("ping"), QStringLiteral("portfolio"), QStringLiteral("profit_table"),
                             QStringLiteral("proposal"), QStringLiteral("proposal_open_contract"),
                             QStringLiteral("sell"), QStringLiteral("sell_expired"), QStringLiteral("statement"), QStringLiteral("ticks_history"),
                             QStringLiteral("ticks"), QStringLiteral("time"), QStringLiteral("transaction"),
                             QStringLiteral("website_status")};

QString callOf(const QJsonObject &request)
{
    for (const QString &c : s_calls) {
        if (request.contains(c))
            return c;
    }
    return request.isEmpty() ? QString() : request.begin().key();
}

QJsonObject echoOf(QJsonObject request)
{
    if (request.contains(QLatin1String("authorize")))
        request.insert(QStringLiteral("authorize"), QStringLiteral("<not shown>"));
    return request;
}
} // namespace

ScriptedDerivServer::ScriptedDerivServer(QObject *parent)
    : QObject(parent)
    , m_server(new QWebSocketServer(QStringLiteral("scripted-deriv"), QWebSocketServer::NonSecureMode, this))
    , m_tickTimer(new QTimer(this))
{
    m_elapsed.start();
    connect(m_server, &QWebSocketServer::newConnection, this, &ScriptedDerivServer::onNewConnection);
    connect(m_tickTimer, &QTimer::timeout, this, &ScriptedDerivServer::generateTicks);
}

ScriptedDerivServer::~ScriptedDerivServer()
{
    for (Connection &c : m_sockets) {
        c.socket->disconnect(this);
        c.socket->abort();
    }
}

bool ScriptedDerivServer::listen()
{
    return m_server->listen(QHostAddress::LocalHost, 0);
}

QUrl ScriptedDerivServer::url() const
{
    return QUrl(QStringLiteral("ws://127.0.0.1:%1/websockets/v3?app_id=1089").arg(m_server->serverPort()));
}

void ScriptedDerivServer::setScript(const QString &call, Script script)
{
    m_scripts.insert(call, std::move(script));
}

void ScriptedDerivServer::clearScript(const QString &call)
{
    m_scripts.remove(call);
}

void ScriptedDerivServer::setTickIntervalMs(int ms)
{
    if (ms > 0)
        m_tickTimer->start(ms);
    else
        m_tickTimer->stop();
}

void ScriptedDerivServer::onNewConnection()
{
    while (QWebSocket *socket = m_server->nextPendingConnection()) {
        const int id = ++m_nextConnection;
        socket->setParent(this);
        m_sockets.insert(id, Connection{socket, false, {}});
        connect(socket, &QWebSocket::textMessageReceived, this, [this, id](const QString &text) { onText(id, text); });
        connect(socket, &QWebSocket::disconnected, this, [this, id] {
            const auto it = m_sockets.find(id);
            if (it == m_sockets.end())
                return;
            it->socket->deleteLater();
            m_sockets.erase(it);
            Q_EMIT clientDisconnected(id);
        });
        Q_EMIT clientConnected(id);
    }
}

void ScriptedDerivServer::onText(int connection, const QString &text)
{
    const QJsonObject request = QJsonDocument::fromJson(text.toUtf8()).object();
    const QString call = callOf(request);
    m_received.append(Received{connection, request, call, m_elapsed.elapsed()});
    Q_EMIT requestReceived(connection, request);
    if (!m_sockets.contains(connection))
        return; // a slot dropped it
    const auto script = m_scripts.constFind(call);
    if (script != m_scripts.cend() && (*script)(connection, request))
        return;
    handleDefault(connection, request, call);
}

void ScriptedDerivServer::reply(int connection, const QJsonObject &request, const QJsonObject &fields)
{
    QJsonObject frame = fields;
    const QString call = callOf(request);
    if (!frame.contains(QLatin1String("msg_type")))
        frame.insert(QStringLiteral("msg_type"), call == QLatin1String("ticks") ? QStringLiteral("tick")
                                                   : call == QLatin1String("ticks_history") ? QStringLiteral("history")
                                                                                            : call);
    frame.insert(QStringLiteral("echo_req"), echoOf(request));
    if (request.contains(QLatin1String("req_id")))
        frame.insert(QStringLiteral("req_id"), request.value(QLatin1String("req_id")));
    sendJson(connection, frame);
}

void ScriptedDerivServer::replyError(int connection, const QJsonObject &request, const QString &code,
                                     const QString &message, const QJsonObject &details)
{
    QJsonObject error{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}};
    if (!details.isEmpty())
        error.insert(QStringLiteral("details"), details);
    reply(connection, request, {{QStringLiteral("error"), error}});
}

void ScriptedDerivServer::sendJson(int connection, const QJsonObject &frame)
{
    sendText(connection, QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
}

void ScriptedDerivServer::sendText(int connection, const QString &text)
{
    const auto it = m_sockets.constFind(connection);
    if (it != m_sockets.cend())
        it->socket->sendTextMessage(text);
}

void ScriptedDerivServer::sendBinary(int connection, const QByteArray &data)
{
    const auto it = m_sockets.constFind(connection);
    if (it != m_sockets.cend())
        it->socket->sendBinaryMessage(data);
}

QList<ScriptedDerivServer::Received> ScriptedDerivServer::received(const QString &call) const
{
    QList<Received> out;
    for (const Received &r : m_received) {
        if (r.call == call)
            out.append(r);
    }
    return out;
}

QMap<QString, QString> ScriptedDerivServer::subscriptions(int connection) const
{
    QMap<QString, QString> out;
    const auto it = m_sockets.constFind(connection);
    if (it == m_sockets.cend())
        return out;
    for (auto s = it->subscriptions.cbegin(); s != it->subscriptions.cend(); ++s)
        out.insert(s.key(), s->call + u':' + s->target);
    return out;
}

ScriptedDerivServer::Tick &ScriptedDerivServer::ensureSymbol(const QString &symbol)
{
    QList<Tick> &h = m_history[symbol];
    if (h.isEmpty())
        h.append(Tick{1'700'000'000, 1000.0});
    return h.last();
}

qint64 ScriptedDerivServer::lastEpoch(const QString &symbol) const
{
    const auto it = m_history.constFind(symbol);
    return it == m_history.cend() || it->isEmpty() ? 0 : it->last().epoch;
}

QJsonObject ScriptedDerivServer::tickFields(const QString &symbol, const Tick &tick) const
{
    return {{QStringLiteral("symbol"), symbol},
            {QStringLiteral("epoch"), tick.epoch},
            {QStringLiteral("quote"), tick.quote},
            {QStringLiteral("pip_size"), 2}};
}

void ScriptedDerivServer::pushTick(const QString &symbol)
{
    const Tick last = ensureSymbol(symbol);
    const Tick next{last.epoch + 1, 1000.0 + double((last.epoch + 1) % 1000) / 100.0};
    m_history[symbol].append(next);
    for (auto c = m_sockets.begin(); c != m_sockets.end(); ++c) {
        for (auto s = c->subscriptions.cbegin(); s != c->subscriptions.cend(); ++s) {
            if (s->call == QLatin1String("ticks") && s->target == symbol) {
                reply(c.key(), s->request, {{QStringLiteral("tick"), tickFields(symbol, next)},
                                            {QStringLiteral("subscription"), QJsonObject{{QStringLiteral("id"), s.key()}}}});
            }
        }
    }
}

void ScriptedDerivServer::generateTicks()
{
    const QStringList symbols = m_history.keys();
    for (const QString &symbol : symbols)
        pushTick(symbol);
}

void ScriptedDerivServer::sellContract(qint64 contractId)
{
    m_soldContracts.insert(contractId);
    const QString target = QString::number(contractId);
    for (auto c = m_sockets.begin(); c != m_sockets.end(); ++c) {
        for (auto s = c->subscriptions.begin(); s != c->subscriptions.end();) {
            if (s->call == QLatin1String("proposal_open_contract") && s->target == target) {
                reply(c.key(), s->request,
                      {{QStringLiteral("proposal_open_contract"),
                        QJsonObject{{QStringLiteral("contract_id"), contractId},
                                    {QStringLiteral("status"), QStringLiteral("won")},
                                    {QStringLiteral("is_sold"), 1},
                                    {QStringLiteral("sell_price"), 19.53}}},
                       {QStringLiteral("subscription"), QJsonObject{{QStringLiteral("id"), s.key()}}}});
                s = c->subscriptions.erase(s);
            } else {
                ++s;
            }
        }
    }
}

void ScriptedDerivServer::dropAll()
{
    const QList<int> ids = m_sockets.keys();
    for (int id : ids) {
        Connection c = m_sockets.take(id);
        c.socket->disconnect(this);
        c.socket->abort();
        c.socket->deleteLater();
        Q_EMIT clientDisconnected(id);
    }
}

QString ScriptedDerivServer::subscribe(int connection, const QJsonObject &request, const QString &call, const QString &target)
{
    Connection &c = m_sockets[connection];
    for (const Subscription &s : std::as_const(c.subscriptions)) {
        if (s.call == call && s.target == target) {
            replyError(connection, request, QStringLiteral("AlreadySubscribed"),
                       QStringLiteral("You are already subscribed to %1.").arg(target));
            return {};
        }
    }
    const QString id = QStringLiteral("sub-%1-%2").arg(connection).arg(++m_nextSubscription);
    c.subscriptions.insert(id, Subscription{call, target, request});
    return id;
}

void ScriptedDerivServer::handleDefault(int connection, const QJsonObject &request, const QString &call)
{
    Connection &c = m_sockets[connection];
    static const QSet<QString> needsAuth = {QStringLiteral("balance"), QStringLiteral("transaction"),
                                            QStringLiteral("proposal_open_contract"), QStringLiteral("portfolio"),
                                            QStringLiteral("statement"), QStringLiteral("profit_table"),
                                            QStringLiteral("buy"), QStringLiteral("sell")};
    if (needsAuth.contains(call) && !c.authorized) {
        replyError(connection, request, QStringLiteral("AuthorizationRequired"), QStringLiteral("Please log in."));
        return;
    }
    const auto subscriptionField = [](const QString &id) {
        return QJsonObject{{QStringLiteral("id"), id}};
    };

    if (call == QLatin1String("authorize")) {
        if (request.value(call).toString() != m_validToken) {
            replyError(connection, request, QStringLiteral("InvalidToken"), QStringLiteral("The token is invalid."));
            return;
        }
        c.authorized = true;
        reply(connection, request,
              {{QStringLiteral("authorize"),
                QJsonObject{{QStringLiteral("loginid"), QStringLiteral("CR90000001")},
                            {QStringLiteral("currency"), QStringLiteral("USD")},
                            {QStringLiteral("balance"), 1000},
                            {QStringLiteral("is_virtual"), 1},
                            {QStringLiteral("scopes"), QJsonArray{QStringLiteral("read"), QStringLiteral("trade")}}}}});
    } else if (call == QLatin1String("ping")) {
        if (m_answerPings)
            reply(connection, request, {{QStringLiteral("ping"), QStringLiteral("pong")}});
    } else if (call == QLatin1String("time")) {
        reply(connection, request, {{QStringLiteral("time"), 1'700'000'000}});
    } else if (call == QLatin1String("ticks")) {
        const QString symbol = request.value(call).toString();
        const Tick tick = ensureSymbol(symbol);
        const QString id = subscribe(connection, request, call, symbol);
        if (!id.isEmpty())
            reply(connection, request, {{QStringLiteral("tick"), tickFields(symbol, tick)},
                                        {QStringLiteral("subscription"), subscriptionField(id)}});
    } else if (call == QLatin1String("ticks_history")) {
        const QString symbol = request.value(call).toString();
        const qint64 start = request.value(QLatin1String("start")).toInteger(0);
        const QString endText = request.value(QLatin1String("end")).toString();
        const qint64 end = endText == QLatin1String("latest") ? std::numeric_limits<qint64>::max() : endText.toLongLong();
        const int count = request.value(QLatin1String("count")).toInt(1000);
        QJsonArray prices;
        QJsonArray times;
        QList<Tick> hits;
        for (const Tick &t : std::as_const(m_history[symbol])) {
            if (t.epoch >= start && t.epoch <= end)
                hits.append(t);
        }
        if (hits.size() > count)
            hits = hits.mid(hits.size() - count);
        for (const Tick &t : std::as_const(hits)) {
            prices.append(t.quote);
            times.append(t.epoch);
        }
        reply(connection, request, {{QStringLiteral("history"), QJsonObject{{QStringLiteral("prices"), prices},
                                                                            {QStringLiteral("times"), times}}},
                                    {QStringLiteral("pip_size"), 2}});
    } else if (call == QLatin1String("forget")) {
        const bool removed = c.subscriptions.remove(request.value(call).toString()) > 0;
        reply(connection, request, {{QStringLiteral("forget"), removed ? 1 : 0}});
    } else if (call == QLatin1String("balance") || call == QLatin1String("transaction")) {
        QJsonObject fields{{call, call == QLatin1String("balance")
                                      ? QJsonObject{{QStringLiteral("balance"), 1000}, {QStringLiteral("currency"), QStringLiteral("USD")}}
                                      : QJsonObject{}}};
        if (request.value(QLatin1String("subscribe")).toInt() == 1) {
            const QString id = subscribe(connection, request, call, QString());
            if (id.isEmpty())
                return;
            fields.insert(QStringLiteral("subscription"), subscriptionField(id));
        }
        reply(connection, request, fields);
    } else if (call == QLatin1String("proposal_open_contract")) {
        const qint64 contractId = request.value(QLatin1String("contract_id")).toInteger();
        const bool sold = m_soldContracts.contains(contractId);
        QJsonObject poc{{QStringLiteral("contract_id"), contractId},
                        {QStringLiteral("status"), sold ? QStringLiteral("won") : QStringLiteral("open")},
                        {QStringLiteral("is_sold"), sold ? 1 : 0}};
        QJsonObject fields{{call, poc}};
        if (!sold && request.value(QLatin1String("subscribe")).toInt() == 1) {
            const QString id = subscribe(connection, request, call, QString::number(contractId));
            if (id.isEmpty())
                return;
            fields.insert(QStringLiteral("subscription"), subscriptionField(id));
        }
        reply(connection, request, fields);
    } else if (call == QLatin1String("portfolio")) {
        reply(connection, request, {{call, QJsonObject{{QStringLiteral("contracts"), QJsonArray{}}}}});
    } else if (call == QLatin1String("statement") || call == QLatin1String("profit_table")) {
        reply(connection, request, {{call, QJsonObject{{QStringLiteral("count"), 0}, {QStringLiteral("transactions"), QJsonArray{}}}}});
    } else if (call == QLatin1String("buy")) {
        reply(connection, request, {{call, QJsonObject{{QStringLiteral("contract_id"), 555001},
                                                       {QStringLiteral("transaction_id"), 777001},
                                                       {QStringLiteral("buy_price"), 10}}}});
    } else {
        reply(connection, request, {{QStringLiteral("msg_type"), QStringLiteral("error")},
                                    {QStringLiteral("error"), QJsonObject{{QStringLiteral("code"), QStringLiteral("UnrecognisedRequest")},
                                                                          {QStringLiteral("message"), QStringLiteral("Unrecognised request.")}}}});
    }
}

} // namespace Vigil::Test
