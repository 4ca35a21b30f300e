// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>

#include "deriv/ratelimiter.h"

namespace Vigil {

// What Vigil knows about each Deriv v3 call: whether it only reads (safe to send twice), whether it needs
// an authorized socket, and which rate-limit group it counts against. Pure and thread-safe.
class DerivCall
{
public:
    // The call a request names, e.g. "ticks" for {"ticks":"R_100","subscribe":1}; empty when the request
    // names no call this table knows.
    static QString nameOf(const QJsonObject &request);
    static bool isKnown(QStringView call);
    // Reads change nothing on the account: they may be re-sent after a reconnect. Unknown calls are writes.
    static bool isRead(QStringView call);
    static bool needsAuthorization(QStringView call);
    static RateLimiter::Group rateGroup(QStringView call);
};

} // namespace Vigil
