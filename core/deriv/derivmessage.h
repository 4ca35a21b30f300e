// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include "health/error.h"

namespace Vigil {

// One decoded Deriv API v3 frame (a value type; produced by FrameCodec::decode).
struct DerivMessage
{
    QString msgType;             // "tick", "buy", "proposal_open_contract", ...
    std::optional<qint64> reqId; // the frame's req_id (a number or a digit string), else echo_req's
    QString subscriptionId;      // subscription.id of a stream message, empty otherwise
    std::optional<Error> error;  // the frame's error{code,message,details}: kind Broker, msgType/reqId filled
    QJsonValue body;             // the payload under the msg_type key (undefined when absent)
    QJsonObject echoReq;         // echo_req, empty when absent
    QJsonObject json;            // the whole frame

    bool isError() const { return error.has_value(); }
    bool isStream() const { return !subscriptionId.isEmpty(); }
};

} // namespace Vigil
