// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

#include "health/result.h"

namespace Vigil::Sim {

enum class MalformedKind { NotJson, WrongTypes, MissingMsgType, Oversized };

// One scripted failure. JSON form (HTTP control endpoint and --fault):
//   {"action": "drop" | "drop_after_frames" | "drop_on_call" | "delay" | "error" | "malformed" | "buy_delay",
//    "call": "buy",            request name the rule watches (drop_on_call, delay, error, malformed); "" = any
//    "loginid": "VRTC1000001", only connections authorized on this account; "" = every connection
//    "times": 1,               occurrences before the rule retires; -1 = until cleared
//    "frames": 3,              drop_after_frames: frames the server still sends first
//    "apply": true,            drop_on_call: process the request (buy happens, reply lost) or drop before
//    "ms": 500,                delay / buy_delay
//    "code": "RateLimit", "message": "...",   error: the error to answer with
//    "kind": "not_json" | "wrong_types" | "missing_msg_type" | "oversized", "bytes": 8388608}
// Compact spec form (--fault): "action:key=value,key=value", e.g. "delay:call=buy,ms=2000,times=3".
struct FaultRule
{
    enum class Action { Drop, DropAfterFrames, DropOnCall, Delay, Error, Malformed, BuyDelay };

    Action action = Action::Drop;
    QString call;
    QString loginid;
    int times = 1;
    int frames = 0;
    bool applyEffect = true;
    int delayMs = 0;
    QString errorCode;
    QString errorMessage;
    MalformedKind malformed = MalformedKind::NotJson;
    int oversizeBytes = 8 * 1024 * 1024;

    static Result<FaultRule> fromJson(const QJsonObject &object);
    static Result<FaultRule> fromSpec(const QString &spec);
    QJsonObject toJson() const;
    // Whether the rule acts at once on live connections instead of waiting for a call.
    bool isImmediate() const;
};

// Scriptable failures for tests: from C++ (this API), from vigil-sim --fault, and from the HTTP
// control endpoint. Owned by SimServer; lives on its thread. Immediate faults (drop now, drop after
// N frames, a malformed frame now) are carried out by the server through the signals; the others
// are consulted by each session when a request arrives.
class FaultInjector final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FaultInjector)

public:
    explicit FaultInjector(QObject *parent = nullptr);
    ~FaultInjector() override;

    // Adds a rule; immediate rules fire now and return 0, others return an id for remove().
    int add(const FaultRule &rule);
    void remove(int id);
    void clear();
    QList<FaultRule> rules() const;

    // Shorthands for add().
    void dropNow(const QString &loginid = {});
    void dropAfterFrames(int frames, const QString &loginid = {});
    int dropOnCall(const QString &call, int times = 1, bool applyEffect = true, const QString &loginid = {});
    int delayReplies(const QString &call, int ms, int times = -1, const QString &loginid = {});
    int failCall(const QString &call, const QString &code, const QString &message, int times = 1,
                 const QString &loginid = {});
    // With a call: replaces that call's reply; without: sends one malformed frame to every connection now.
    int sendMalformed(MalformedKind kind, const QString &call = {}, int times = 1, int bytes = 8 * 1024 * 1024);
    // Time between receiving a buy and executing it (the buy counts as in flight meanwhile).
    void setBuyProcessingDelay(int ms);
    int buyProcessingDelayMs() const { return m_buyDelayMs; }

    // What to do with a request (consumes one occurrence of every rule that matches).
    struct Decision
    {
        bool drop = false;
        bool applyEffect = true;
        int delayMs = 0;
        std::optional<Error> error;
        std::optional<MalformedKind> malformed;
        int oversizeBytes = 0;
    };
    Decision onCall(const QString &call, const QString &loginid);

Q_SIGNALS:
    void dropRequested(const QString &loginid);
    void dropAfterFramesRequested(const QString &loginid, int frames);
    void malformedRequested(const QString &loginid, Vigil::Sim::MalformedKind kind, int bytes);

private:
    struct Entry
    {
        int id;
        FaultRule rule;
    };
    QList<Entry> m_entries;
    int m_nextId = 1;
    int m_buyDelayMs = 0;
};

QString malformedKindName(MalformedKind kind);

} // namespace Vigil::Sim
