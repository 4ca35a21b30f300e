// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the Deriv frame codec: any byte string must decode to a message or a Protocol error,
// never crash, hang or trip a sanitizer; what decodes must survive a re-encode; excerpts stay short. The
// typed-tick fast path (TickFrame) is checked against it: whatever it reads, the codec decodes to the same.
#include <cstddef>
#include <cstdint>

#include <QByteArrayView>
#include <QString>

#include <cmath>

#include <QJsonObject>

#include "deriv/framecodec.h"
#include "deriv/tickframe.h"

namespace {

[[noreturn]] void fail()
{
    __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using Vigil::FrameCodec;
    static const FrameCodec codec(FrameCodec::Options{64 * 1024});
    static const FrameCodec unlimited(FrameCodec::Options{qsizetype(1) << 40});

    const QByteArrayView frame(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto decoded = codec.decode(frame);
    if (decoded.ok()) {
        const Vigil::DerivMessage &m = decoded.value();
        if (m.msgType.isEmpty() || (m.error && m.error->code.isEmpty()))
            fail();
        if (m.isStream() && m.subscriptionId.isEmpty())
            fail();
        // What decoded once decodes again, to the same envelope, after a round trip through encode().
        const QByteArray again = FrameCodec::encode(m.json);
        const auto redecoded = unlimited.decode(QByteArrayView(again));
        if (!redecoded.ok())
            fail();
        const Vigil::DerivMessage &r = redecoded.value();
        if (r.msgType != m.msgType || r.reqId != m.reqId || r.subscriptionId != m.subscriptionId
            || r.isError() != m.isError())
            fail();
    } else {
        const Vigil::Error &e = decoded.error();
        if (e.kind != Vigil::ErrorKind::Protocol || e.code.isEmpty())
            fail();
    }
    // The fast path reads a frame as the client gets it (text), and only what the codec reads alike.
    const QString text = QString::fromUtf8(frame);
    if (const std::optional<Vigil::TickFrame> t = Vigil::TickFrame::read(text)) {
        const auto full = unlimited.decode(text);
        if (!full.ok())
            fail();
        const Vigil::DerivMessage &m = full.value();
        const QJsonObject tick = m.body.toObject();
        const QJsonValue pip = tick.value(QLatin1String("pip_size"));
        if (m.msgType != QLatin1String("tick") || m.isError() || m.subscriptionId != t->subscriptionId
            || m.reqId.value_or(0) != t->reqId || tick.value(QLatin1String("symbol")).toString() != t->symbol
            || tick.value(QLatin1String("epoch")).toInteger(-1) != t->epoch
            || (t->pipSize < 0 ? !pip.isUndefined() : pip.toInteger(-1) != t->pipSize))
            fail();
        if (std::abs(t->quoteUnits) < (qint64(1) << 53)
            && tick.value(QLatin1String("quote")).toDouble() != double(t->quoteUnits) / std::pow(10.0, t->quoteDecimals))
            fail();
    }
    // Every rejected frame is logged through excerpt(): it must be bounded whatever the input.
    const QString excerpt = FrameCodec::excerpt(text, 512);
    if (excerpt.size() > 512)
        fail();
    return 0;
}
