// SPDX-License-Identifier: GPL-3.0-or-later
#include "faultinjector.h"

#include <QJsonDocument>

namespace Vigil::Sim {

namespace {
struct ActionName
{
    const char *name;
    FaultRule::Action action;
};
constexpr ActionName s_actions[] = {
    {"drop", FaultRule::Action::Drop},
    {"drop_after_frames", FaultRule::Action::DropAfterFrames},
    {"drop_on_call", FaultRule::Action::DropOnCall},
    {"delay", FaultRule::Action::Delay},
    {"error", FaultRule::Action::Error},
    {"malformed", FaultRule::Action::Malformed},
    {"buy_delay", FaultRule::Action::BuyDelay},
};

struct KindName
{
    const char *name;
    MalformedKind kind;
};
constexpr KindName s_kinds[] = {
    {"not_json", MalformedKind::NotJson},
    {"wrong_types", MalformedKind::WrongTypes},
    {"missing_msg_type", MalformedKind::MissingMsgType},
    {"oversized", MalformedKind::Oversized},
};

Error bad(const QString &message)
{
    return Error::make(ErrorKind::InvalidInput, QStringLiteral("InvalidFault"), message);
}

// Reads an integer member; nullopt plus an error text when it has the wrong type.
bool readInt(const QJsonObject &o, const char *key, int &out, QString &error)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined())
        return true;
    if (!v.isDouble() || v.toDouble() != double(v.toInteger())) {
        error = QStringLiteral("'%1' must be an integer").arg(QLatin1String(key));
        return false;
    }
    out = int(v.toInteger());
    return true;
}
} // namespace

QString malformedKindName(MalformedKind kind)
{
    for (const KindName &k : s_kinds) {
        if (k.kind == kind)
            return QLatin1String(k.name);
    }
    return QString();
}

bool FaultRule::isImmediate() const
{
    return action == Action::Drop || action == Action::DropAfterFrames
        || (action == Action::Malformed && call.isEmpty());
}

Result<FaultRule> FaultRule::fromJson(const QJsonObject &o)
{
    static const QStringList keys{QStringLiteral("action"),  QStringLiteral("call"),   QStringLiteral("loginid"),
                                  QStringLiteral("times"),   QStringLiteral("frames"), QStringLiteral("apply"),
                                  QStringLiteral("ms"),      QStringLiteral("code"),   QStringLiteral("message"),
                                  QStringLiteral("kind"),    QStringLiteral("bytes")};
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!keys.contains(it.key()))
            return bad(QStringLiteral("unknown fault field '%1'").arg(it.key()));
    }
    FaultRule r;
    const QString action = o.value(QLatin1String("action")).toString();
    bool known = false;
    for (const ActionName &a : s_actions) {
        if (action == QLatin1String(a.name)) {
            r.action = a.action;
            known = true;
        }
    }
    if (!known)
        return bad(QStringLiteral("'action' must be one of drop, drop_after_frames, drop_on_call, delay, error, malformed, buy_delay"));
    for (const char *k : {"call", "loginid", "code", "message", "kind"}) {
        const QJsonValue v = o.value(QLatin1String(k));
        if (!v.isUndefined() && !v.isString())
            return bad(QStringLiteral("'%1' must be a string").arg(QLatin1String(k)));
    }
    r.call = o.value(QLatin1String("call")).toString();
    r.loginid = o.value(QLatin1String("loginid")).toString();
    QString error;
    if (!readInt(o, "times", r.times, error) || !readInt(o, "frames", r.frames, error)
        || !readInt(o, "ms", r.delayMs, error) || !readInt(o, "bytes", r.oversizeBytes, error))
        return bad(error);
    if (r.times == 0 || r.times < -1)
        return bad(QStringLiteral("'times' must be positive or -1 (unlimited)"));
    const QJsonValue apply = o.value(QLatin1String("apply"));
    if (!apply.isUndefined()) {
        if (apply.isBool())
            r.applyEffect = apply.toBool();
        else if (apply.isDouble())
            r.applyEffect = apply.toInt() != 0;
        else
            return bad(QStringLiteral("'apply' must be a boolean"));
    }
    switch (r.action) {
    case Action::Drop:
        break;
    case Action::DropAfterFrames:
        if (r.frames < 0)
            return bad(QStringLiteral("'frames' must be >= 0"));
        break;
    case Action::DropOnCall:
        if (r.call.isEmpty())
            return bad(QStringLiteral("drop_on_call needs 'call'"));
        break;
    case Action::Delay:
    case Action::BuyDelay:
        if (r.delayMs <= 0)
            return bad(QStringLiteral("'ms' must be a positive number of milliseconds"));
        break;
    case Action::Error:
        r.errorCode = o.value(QLatin1String("code")).toString();
        r.errorMessage = o.value(QLatin1String("message")).toString();
        if (r.call.isEmpty() || r.errorCode.isEmpty())
            return bad(QStringLiteral("error needs 'call' and 'code'"));
        if (r.errorMessage.isEmpty())
            r.errorMessage = QStringLiteral("Injected error.");
        break;
    case Action::Malformed: {
        const QString kind = o.value(QLatin1String("kind")).toString(QStringLiteral("not_json"));
        bool found = false;
        for (const KindName &k : s_kinds) {
            if (kind == QLatin1String(k.name)) {
                r.malformed = k.kind;
                found = true;
            }
        }
        if (!found)
            return bad(QStringLiteral("'kind' must be one of not_json, wrong_types, missing_msg_type, oversized"));
        if (r.oversizeBytes <= 0)
            return bad(QStringLiteral("'bytes' must be positive"));
        break;
    }
    }
    return r;
}

Result<FaultRule> FaultRule::fromSpec(const QString &spec)
{
    const QString s = spec.trimmed();
    if (s.startsWith(u'{')) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(s.toUtf8(), &error);
        if (!doc.isObject())
            return bad(QStringLiteral("fault JSON does not parse: ") + error.errorString());
        return fromJson(doc.object());
    }
    const qsizetype colon = s.indexOf(u':');
    QJsonObject o{{QStringLiteral("action"), colon < 0 ? s : s.left(colon)}};
    if (colon >= 0) {
        static const QStringList numeric{QStringLiteral("times"), QStringLiteral("frames"), QStringLiteral("ms"),
                                         QStringLiteral("bytes"), QStringLiteral("apply")};
        for (const QString &pair : s.mid(colon + 1).split(u',', Qt::SkipEmptyParts)) {
            const qsizetype eq = pair.indexOf(u'=');
            if (eq <= 0)
                return bad(QStringLiteral("expected key=value in fault spec, got '%1'").arg(pair));
            const QString key = pair.left(eq).trimmed();
            const QString value = pair.mid(eq + 1).trimmed();
            if (numeric.contains(key)) {
                bool ok = false;
                const int n = value.toInt(&ok);
                if (!ok && key == QLatin1String("apply") && (value == QLatin1String("true") || value == QLatin1String("false"))) {
                    o.insert(key, value == QLatin1String("true"));
                    continue;
                }
                if (!ok)
                    return bad(QStringLiteral("'%1' must be an integer in fault spec").arg(key));
                o.insert(key, n);
            } else {
                o.insert(key, value);
            }
        }
    }
    return fromJson(o);
}

QJsonObject FaultRule::toJson() const
{
    QJsonObject o;
    for (const ActionName &a : s_actions) {
        if (a.action == action)
            o.insert(QStringLiteral("action"), QLatin1String(a.name));
    }
    if (!call.isEmpty())
        o.insert(QStringLiteral("call"), call);
    if (!loginid.isEmpty())
        o.insert(QStringLiteral("loginid"), loginid);
    o.insert(QStringLiteral("times"), times);
    switch (action) {
    case Action::DropAfterFrames:
        o.insert(QStringLiteral("frames"), frames);
        break;
    case Action::DropOnCall:
        o.insert(QStringLiteral("apply"), applyEffect);
        break;
    case Action::Delay:
    case Action::BuyDelay:
        o.insert(QStringLiteral("ms"), delayMs);
        break;
    case Action::Error:
        o.insert(QStringLiteral("code"), errorCode);
        o.insert(QStringLiteral("message"), errorMessage);
        break;
    case Action::Malformed:
        o.insert(QStringLiteral("kind"), malformedKindName(malformed));
        if (malformed == MalformedKind::Oversized)
            o.insert(QStringLiteral("bytes"), oversizeBytes);
        break;
    case Action::Drop:
        break;
    }
    return o;
}

FaultInjector::FaultInjector(QObject *parent)
    : QObject(parent)
{
}

FaultInjector::~FaultInjector() = default;

int FaultInjector::add(const FaultRule &rule)
{
    switch (rule.action) {
    case FaultRule::Action::Drop:
        Q_EMIT dropRequested(rule.loginid);
        return 0;
    case FaultRule::Action::DropAfterFrames:
        Q_EMIT dropAfterFramesRequested(rule.loginid, rule.frames);
        return 0;
    case FaultRule::Action::BuyDelay:
        m_buyDelayMs = rule.delayMs;
        return 0;
    case FaultRule::Action::Malformed:
        if (rule.call.isEmpty()) {
            Q_EMIT malformedRequested(rule.loginid, rule.malformed, rule.oversizeBytes);
            return 0;
        }
        break;
    default:
        break;
    }
    const int id = m_nextId++;
    m_entries.append(Entry{id, rule});
    return id;
}

void FaultInjector::remove(int id)
{
    m_entries.removeIf([id](const Entry &e) { return e.id == id; });
}

void FaultInjector::clear()
{
    m_entries.clear();
    m_buyDelayMs = 0;
}

QList<FaultRule> FaultInjector::rules() const
{
    QList<FaultRule> out;
    for (const Entry &e : m_entries)
        out.append(e.rule);
    return out;
}

void FaultInjector::dropNow(const QString &loginid)
{
    FaultRule r;
    r.action = FaultRule::Action::Drop;
    r.loginid = loginid;
    add(r);
}

void FaultInjector::dropAfterFrames(int frames, const QString &loginid)
{
    FaultRule r;
    r.action = FaultRule::Action::DropAfterFrames;
    r.frames = frames;
    r.loginid = loginid;
    add(r);
}

int FaultInjector::dropOnCall(const QString &call, int times, bool applyEffect, const QString &loginid)
{
    FaultRule r;
    r.action = FaultRule::Action::DropOnCall;
    r.call = call;
    r.times = times;
    r.applyEffect = applyEffect;
    r.loginid = loginid;
    return add(r);
}

int FaultInjector::delayReplies(const QString &call, int ms, int times, const QString &loginid)
{
    FaultRule r;
    r.action = FaultRule::Action::Delay;
    r.call = call;
    r.delayMs = ms;
    r.times = times;
    r.loginid = loginid;
    return add(r);
}

int FaultInjector::failCall(const QString &call, const QString &code, const QString &message, int times,
                            const QString &loginid)
{
    FaultRule r;
    r.action = FaultRule::Action::Error;
    r.call = call;
    r.errorCode = code;
    r.errorMessage = message;
    r.times = times;
    r.loginid = loginid;
    return add(r);
}

int FaultInjector::sendMalformed(MalformedKind kind, const QString &call, int times, int bytes)
{
    FaultRule r;
    r.action = FaultRule::Action::Malformed;
    r.malformed = kind;
    r.call = call;
    r.times = times;
    r.oversizeBytes = bytes;
    return add(r);
}

void FaultInjector::setBuyProcessingDelay(int ms)
{
    m_buyDelayMs = ms > 0 ? ms : 0;
}

FaultInjector::Decision FaultInjector::onCall(const QString &call, const QString &loginid)
{
    Decision d;
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        FaultRule &r = it->rule;
        const bool matches = (r.call.isEmpty() || r.call == call) && (r.loginid.isEmpty() || r.loginid == loginid);
        if (!matches) {
            ++it;
            continue;
        }
        switch (r.action) {
        case FaultRule::Action::DropOnCall:
            if (!d.drop) {
                d.drop = true;
                d.applyEffect = r.applyEffect;
            }
            break;
        case FaultRule::Action::Delay:
            d.delayMs += r.delayMs;
            break;
        case FaultRule::Action::Error:
            if (!d.error)
                d.error = Error::broker(r.errorCode, r.errorMessage);
            break;
        case FaultRule::Action::Malformed:
            if (!d.malformed) {
                d.malformed = r.malformed;
                d.oversizeBytes = r.oversizeBytes;
            }
            break;
        default:
            break;
        }
        if (r.times > 0 && --r.times == 0)
            it = m_entries.erase(it);
        else
            ++it;
    }
    return d;
}

} // namespace Vigil::Sim
