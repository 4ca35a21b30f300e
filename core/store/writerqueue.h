// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Internal to vigil_store.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <QtGlobal>

#include "health/result.h"

namespace Vigil {

class SqlConnection;

// The writer lock the connections of one process to one SQLite file share (see SqlConnection::writerLock).
// First come, first served: a worker that commits and at once begins its next write goes to the back of the
// line, so no account worker is starved (a plain mutex let one thread win again and again: p99 in the
// hundreds of milliseconds with 20 writers). Re-entrant for the thread that holds it.
//
// Group commit (submit): a write waits in the same line; the thread whose turn comes leads: it takes every write
// queued by then (its own first) and commits them together on its own connection, so N writers arriving during a
// commit share the next one instead of paying N commits (N fsyncs) one after another. The others sleep until the
// leader has marked their write done; none of them touches another thread's connection.
class WriterQueue
{
public:
    // One caller's write, owned by the caller (on its stack) until submit() returns.
    struct Write
    {
        // Runs on the leader's thread with the leader's connection: it may use only that connection and values
        // its caller captured (the caller is blocked meanwhile).
        std::function<Result<void>(SqlConnection &)> work;
        // Set by the leader before `done`; the write's own outcome (its commit's, when the batch's commit failed).
        Result<void> result;

    private:
        friend class WriterQueue;
        quint64 ticket = 0;
        bool claimed = false; // a leader took it: it will be done, whatever the waiting caller's timeout
        bool done = false;
    };
    // Executes a batch on the leader's connection and sets each write's result. Runs with the lock held.
    using Leader = std::function<void(const std::vector<Write *> &batch)>;

    // What the line has carried out since it was created (for JournalDiagnostics).
    struct Stats
    {
        quint64 commits = 0; // batches run by leaders (one transaction each, or one per write after a broken batch)
        quint64 writes = 0; // writes those batches carried out, failed ones included
        int waiting = 0; // writes submitted and not yet done (queued, or in the running batch)
    };

    // The most writes one commit takes: bounds how long the leader works for the others.
    static constexpr std::size_t kMaxBatch = 64;

    WriterQueue() = default;
    WriterQueue(const WriterQueue &) = delete;
    WriterQueue &operator=(const WriterQueue &) = delete;

    // False when the lock was not ours within `timeout` (the caller reports Busy).
    bool lockFor(std::chrono::milliseconds timeout);
    void unlock();

    // Queues `write` and returns once it is done: committed (or failed) by this thread as the leader of a batch,
    // running `lead` with the lock held, or by another thread's batch. False when no thread took it within
    // `timeout` (nothing was written; the caller reports Busy). Must not be called by the thread holding the lock.
    bool submit(Write &write, std::chrono::milliseconds timeout, const Leader &lead);
    Stats stats() const;

private:
    void take(std::thread::id self); // with m_mutex held: the lock becomes `self`'s

    mutable std::mutex m_mutex;
    std::condition_variable m_turn;
    std::deque<quint64> m_waiting;
    std::deque<Write *> m_pending; // submitted, not yet claimed, in ticket order
    quint64 m_nextTicket = 0;
    std::thread::id m_owner;
    int m_depth = 0;
    Stats m_stats;
};

} // namespace Vigil
