// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QString>

namespace Vigil {

// What kind of failure an Error is. Callers switch on this (and on code for Broker errors).
enum class ErrorKind {
    Broker,          // the server answered with error{code,message,details}; code holds Deriv's code
    OutcomeUnknown,  // the request left, the reply never came (socket dropped): it may have taken effect
    NotSent,         // the request never left the process (no socket, gate closed, limiter refused)
    Timeout,         // no reply within the deadline on a live socket: also outcome unknown for writes
    RateLimited,     // client-side limiter or server RateLimit
    InvalidInput,    // bad user/config input; message names the field
    Protocol,        // malformed frame or unexpected reply shape
    Storage,         // journal / SQL failure
    Coordination,    // locks, leases, fencing
    Configuration,   // bad config file or settings
    Internal,        // a bug
    Cancelled,       // the caller or a stop cancelled it
};

QString errorKindName(ErrorKind kind);

// A failure with the context needed to act on it and to log it. A value type: crosses threads freely.
struct Error
{
    ErrorKind kind = ErrorKind::Internal;
    QString code;        // Deriv error code for Broker errors ("InvalidToken"), else a short stable name
    QString message;     // human readable, safe to show (never holds a secret)
    QJsonObject details; // Deriv's error.details, or extra context
    QString msgType;     // the request it belongs to, when there is one
    qint64 reqId = 0;
    QString account;     // login id
    QString bot;

    static Error make(ErrorKind kind, const QString &code, const QString &message);
    static Error broker(const QString &code, const QString &message, const QJsonObject &details = {});

    bool is(const char *brokerCode) const;
    // The write may have happened: only reconciliation can tell.
    bool isOutcomeUnknown() const { return kind == ErrorKind::OutcomeUnknown || kind == ErrorKind::Timeout; }
    // Re-trying on a fresh connection will not help (token revoked, account disabled, scope missing).
    bool isFinalForSession() const;

    QString toString() const;
    QJsonObject toJson() const;
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::Error)
