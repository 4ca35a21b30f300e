// SPDX-License-Identifier: GPL-3.0-or-later
#include "framecodec.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>

#include "deriv/derivfields.h"
#include "health/redactor.h"

namespace Vigil {

namespace {

// The request a reply answers: its req_id, an integer written as a JSON number or a string of digits (some
// servers echo it back as text); when a reply (typically an error) leaves it out, the one in echo_req.
std::optional<qint64> replyReqId(const QJsonObject &frame)
{
    for (const QJsonValue &v : {frame.value(QLatin1String("req_id")),
                                frame.value(QLatin1String("echo_req")).toObject().value(QLatin1String("req_id"))}) {
        if (v.isUndefined())
            continue;
        const std::optional<qint64> id = DerivFields::integer(v);
        return id && *id > 0 ? id : std::nullopt;
    }
    return std::nullopt;
}

// The req_id of a frame too broken to parse (a reply cut short, or split in two frames): every complete
// "req_id":<n> in the text, when they all agree. A number must be followed by , } or ] (a cut could turn 42
// into 4). Nothing when they disagree: a wrong guess would fail an unrelated request.
qint64 salvageReqId(QByteArrayView utf8)
{
    static const QRegularExpression re(QStringLiteral(R"re("req_id"\s*:\s*("?)(\d{1,18})\1\s*[,}\]])re"));
    qint64 found = 0;
    QRegularExpressionMatchIterator it = re.globalMatch(QString::fromUtf8(utf8));
    while (it.hasNext()) {
        const qint64 id = it.next().captured(2).toLongLong();
        if (id <= 0 || (found != 0 && id != found))
            return 0;
        found = id;
    }
    return found;
}

Error reject(const char *code, const QString &message, const QJsonObject &frame = {})
{
    Error e = Error::make(ErrorKind::Protocol, QString::fromLatin1(code), message);
    // Let the caller fail the request the broken reply belongs to.
    if (const std::optional<qint64> reqId = replyReqId(frame))
        e.reqId = *reqId;
    const QJsonValue msgType = frame.value(QLatin1String("msg_type"));
    if (msgType.isString())
        e.msgType = msgType.toString();
    return e;
}

} // namespace

FrameCodec::FrameCodec() = default;

FrameCodec::FrameCodec(Options options) : m_options(options) {}

Result<DerivMessage> FrameCodec::decode(const QString &text) const
{
    // A UTF-16 code unit never takes less than one UTF-8 byte: refuse huge frames before converting them.
    if (text.size() > m_options.maxFrameBytes)
        return reject("Oversized", QStringLiteral("frame of at least %1 bytes exceeds the %2 byte limit")
                                       .arg(text.size()).arg(m_options.maxFrameBytes));
    return decode(QByteArrayView(text.toUtf8()));
}

Result<DerivMessage> FrameCodec::decode(QByteArrayView utf8) const
{
    if (utf8.size() > m_options.maxFrameBytes)
        return reject("Oversized", QStringLiteral("frame of %1 bytes exceeds the %2 byte limit")
                                       .arg(utf8.size()).arg(m_options.maxFrameBytes));

    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(utf8.toByteArray(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        // Qt only parses arrays and objects at the top level: a bare scalar is valid JSON, just not an object.
        const QByteArray wrapped = '[' + utf8.toByteArray() + ']';
        QJsonParseError scalarError{};
        const QJsonDocument scalar = QJsonDocument::fromJson(wrapped, &scalarError);
        if (scalarError.error == QJsonParseError::NoError && scalar.array().size() == 1)
            return reject("NotObject", QStringLiteral("frame is JSON but not an object"));
        Error e = reject("NotJson", QStringLiteral("not JSON: %1 at offset %2").arg(parseError.errorString()).arg(parseError.offset));
        // Let the caller fail the request a reply cut short belongs to, rather than wait for its timeout.
        e.reqId = salvageReqId(utf8);
        return e;
    }
    if (!doc.isObject())
        return reject("NotObject", QStringLiteral("frame is JSON but not an object"));

    DerivMessage m;
    m.json = doc.object();
    const QJsonObject &o = m.json;

    const QJsonValue msgType = o.value(QLatin1String("msg_type"));
    if (msgType.isUndefined())
        return reject("MissingMsgType", QStringLiteral("frame has no msg_type"), o);
    if (!msgType.isString() || msgType.toString().isEmpty())
        return reject("BadMsgType", QStringLiteral("msg_type is not a non-empty string"), o);
    m.msgType = msgType.toString();

    const QJsonValue reqId = o.value(QLatin1String("req_id"));
    if (!reqId.isUndefined() && !DerivFields::integer(reqId))
        return reject("BadReqId", QStringLiteral("req_id is not an integer"), o);
    m.reqId = replyReqId(o);

    const QJsonValue subscription = o.value(QLatin1String("subscription"));
    if (!subscription.isUndefined()) {
        const QJsonValue id = subscription.toObject().value(QLatin1String("id"));
        if (!subscription.isObject() || !id.isString() || id.toString().isEmpty())
            return reject("BadSubscription", QStringLiteral("subscription is not an object with a string id"), o);
        m.subscriptionId = id.toString();
    }

    for (const char *key : {"echo_req", "passthrough"}) {
        const QJsonValue v = o.value(QLatin1String(key));
        if (!v.isUndefined() && !v.isObject())
            return reject("BadEnvelope", QStringLiteral("%1 is not an object").arg(QLatin1String(key)), o);
    }
    m.echoReq = o.value(QLatin1String("echo_req")).toObject();

    const QJsonValue error = o.value(QLatin1String("error"));
    if (!error.isUndefined()) {
        if (!error.isObject())
            return reject("BadError", QStringLiteral("error is not an object"), o);
        const QJsonObject eo = error.toObject();
        const QJsonValue code = eo.value(QLatin1String("code"));
        const QJsonValue message = eo.value(QLatin1String("message"));
        if (!code.isString() || code.toString().isEmpty())
            return reject("BadError", QStringLiteral("error.code is not a non-empty string"), o);
        if (!message.isUndefined() && !message.isString())
            return reject("BadError", QStringLiteral("error.message is not a string"), o);
        // details is free-form in practice; keep a non-object value rather than lose the reply.
        const QJsonValue details = eo.value(QLatin1String("details"));
        QJsonObject detailsObject;
        if (details.isObject())
            detailsObject = details.toObject();
        else if (!details.isUndefined() && !details.isNull())
            detailsObject.insert(QStringLiteral("value"), details);
        Error e = Error::broker(code.toString(), message.toString(), detailsObject);
        e.msgType = m.msgType;
        e.reqId = m.reqId.value_or(0);
        m.error = std::move(e);
    }

    m.body = o.value(m.msgType);
    return m;
}

QByteArray FrameCodec::encode(const QJsonObject &request)
{
    return QJsonDocument(request).toJson(QJsonDocument::Compact);
}

QString FrameCodec::excerpt(QStringView raw, int maxChars)
{
    // Redact a prefix comfortably longer than the excerpt, so a token (<= 128 chars) that starts inside the
    // excerpt is whole when the Redactor sees it.
    const qsizetype window = qsizetype(maxChars) + 2048;
    QString text = Redactor::redact(raw.left(window).toString());
    // A secret-bearing field whose value runs past the window has no closing quote: mask its tail too.
    static const QRegularExpression openField(
        QStringLiteral(R"re("(authorize|token|new_token|delete_token|password|secret)"\s*:\s*"(?:[^"\\]|\\.)*$)re"),
        QRegularExpression::CaseInsensitiveOption);
    text.replace(openField, QStringLiteral("\"\\1\":\"<redacted>"));
    const bool cut = raw.size() > window || text.size() > maxChars;
    if (cut)
        text.truncate(qMax(0, maxChars - 1)); // room for the ellipsis
    for (QChar &c : text) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f || c.isSurrogate())
            c = u'?';
    }
    if (cut)
        text += QStringLiteral("…");
    return text;
}

} // namespace Vigil
