// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>

#include <QObject>

namespace Vigil {

// One queued hop to a context object's thread, safe against the context being destroyed on its own
// thread at any moment. Built on Qt's queued signal delivery, which (unlike checking a QPointer and then
// posting) is atomic with respect to the receiver's destruction. Used through QueuedCallback<T>.
class CallbackRelay final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CallbackRelay)

public:
    // Call on any thread while `context` is alive. The relay lives on the context's thread; `run` is
    // invoked there, queued, once per fire(). The caller owns the relay and ends it with dispose().
    static CallbackRelay *create(QObject *context, std::function<void()> run);

    // Any thread. Queues `run` on the context's thread; dropped if the context is gone by then.
    void fire();
    // Any thread. Deletes the relay through its event loop; an already queued `run` still happens.
    void dispose();

Q_SIGNALS:
    void fired();

private:
    CallbackRelay() = default;
};

} // namespace Vigil
