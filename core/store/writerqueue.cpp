// SPDX-License-Identifier: GPL-3.0-or-later
#include "writerqueue.h"

#include <algorithm>

namespace Vigil {

bool WriterQueue::lockFor(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(m_mutex);
    const std::thread::id self = std::this_thread::get_id();
    if (m_depth > 0 && m_owner == self) {
        ++m_depth;
        return true;
    }
    const quint64 ticket = m_nextTicket++;
    m_waiting.push_back(ticket);
    const auto myTurn = [this, ticket] { return m_depth == 0 && m_waiting.front() == ticket; };
    if (!m_turn.wait_until(lock, std::chrono::steady_clock::now() + timeout, myTurn)) {
        m_waiting.erase(std::find(m_waiting.begin(), m_waiting.end(), ticket));
        m_turn.notify_all(); // the one behind us may be first now
        return false;
    }
    m_waiting.pop_front();
    m_owner = self;
    m_depth = 1;
    return true;
}

void WriterQueue::unlock()
{
    {
        std::lock_guard lock(m_mutex);
        Q_ASSERT(m_depth > 0 && m_owner == std::this_thread::get_id());
        if (--m_depth > 0)
            return;
        m_owner = std::thread::id();
    }
    m_turn.notify_all();
}

} // namespace Vigil
