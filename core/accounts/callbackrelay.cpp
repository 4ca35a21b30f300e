// SPDX-License-Identifier: GPL-3.0-or-later
#include "callbackrelay.h"

#include <QThread>

namespace Vigil {

CallbackRelay *CallbackRelay::create(QObject *context, std::function<void()> run)
{
    Q_ASSERT(context);
    auto *relay = new CallbackRelay;
    if (relay->thread() != context->thread())
        relay->moveToThread(context->thread());
    // Queued even when the context is on this thread: callers are promised no synchronous callbacks.
    connect(relay, &CallbackRelay::fired, context, std::move(run), Qt::QueuedConnection);
    return relay;
}

void CallbackRelay::fire()
{
    Q_EMIT fired();
}

void CallbackRelay::dispose()
{
    deleteLater();
}

} // namespace Vigil
