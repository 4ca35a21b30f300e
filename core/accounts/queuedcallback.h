// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include <QObject>

#include "accounts/callbackrelay.h"

namespace Vigil {

// A callback bound to a context object: invoking it from ANY thread runs the callback later, queued, on
// the context's thread; never synchronously inside the invoking call. Only the first invocation counts.
// If the context is destroyed first, the callback is silently dropped. Copyable (shares one target), so it
// fits in std::function. Construct it while the context is alive (normally on the context's thread).
template<typename T>
class QueuedCallback
{
public:
    QueuedCallback(QObject *context, std::function<void(T)> callback)
        : m_payload(std::make_shared<Payload>())
        , m_handle(std::make_shared<Handle>())
    {
        Q_ASSERT(context);
        Q_ASSERT(callback);
        m_payload->callback = std::move(callback);
        m_handle->relay = CallbackRelay::create(context, [payload = m_payload] {
            if (payload->value)
                payload->callback(std::move(*payload->value));
        });
    }

    void operator()(T value) const
    {
        if (m_handle->fired.exchange(true))
            return;
        // Published to the context's thread by the event queue's mutex (happens-before the delivery).
        m_payload->value.emplace(std::move(value));
        m_handle->relay->fire();
    }

    bool hasFired() const { return m_handle->fired.load(); }

private:
    struct Payload
    {
        std::optional<T> value;
        std::function<void(T)> callback;
    };
    struct Handle
    {
        CallbackRelay *relay = nullptr;
        std::atomic_bool fired{false};
        Handle() = default;
        Handle(const Handle &) = delete;
        Handle &operator=(const Handle &) = delete;
        ~Handle()
        {
            if (relay)
                relay->dispose();
        }
    };

    std::shared_ptr<Payload> m_payload;
    std::shared_ptr<Handle> m_handle;
};

} // namespace Vigil
