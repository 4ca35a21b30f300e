// SPDX-License-Identifier: GPL-3.0-or-later
#include "tradinggate.h"

#include <algorithm>

#include <QHash>
#include <QMutexLocker>

#include "health/logcategories.h"

namespace Vigil {

static_assert(std::atomic<quint8>::is_always_lock_free, "the gate state must be readable without a lock");

namespace {
std::size_t tableSize(int maxAccounts)
{
    // A power of two at least twice the capacity keeps probe sequences short.
    std::size_t n = 8;
    while (n < std::size_t(std::max(maxAccounts, 1)) * 2)
        n <<= 1;
    return n;
}

GateState stricter(GateState a, GateState b)
{
    return quint8(a) >= quint8(b) ? a : b;
}
} // namespace

QString gateStateName(GateState state)
{
    switch (state) {
    case GateState::Active: return QStringLiteral("active");
    case GateState::Reducing: return QStringLiteral("reducing");
    case GateState::Halted: return QStringLiteral("halted");
    }
    Q_UNREACHABLE();
    return {};
}

TradingGate::TradingGate(int maxAccounts)
    : m_maxAccounts(std::max(maxAccounts, 1)), m_mask(tableSize(maxAccounts) - 1),
      m_slots(new std::atomic<Cell *>[tableSize(maxAccounts)])
{
    for (std::size_t i = 0; i <= m_mask; ++i)
        m_slots[i].store(nullptr, std::memory_order_relaxed);
}

TradingGate::~TradingGate() = default;

const TradingGate::Cell *TradingGate::find(const QString &account) const
{
    std::size_t i = qHash(account, 0) & m_mask;
    for (std::size_t probes = 0; probes <= m_mask; ++probes, i = (i + 1) & m_mask) {
        const Cell *c = m_slots[i].load(std::memory_order_acquire);
        if (!c)
            return nullptr; // slots are never emptied: the account was never added
        if (c->account == account)
            return c;
    }
    return nullptr;
}

Result<TradingGate::Cell *> TradingGate::findOrCreate(const QString &account)
{
    QMutexLocker lock(&m_writeMutex);
    std::size_t i = qHash(account, 0) & m_mask;
    for (std::size_t probes = 0; probes <= m_mask; ++probes, i = (i + 1) & m_mask) {
        Cell *c = m_slots[i].load(std::memory_order_acquire);
        if (c && c->account == account)
            return c;
        if (!c) {
            if (int(m_owned.size()) >= m_maxAccounts)
                break;
            m_owned.push_back(std::make_unique<Cell>(account));
            Cell *created = m_owned.back().get();
            m_slots[i].store(created, std::memory_order_release);
            return created;
        }
    }
    return Error::make(ErrorKind::Internal, QStringLiteral("TradingGateFull"),
                       QStringLiteral("trading gate: cannot add account %1, the table holds at most %2 accounts")
                           .arg(account)
                           .arg(m_maxAccounts));
}

void TradingGate::store(Cell &cell, GateState state, const QString &reason)
{
    // Writers of one scope serialise here so that state and reason stay a pair; readers of the state
    // never take this lock.
    QMutexLocker lock(&cell.reasonMutex);
    cell.reason = reason;
    cell.state.store(quint8(state), std::memory_order_seq_cst);
}

QString TradingGate::reasonOf(const Cell &cell)
{
    QMutexLocker lock(&cell.reasonMutex);
    return cell.reason;
}

Result<void> TradingGate::registerAccount(const QString &account)
{
    Result<Cell *> c = findOrCreate(account);
    if (!c)
        return c.error();
    return {};
}

Result<void> TradingGate::setAccount(const QString &account, GateState state, const QString &reason)
{
    Result<Cell *> c = findOrCreate(account);
    if (c) {
        store(*c.value(), state, reason);
        qCInfo(lcRisk).noquote() << "trading gate" << account << "->" << gateStateName(state) << reason;
        return {};
    }
    if (state == GateState::Active)
        return {}; // an account without an entry already reads as Active
    // Fail safe: a restriction that cannot be recorded for the account is applied to everyone.
    const GateState global = stricter(globalState(), state);
    setGlobal(global, QStringLiteral("account %1: %2 (applied globally: %3)").arg(account, reason, c.error().message));
    Error e = c.error();
    e.account = account;
    e.message += QStringLiteral("; the restriction was applied to the global gate instead");
    return e;
}

void TradingGate::setGlobal(GateState state, const QString &reason)
{
    store(m_global, state, reason);
    qCInfo(lcRisk).noquote() << "trading gate (global) ->" << gateStateName(state) << reason;
}

bool TradingGate::liftGlobalIf(const QString &expectedReason, const QString &reason)
{
    {
        QMutexLocker lock(&m_global.reasonMutex);
        if (m_global.reason != expectedReason || GateState(m_global.state.load(std::memory_order_seq_cst)) == GateState::Active)
            return false;
        m_global.reason = reason;
        m_global.state.store(quint8(GateState::Active), std::memory_order_seq_cst);
    }
    qCInfo(lcRisk).noquote() << "trading gate (global) -> active" << reason;
    return true;
}

GateState TradingGate::accountState(const QString &account) const
{
    const Cell *c = find(account);
    return c ? GateState(c->state.load(std::memory_order_seq_cst)) : GateState::Active;
}

GateState TradingGate::globalState() const
{
    return GateState(m_global.state.load(std::memory_order_seq_cst));
}

GateState TradingGate::effective(const QString &account) const
{
    return stricter(globalState(), accountState(account));
}

Result<void> TradingGate::refuse(const QString &account, const char *what, GateState state, const Cell *accountCell,
                                 GateState accountState, GateState globalState) const
{
    const bool global = globalState == state; // when both are as strict, the global one is named
    const QString scope = global ? QStringLiteral("global") : QStringLiteral("account");
    const QString reason = global ? reasonOf(m_global) : (accountCell ? reasonOf(*accountCell) : QString());
    QString message = QStringLiteral("%1 refused for %2: trading is %3 %4")
                          .arg(QLatin1String(what), account, gateStateName(state),
                               global ? QStringLiteral("for all accounts") : QStringLiteral("for this account"));
    if (!reason.isEmpty())
        message += QStringLiteral(" (") + reason + u')';
    if (state == GateState::Halted && qstrcmp(what, "sell") == 0)
        message += QStringLiteral("; only sells ordered by the emergency stop go out");
    Error e = Error::make(ErrorKind::NotSent,
                          state == GateState::Halted ? QStringLiteral("TradingHalted") : QStringLiteral("TradingReducing"),
                          message);
    e.account = account;
    e.details.insert(QStringLiteral("scope"), scope);
    e.details.insert(QStringLiteral("state"), gateStateName(state));
    e.details.insert(QStringLiteral("reason"), reason);
    e.details.insert(QStringLiteral("account_state"), gateStateName(accountState));
    e.details.insert(QStringLiteral("global_state"), gateStateName(globalState));
    return e;
}

Result<void> TradingGate::checkBuy(const QString &account) const
{
    const GateState global = globalState();
    const Cell *cell = find(account);
    const GateState own = cell ? GateState(cell->state.load(std::memory_order_seq_cst)) : GateState::Active;
    const GateState state = stricter(global, own);
    if (state == GateState::Active)
        return {};
    return refuse(account, "buy", state, cell, own, global);
}

Result<void> TradingGate::checkSell(const QString &account, bool killSwitchOrdered) const
{
    const GateState global = globalState();
    const Cell *cell = find(account);
    const GateState own = cell ? GateState(cell->state.load(std::memory_order_seq_cst)) : GateState::Active;
    const GateState state = stricter(global, own);
    if (state != GateState::Halted || killSwitchOrdered)
        return {};
    return refuse(account, "sell", state, cell, own, global);
}

QString TradingGate::accountReason(const QString &account) const
{
    const Cell *c = find(account);
    return c ? reasonOf(*c) : QString();
}

QString TradingGate::globalReason() const
{
    return reasonOf(m_global);
}

QStringList TradingGate::accounts() const
{
    QStringList out;
    for (std::size_t i = 0; i <= m_mask; ++i) {
        if (const Cell *c = m_slots[i].load(std::memory_order_acquire))
            out.append(c->account);
    }
    out.sort();
    return out;
}

} // namespace Vigil
