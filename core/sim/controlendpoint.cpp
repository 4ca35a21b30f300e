// SPDX-License-Identifier: GPL-3.0-or-later
#include "controlendpoint.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonArray>
#include <QJsonDocument>

#include "sim/faultinjector.h"
#include "sim/simserver.h"

namespace Vigil::Sim {

namespace {
using Status = QHttpServerResponder::StatusCode;

QHttpServerResponse errorResponse(Status status, const QString &code, const QString &message)
{
    return QHttpServerResponse(
        QJsonObject{{QStringLiteral("error"), QJsonObject{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}}}},
        status);
}

bool isLoopback(const QHttpServerRequest &request)
{
    return request.remoteAddress().isLoopback();
}

// The JSON object body, or an error text.
std::optional<QJsonObject> body(const QHttpServerRequest &request, QString &error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(request.body(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        error = QStringLiteral("The body must be a JSON object");
        return std::nullopt;
    }
    return doc.object();
}
} // namespace

ControlEndpoint::ControlEndpoint(SimServer &server, QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_http(new QHttpServer(this))
{
    addRoutes();
}

ControlEndpoint::~ControlEndpoint() = default;

Result<quint16> ControlEndpoint::listen(quint16 port)
{
    const quint16 bound = m_http->listen(QHostAddress::LocalHost, port);
    if (bound == 0)
        return Error::make(ErrorKind::Configuration, QStringLiteral("ListenFailed"),
                           QStringLiteral("Cannot listen on 127.0.0.1:%1 for the control endpoint").arg(port));
    m_port = bound;
    return bound;
}

void ControlEndpoint::addRoutes()
{
    using Method = QHttpServerRequest::Method;
    // Every handler starts with the loopback check: the endpoint can create money and drop sessions.
    m_http->route(QStringLiteral("/stats"), Method::Get, [this](const QHttpServerRequest &request) {
        if (!isLoopback(request))
            return errorResponse(Status::Forbidden, QStringLiteral("Forbidden"), QStringLiteral("loopback only"));
        return QHttpServerResponse(m_server.stats().toJson());
    });

    m_http->route(QStringLiteral("/faults"), Method::Get, [this](const QHttpServerRequest &request) {
        if (!isLoopback(request))
            return errorResponse(Status::Forbidden, QStringLiteral("Forbidden"), QStringLiteral("loopback only"));
        QJsonArray rules;
        for (const FaultRule &r : m_server.faults().rules())
            rules.append(r.toJson());
        return QHttpServerResponse(QJsonObject{{QStringLiteral("rules"), rules},
                                               {QStringLiteral("buy_delay_ms"), m_server.faults().buyProcessingDelayMs()}});
    });

    m_http->route(QStringLiteral("/faults"), Method::Post, [this](const QHttpServerRequest &request) {
        if (!isLoopback(request))
            return errorResponse(Status::Forbidden, QStringLiteral("Forbidden"), QStringLiteral("loopback only"));
        QString why;
        const auto o = body(request, why);
        if (!o)
            return errorResponse(Status::BadRequest, QStringLiteral("BadRequest"), why);
        const auto rule = FaultRule::fromJson(*o);
        if (!rule.ok())
            return errorResponse(Status::BadRequest, rule.error().code, rule.error().message);
        const int id = m_server.faults().add(*rule);
        return QHttpServerResponse(QJsonObject{{QStringLiteral("id"), id}}, Status::Created);
    });

    m_http->route(QStringLiteral("/faults"), Method::Delete, [this](const QHttpServerRequest &request) {
        if (!isLoopback(request))
            return errorResponse(Status::Forbidden, QStringLiteral("Forbidden"), QStringLiteral("loopback only"));
        m_server.faults().clear();
        return QHttpServerResponse(QJsonObject{{QStringLiteral("cleared"), 1}});
    });

    m_http->route(QStringLiteral("/accounts"), Method::Post, [this](const QHttpServerRequest &request) {
        if (!isLoopback(request))
            return errorResponse(Status::Forbidden, QStringLiteral("Forbidden"), QStringLiteral("loopback only"));
        QString why;
        const auto o = body(request, why);
        if (!o)
            return errorResponse(Status::BadRequest, QStringLiteral("BadRequest"), why);
        AccountSpec spec;
        spec.token = o->value(QLatin1String("token")).toString();
        spec.currency = o->value(QLatin1String("currency")).toString(QStringLiteral("USD"));
        if (o->contains(QLatin1String("balance"))) {
            const auto balance = Money::fromJson(o->value(QLatin1String("balance")));
            if (!balance)
                return errorResponse(Status::BadRequest, QStringLiteral("balance"), QStringLiteral("'balance' must be an amount"));
            spec.balance = *balance;
        }
        if (o->contains(QLatin1String("scopes"))) {
            spec.scopes.clear();
            for (const QJsonValue &v : o->value(QLatin1String("scopes")).toArray())
                spec.scopes.append(v.toString());
        }
        spec.isVirtual = o->value(QLatin1String("virtual")).toBool(true);
        const auto loginid = m_server.addAccount(spec);
        if (!loginid.ok())
            return errorResponse(Status::BadRequest, loginid.error().code, loginid.error().message);
        return QHttpServerResponse(QJsonObject{{QStringLiteral("loginid"), *loginid}}, Status::Created);
    });

    m_http->route(QStringLiteral("/buy"), Method::Post, [this](const QHttpServerRequest &request) {
        if (!isLoopback(request))
            return errorResponse(Status::Forbidden, QStringLiteral("Forbidden"), QStringLiteral("loopback only"));
        QString why;
        const auto o = body(request, why);
        if (!o)
            return errorResponse(Status::BadRequest, QStringLiteral("BadRequest"), why);
        std::optional<Money> price;
        if (o->contains(QLatin1String("price")))
            price = Money::fromJson(o->value(QLatin1String("price")));
        const auto bought = m_server.buyDirect(o->value(QLatin1String("loginid")).toString(),
                                               o->value(QLatin1String("parameters")).toObject(), price);
        if (!bought.ok()) {
            const Status status = bought.error().kind == ErrorKind::Broker ? Status::Conflict : Status::BadRequest;
            return errorResponse(status, bought.error().code, bought.error().message);
        }
        return QHttpServerResponse(*bought);
    });

    m_http->route(QStringLiteral("/tokens/delete"), Method::Post, [this](const QHttpServerRequest &request) {
        if (!isLoopback(request))
            return errorResponse(Status::Forbidden, QStringLiteral("Forbidden"), QStringLiteral("loopback only"));
        QString why;
        const auto o = body(request, why);
        if (!o)
            return errorResponse(Status::BadRequest, QStringLiteral("BadRequest"), why);
        const bool deleted = m_server.deleteToken(o->value(QLatin1String("token")).toString());
        return QHttpServerResponse(QJsonObject{{QStringLiteral("deleted"), deleted ? 1 : 0}});
    });

    m_http->route(QStringLiteral("/time/advance"), Method::Post, [this](const QHttpServerRequest &request) {
        if (!isLoopback(request))
            return errorResponse(Status::Forbidden, QStringLiteral("Forbidden"), QStringLiteral("loopback only"));
        QString why;
        const auto o = body(request, why);
        if (!o)
            return errorResponse(Status::BadRequest, QStringLiteral("BadRequest"), why);
        const qint64 ms = o->value(QLatin1String("ms")).toInteger(-1);
        if (ms < 0)
            return errorResponse(Status::BadRequest, QStringLiteral("ms"), QStringLiteral("'ms' must be a non-negative integer"));
        m_server.advanceTime(ms);
        return QHttpServerResponse(QJsonObject{{QStringLiteral("now_ms"), m_server.nowMs()}});
    });

    m_http->route(QStringLiteral("/quotes"), Method::Post, [this](const QHttpServerRequest &request) {
        if (!isLoopback(request))
            return errorResponse(Status::Forbidden, QStringLiteral("Forbidden"), QStringLiteral("loopback only"));
        QString why;
        const auto o = body(request, why);
        if (!o)
            return errorResponse(Status::BadRequest, QStringLiteral("BadRequest"), why);
        QStringList quotes;
        for (const QJsonValue &v : o->value(QLatin1String("quotes")).toArray())
            quotes.append(v.isString() ? v.toString() : QString::number(v.toDouble(), 'f', 6));
        if (quotes.isEmpty() || !m_server.scriptQuotes(o->value(QLatin1String("symbol")).toString(), quotes))
            return errorResponse(Status::BadRequest, QStringLiteral("quotes"),
                                 QStringLiteral("'symbol' must be offered and 'quotes' decimal strings within its pip"));
        return QHttpServerResponse(QJsonObject{{QStringLiteral("queued"), quotes.size()}});
    });

    m_http->route(QStringLiteral("/rate_limits"), Method::Post, [this](const QHttpServerRequest &request) {
        if (!isLoopback(request))
            return errorResponse(Status::Forbidden, QStringLiteral("Forbidden"), QStringLiteral("loopback only"));
        QString why;
        const auto o = body(request, why);
        if (!o || !o->value(QLatin1String("enabled")).isBool())
            return errorResponse(Status::BadRequest, QStringLiteral("enabled"), QStringLiteral("'enabled' must be a boolean"));
        m_server.setRateLimitsEnabled(o->value(QLatin1String("enabled")).toBool());
        return QHttpServerResponse(QJsonObject{{QStringLiteral("enabled"), m_server.rateLimitsEnabled()}});
    });
}

} // namespace Vigil::Sim
