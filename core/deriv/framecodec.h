// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include "deriv/derivmessage.h"
#include "health/result.h"

namespace Vigil {

// Turns Deriv API v3 text frames into DerivMessage values and requests into frames. Pure (no QObject,
// no I/O, no logging), reentrant, safe to call from any thread; the libFuzzer target drives decode().
//
// decode() rejects, with an Error of kind Protocol whose code names the problem:
//   Oversized        the frame is larger than Options::maxFrameBytes (checked before parsing)
//   NotJson          not valid JSON (or not valid UTF-8)
//   NotObject        valid JSON that is not an object
//   MissingMsgType   no msg_type
//   BadMsgType       msg_type is not a non-empty string
//   BadReqId         req_id is not an integer (a number or a string of digits; fractions, other strings and
//                    out-of-range numbers are refused)
//   BadError         error is not an object, or its code/message/details have the wrong type
//   BadSubscription  subscription is not an object with a non-empty string id
//   BadEnvelope      echo_req or passthrough is not an object
// A reply without req_id is matched by echo_req.req_id. When a rejected frame still names a req_id, the
// Error's reqId carries it so the caller can fail the matching request instead of letting it time out.
class FrameCodec
{
public:
    struct Options
    {
        qsizetype maxFrameBytes = 4 * 1024 * 1024;
    };

    FrameCodec();
    explicit FrameCodec(Options options);

    // utf8: one text frame as received.
    Result<DerivMessage> decode(QByteArrayView utf8) const;
    Result<DerivMessage> decode(const QString &text) const;

    // A request as the compact JSON text frame Deriv expects.
    static QByteArray encode(const QJsonObject &request);

    // A loggable excerpt of a raw frame: secrets masked (Redactor plus a guard for a secret field whose
    // value is cut off), control characters replaced, at most maxChars characters (marked when cut).
    static QString excerpt(QStringView raw, int maxChars = 512);

    const Options &options() const { return m_options; }

private:
    Options m_options;
};

} // namespace Vigil
