// SPDX-License-Identifier: GPL-3.0-or-later
#include "tickframe.h"

#include <cstring>


namespace Vigil {

namespace {

constexpr int s_maxDepth = 32;
constexpr qsizetype s_maxNumberChars = 40;
constexpr qsizetype s_maxFrameChars = 64 * 1024;

// A single forward pass over the frame. Every method returns false for "not sure": the caller then gives
// up on the whole frame (the full decode takes it).
class Scanner
{
public:
    explicit Scanner(QStringView text)
        : m_p(reinterpret_cast<const char16_t *>(text.utf16())), m_end(m_p + text.size())
    {
    }

    bool atEnd() const { return m_p >= m_end; }
    char16_t peek() const { return m_p < m_end ? *m_p : u'\0'; }

    void skipSpace()
    {
        // Frames rarely hold any: one compare settles the common case (all four are below '!').
        while (m_p < m_end && *m_p <= u' ' && (*m_p == u' ' || *m_p == u'\t' || *m_p == u'\n' || *m_p == u'\r'))
            ++m_p;
    }

    bool take(char16_t c)
    {
        skipSpace();
        if (m_p >= m_end || *m_p != c)
            return false;
        ++m_p;
        return true;
    }

    // A string; `out` is its text between the quotes (escapes left as written), `escaped` whether it has any.
    bool string(QStringView &out, bool &escaped)
    {
        skipSpace();
        if (m_p >= m_end || *m_p != u'"')
            return false;
        const char16_t *start = ++m_p;
        escaped = false;
        skipPlain();
        while (m_p < m_end) {
            const char16_t c = *m_p;
            if (c == u'"') {
                out = QStringView(start, m_p - start);
                ++m_p;
                return true;
            }
            if (c < 0x20 || c > 0x7e)
                return false; // control characters are invalid; anything beyond ASCII is left to Qt
            if (c == u'\\') {
                escaped = true;
                if (++m_p >= m_end)
                    return false;
                switch (*m_p) {
                case u'"': case u'\\': case u'/': case u'b': case u'f': case u'n': case u'r': case u't':
                    break;
                default:
                    return false; // \u (surrogates and all) and invalid escapes: the full decode decides
                }
            }
            ++m_p;
        }
        return false;
    }

    // Skips the characters a string may hold as they are: printable ASCII other than " and \.
    void skipPlain()
    {
        while (m_p < m_end && *m_p >= 0x20 && *m_p <= 0x7e && *m_p != u'"' && *m_p != u'\\')
            ++m_p;
    }

    // A number without exponent: -?(0|[1-9][0-9]*)(\.[0-9]+)?
    bool number(QStringView &out)
    {
        skipSpace();
        const char16_t *start = m_p;
        const auto digit = [this] { return m_p < m_end && *m_p >= u'0' && *m_p <= u'9'; };
        if (m_p < m_end && *m_p == u'-')
            ++m_p;
        if (m_p < m_end && *m_p == u'0') {
            ++m_p;
        } else if (digit()) {
            while (digit())
                ++m_p;
        } else {
            return false;
        }
        if (m_p < m_end && *m_p == u'.') {
            ++m_p;
            if (!digit())
                return false;
            while (digit())
                ++m_p;
        }
        if ((m_p < m_end && (*m_p == u'e' || *m_p == u'E')) || m_p - start > s_maxNumberChars)
            return false;
        out = QStringView(start, m_p - start);
        return true;
    }

    bool literal(QStringView word)
    {
        skipSpace();
        if (m_end - m_p < word.size() || QStringView(m_p, word.size()) != word)
            return false;
        m_p += word.size();
        return true;
    }

    // Any JSON value, validated and skipped.
    bool value(int depth)
    {
        if (depth > s_maxDepth)
            return false;
        skipSpace();
        QStringView ignored;
        bool escaped = false;
        switch (peek()) {
        case u'"':
            return string(ignored, escaped);
        case u'{':
            return object(depth + 1, [this](QStringView, bool, int d) { return value(d); });
        case u'[':
            return array(depth + 1);
        case u't':
            return literal(u"true");
        case u'f':
            return literal(u"false");
        case u'n':
            return literal(u"null");
        default:
            return number(ignored);
        }
    }

    bool array(int depth)
    {
        if (depth > s_maxDepth || !take(u'['))
            return false;
        if (take(u']'))
            return true;
        do {
            if (!value(depth))
                return false;
        } while (take(u','));
        return take(u']');
    }

    // An object; member(key, keyEscaped, depth) reads or skips each value.
    template<typename Member>
    bool object(int depth, Member member)
    {
        if (depth > s_maxDepth || !take(u'{'))
            return false;
        if (take(u'}'))
            return true;
        do {
            QStringView key;
            bool escaped = false;
            if (!string(key, escaped) || !take(u':') || !member(key, escaped, depth))
                return false;
        } while (take(u','));
        return take(u'}');
    }

private:
    const char16_t *m_p;
    const char16_t *m_end;
};

// key == literal, inline (QStringView's operator== is an out-of-line call, and this runs for every key).
template<std::size_t N>
bool is(QStringView key, const char16_t (&literal)[N])
{
    return key.size() == qsizetype(N - 1) && std::memcmp(key.utf16(), literal, (N - 1) * sizeof(char16_t)) == 0;
}

// A positive or zero integer of at most 18 digits written without sign, fraction or exponent.
std::optional<qint64> plainInteger(QStringView n)
{
    if (n.isEmpty() || n.size() > 18)
        return std::nullopt;
    qint64 v = 0;
    for (QChar c : n) {
        if (c < u'0' || c > u'9')
            return std::nullopt;
        v = v * 10 + (c.unicode() - u'0');
    }
    return v;
}

} // namespace

std::optional<TickFrame> TickFrame::read(QStringView frame)
{
    if (frame.size() > s_maxFrameChars)
        return std::nullopt;
    Scanner scan(frame);
    std::optional<TickFrame> result(std::in_place); // filled in place, returned without a copy
    TickFrame &t = *result;
    bool msgType = false, reqId = false, subscription = false, tick = false, echoReq = false;
    bool epoch = false, quote = false, symbol = false, pipSize = false, subscriptionIdSeen = false;

    const auto textOnce = [&scan](bool &seen, QStringView &out) {
        bool escaped = false;
        if (seen || !scan.string(out, escaped) || escaped)
            return false;
        seen = true;
        return true;
    };
    const auto numberOnce = [&scan](bool &seen, QStringView &out) {
        if (seen || !scan.number(out))
            return false;
        seen = true;
        return true;
    };

    const auto tickMember = [&](QStringView key, bool keyEscaped, int depth) {
        if (keyEscaped)
            return false;
        QStringView n;
        if (is(key, u"epoch")) {
            if (!numberOnce(epoch, n))
                return false;
            const std::optional<qint64> v = plainInteger(n);
            t.epoch = v.value_or(0);
            return v.has_value();
        }
        if (is(key, u"pip_size")) {
            if (!numberOnce(pipSize, n))
                return false;
            const std::optional<qint64> v = plainInteger(n);
            if (!v || *v > 18)
                return false;
            t.pipSize = int(*v);
            return true;
        }
        if (is(key, u"quote")) {
            if (!numberOnce(quote, n))
                return false;
            const bool negative = n.startsWith(u'-');
            const QStringView digits = negative ? n.sliced(1) : n;
            const qsizetype dot = digits.indexOf(u'.');
            const QStringView whole = dot < 0 ? digits : digits.first(dot);
            const QStringView fraction = dot < 0 ? QStringView() : digits.sliced(dot + 1);
            if (whole.size() + fraction.size() > 18)
                return false;
            qint64 units = 0;
            for (QChar c : whole)
                units = units * 10 + (c.unicode() - u'0');
            for (QChar c : fraction)
                units = units * 10 + (c.unicode() - u'0');
            t.quoteUnits = negative ? -units : units;
            t.quoteDecimals = int(fraction.size());
            return true;
        }
        if (is(key, u"symbol"))
            return textOnce(symbol, t.symbol) && !t.symbol.isEmpty();
        return scan.value(depth);
    };
    const auto subscriptionMember = [&](QStringView key, bool keyEscaped, int depth) {
        if (keyEscaped)
            return false;
        if (is(key, u"id"))
            return textOnce(subscriptionIdSeen, t.subscriptionId) && !t.subscriptionId.isEmpty();
        return scan.value(depth);
    };
    const auto topMember = [&](QStringView key, bool keyEscaped, int depth) {
        if (keyEscaped)
            return false;
        if (is(key, u"msg_type")) {
            QStringView v;
            return textOnce(msgType, v) && is(v, u"tick");
        }
        if (is(key, u"req_id")) {
            QStringView n;
            if (!numberOnce(reqId, n))
                return false;
            const std::optional<qint64> v = plainInteger(n);
            t.reqId = v.value_or(0);
            return v && *v > 0;
        }
        if (is(key, u"error"))
            return false;
        if (is(key, u"subscription")) {
            if (subscription)
                return false;
            subscription = true;
            scan.skipSpace();
            return scan.peek() == u'{' && scan.object(depth + 1, subscriptionMember);
        }
        if (is(key, u"tick")) {
            if (tick)
                return false;
            tick = true;
            scan.skipSpace();
            return scan.peek() == u'{' && scan.object(depth + 1, tickMember);
        }
        if (is(key, u"echo_req") || is(key, u"passthrough")) {
            if (is(key, u"echo_req")) {
                if (echoReq)
                    return false;
                echoReq = true;
            }
            scan.skipSpace();
            return scan.peek() == u'{' && scan.value(depth);
        }
        return scan.value(depth);
    };

    if (!scan.object(1, topMember))
        return std::nullopt;
    scan.skipSpace();
    if (!scan.atEnd())
        return std::nullopt;
    if (!msgType || !subscriptionIdSeen || !tick || !epoch || !quote || !symbol)
        return std::nullopt;
    if (!reqId && echoReq)
        return std::nullopt;
    return result;
}

} // namespace Vigil
