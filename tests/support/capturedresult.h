// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

#include <QMutex>
#include <QThread>

namespace Vigil::Test {

// Catches the result of an asynchronous callback API: pass callback(), then QTRY_VERIFY(c.arrived()).
// Records how many times and on which thread the callback ran. Thread-safe; copies share one capture.
template<typename T>
class CapturedResult
{
public:
    std::function<void(T)> callback() const
    {
        return [s = m_state](T value) {
            QMutexLocker lock(&s->mutex);
            s->value.emplace(std::move(value));
            s->thread = QThread::currentThread();
            ++s->calls;
        };
    }

    bool arrived() const { return calls() > 0; }
    int calls() const
    {
        QMutexLocker lock(&m_state->mutex);
        return m_state->calls;
    }
    T value() const
    {
        QMutexLocker lock(&m_state->mutex);
        return *m_state->value;
    }
    QThread *thread() const
    {
        QMutexLocker lock(&m_state->mutex);
        return m_state->thread;
    }

private:
    struct State
    {
        mutable QMutex mutex;
        std::optional<T> value;
        QThread *thread = nullptr;
        int calls = 0;
    };
    std::shared_ptr<State> m_state = std::make_shared<State>();
};

} // namespace Vigil::Test
