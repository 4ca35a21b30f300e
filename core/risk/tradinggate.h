// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

#include <QMetaType>
#include <QMutex>
#include <QString>
#include <QStringList>

#include "health/result.h"

namespace Vigil {

// How much trading is allowed, from least to most strict.
enum class GateState : quint8 {
    Active = 0,   // buys and sells
    Reducing = 1, // sells only: positions may be closed, none opened
    Halted = 2,   // nothing is sent, except sells ordered by the kill switch
};

QString gateStateName(GateState state); // "active", "reducing", "halted"

// The last check before anything is sent: one gate per account and one global, the effective state being
// the stricter of the two. The kill switch writes it from any thread and never waits for a worker; the
// workers read it right before every send without taking a lock.
//
// Reads (effective, checkBuy, checkSell, accountState, globalState) are lock-free: a few atomic loads and a
// lookup in an insert-only open-addressing table whose slots are published with release/acquire and never
// removed. Writers serialise among themselves on a mutex that no reader takes. The free-text reason is
// kept under a small per-scope mutex and only read to build a refusal's message (the decision itself never
// waits for it).
//
// Accounts: an account nobody restricted reads as Active (so only the global state applies to it).
// registerAccount() creates its entry up front; setAccount() creates it on first use. Both are safe while
// other threads read. At most `maxAccounts` accounts: when the table is full, registerAccount() fails, and
// setAccount() with a restriction applies it to the global gate instead (fail-safe) and reports that.
//
// Ordering: the state stores and loads are sequentially consistent, so once setGlobal(Halted) or
// setAccount(a, Halted) has returned, every check started afterwards on any thread sees it.
class TradingGate
{
public:
    explicit TradingGate(int maxAccounts = 256);
    ~TradingGate();
    TradingGate(const TradingGate &) = delete;
    TradingGate &operator=(const TradingGate &) = delete;

    Result<void> registerAccount(const QString &account);
    Result<void> setAccount(const QString &account, GateState state, const QString &reason);
    void setGlobal(GateState state, const QString &reason);
    // Sets the global gate Active only if it is still closed for `expectedReason` (atomically with other writers):
    // a halt for any other reason written meanwhile (the kill switch) stays. True if it was lifted.
    bool liftGlobalIf(const QString &expectedReason, const QString &reason);

    GateState effective(const QString &account) const;
    GateState accountState(const QString &account) const;
    GateState globalState() const;

    // Buys pass only when Active. The refusal (kind NotSent, code "TradingHalted" or "TradingReducing",
    // account set) names the scope (global/account), the state and the reason; details {scope, state, reason}.
    Result<void> checkBuy(const QString &account) const;
    // Sells pass when Active or Reducing; when Halted only if the kill switch ordered them.
    Result<void> checkSell(const QString &account, bool killSwitchOrdered) const;

    QString accountReason(const QString &account) const;
    QString globalReason() const;
    QStringList accounts() const;

private:
    struct Cell
    {
        explicit Cell(const QString &name) : account(name) {}
        const QString account;
        std::atomic<quint8> state{quint8(GateState::Active)};
        mutable QMutex reasonMutex;
        QString reason;
    };

    const Cell *find(const QString &account) const;
    Result<Cell *> findOrCreate(const QString &account);
    static void store(Cell &cell, GateState state, const QString &reason);
    static QString reasonOf(const Cell &cell);
    Result<void> refuse(const QString &account, const char *what, GateState state, const Cell *accountCell,
                        GateState accountState, GateState globalState) const;

    const int m_maxAccounts;
    const std::size_t m_mask;
    std::unique_ptr<std::atomic<Cell *>[]> m_slots;
    QMutex m_writeMutex;                       // writers only
    std::vector<std::unique_ptr<Cell>> m_owned; // under m_writeMutex; cells live as long as the gate
    Cell m_global{QStringLiteral("*")};
};

} // namespace Vigil

Q_DECLARE_METATYPE(Vigil::GateState)
