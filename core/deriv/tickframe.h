// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QStringView>

namespace Vigil {

// Reads a live `tick` stream frame without building a JSON document: DerivClient's fast path for the
// message that arrives many times a second on every socket. Qt's JSON parser (FrameCodec) allocates a
// document per frame and costs five times what the socket itself does; this pass allocates nothing.
//
// It is an accelerator, never a second authority: read() answers only for a frame it is sure of and
// nullopt for everything else, which then takes FrameCodec's full decode (and its errors) as before.
// It is sure of a frame when
//   - the whole text is JSON it validates completely: ASCII only, no \u escapes, no exponents, numbers
//     of at most 40 characters, at most 32 levels deep, nothing but whitespace after the object
//     (a strict subset of what Qt accepts, so FrameCodec decodes every frame read() takes);
//   - msg_type is "tick", there is no error, subscription.id is a non-empty string, req_id (if any) a
//     positive integer, echo_req and passthrough (if any) objects, and a frame without req_id has no echo_req
//     (FrameCodec would take the req_id from there);
//   - tick has an integer epoch, a plain decimal quote of at most 18 digits, a non-empty symbol and, if
//     present, an integer pip_size; none of the keys read here appears twice and none is spelt with escapes.
// Views point into the frame given to read(). Pure, reentrant; the libFuzzer target checks it against
// FrameCodec on every input.
class TickFrame
{
public:
    QStringView subscriptionId;
    QStringView symbol;
    qint64 reqId = 0;       // 0 when the frame has none
    qint64 epoch = 0;       // seconds
    qint64 quoteUnits = 0;  // the quote exactly as written: quoteUnits × 10^-quoteDecimals
    int quoteDecimals = 0;
    int pipSize = -1;       // decimals of the symbol's quotes, -1 when the frame does not say

    static std::optional<TickFrame> read(QStringView frame);
};

} // namespace Vigil
