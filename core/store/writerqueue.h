// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Internal to vigil_store.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <QtGlobal>

namespace Vigil {

// The writer lock the connections of one process to one SQLite file share (see SqlConnection::writerLock).
// First come, first served: a worker that commits and at once begins its next write goes to the back of the
// line, so no account worker is starved (a plain mutex let one thread win again and again: p99 in the
// hundreds of milliseconds with 20 writers). Re-entrant for the thread that holds it.
class WriterQueue
{
public:
    WriterQueue() = default;
    WriterQueue(const WriterQueue &) = delete;
    WriterQueue &operator=(const WriterQueue &) = delete;

    // False when the lock was not ours within `timeout` (the caller reports Busy).
    bool lockFor(std::chrono::milliseconds timeout);
    void unlock();

private:
    std::mutex m_mutex;
    std::condition_variable m_turn;
    std::deque<quint64> m_waiting;
    quint64 m_nextTicket = 0;
    std::thread::id m_owner;
    int m_depth = 0;
};

} // namespace Vigil
