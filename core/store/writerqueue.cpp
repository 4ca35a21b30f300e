// SPDX-License-Identifier: GPL-3.0-or-later
#include "writerqueue.h"

#include <algorithm>

namespace Vigil {

void WriterQueue::take(std::thread::id self)
{
    m_waiting.pop_front();
    m_owner = self;
    m_depth = 1;
}

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
    take(self);
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

bool WriterQueue::submit(Write &write, std::chrono::milliseconds timeout, const Leader &lead)
{
    std::unique_lock lock(m_mutex);
    const std::thread::id self = std::this_thread::get_id();
    Q_ASSERT_X(!(m_depth > 0 && m_owner == self), "WriterQueue", "submit() inside a held writer lock");
    write.ticket = m_nextTicket++;
    write.claimed = false;
    write.done = false;
    m_waiting.push_back(write.ticket);
    m_pending.push_back(&write);
    ++m_stats.waiting;
    const auto ready = [this, &write] { return write.done || (m_depth == 0 && m_waiting.front() == write.ticket); };
    if (!m_turn.wait_until(lock, std::chrono::steady_clock::now() + timeout, ready)) {
        if (!write.claimed) {
            m_waiting.erase(std::find(m_waiting.begin(), m_waiting.end(), write.ticket));
            m_pending.erase(std::find(m_pending.begin(), m_pending.end(), &write));
            --m_stats.waiting;
            m_turn.notify_all(); // the one behind us may be first now
            return false;
        }
        // A leader is running it: its outcome is coming (the leader's SQL waits are bounded by busy_timeout).
        m_turn.wait(lock, [&write] { return write.done; });
        return true;
    }
    if (write.done)
        return true; // another thread's batch committed it and took our ticket out of the line

    // Our turn: lead. Every write ahead of ours is done (their leaders held the lock), so ours is the oldest.
    take(self);
    Q_ASSERT(!m_pending.empty() && m_pending.front() == &write);
    const std::size_t n = std::min(m_pending.size(), kMaxBatch);
    std::vector<Write *> batch(m_pending.begin(), m_pending.begin() + std::ptrdiff_t(n));
    m_pending.erase(m_pending.begin(), m_pending.begin() + std::ptrdiff_t(n));
    for (Write *w : batch)
        w->claimed = true;
    lock.unlock();

    lead(batch);

    lock.lock();
    for (Write *w : batch) {
        w->done = true;
        if (w != &write) // ours left the line when we took the lock
            m_waiting.erase(std::find(m_waiting.begin(), m_waiting.end(), w->ticket));
    }
    ++m_stats.commits;
    m_stats.writes += batch.size();
    m_stats.waiting -= int(batch.size());
    m_owner = std::thread::id();
    m_depth = 0;
    lock.unlock();
    m_turn.notify_all();
    return true;
}

WriterQueue::Stats WriterQueue::stats() const
{
    std::lock_guard lock(m_mutex);
    return m_stats;
}

} // namespace Vigil
