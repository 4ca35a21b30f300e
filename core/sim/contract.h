// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>

#include "money/money.h"
#include "sim/contractterms.h"
#include "sim/simconfig.h"
#include "sim/symbol.h"

namespace Vigil::Sim {

enum class ContractStatus { Open, Won, Lost, Sold };

// Why a contract cannot be sold right now (empty code = it can).
struct SaleCheck
{
    QString code;    // Deriv's validation_error_code ("ResaleNotOffered", "SellAtEntryTick", ...)
    QString message; // Deriv's validation_error text
    bool ok() const { return code.isEmpty(); }
};

// One bought contract and its life from purchase to settlement, driven by the ticks of its symbol.
// Settlement rules (Deriv's): the entry spot is the first tick strictly after the purchase second;
// Rise/Fall over N ticks exits at the N-th tick after entry; digit contracts count the entry as
// tick 1; second contracts exit at the last tick at or before date_expiry.
class Contract
{
public:
    Contract(qint64 id, const QString &loginid, const ContractTerms &terms, qint64 purchaseTime);

    qint64 id() const { return m_id; }
    const QString &loginid() const { return m_loginid; }
    const ContractTerms &terms() const { return m_terms; }
    const SymbolSpec &symbol() const { return *m_terms.symbol; }
    qint64 purchaseTime() const { return m_purchaseTime; }
    qint64 dateStart() const { return m_purchaseTime; }
    // date_expiry: exact for second contracts; for tick contracts the exit tick time once known,
    // an estimate before.
    qint64 dateExpiry() const;
    Money buyPrice() const { return m_terms.stake; }
    Money payout() const { return m_terms.payout; }

    ContractStatus status() const { return m_status; }
    bool isOpen() const { return m_status == ContractStatus::Open; }
    bool isSold() const { return m_status != ContractStatus::Open; }
    // The exit is known (a settled contract is always expired unless sold early).
    bool isExpired() const { return m_exit.isValid(); }
    Money sellPrice() const { return m_sellPrice; }
    qint64 sellTime() const { return m_sellTime; }
    const Tick &entry() const { return m_entry; }
    const Tick &exit() const { return m_exit; }
    const Tick &current() const { return m_current; }
    const Tick &sellSpot() const { return m_sellSpot; }
    const QList<Tick> &tickStream() const { return m_tickStream; }
    int tickCount() const { return m_terms.ticks ? m_terms.duration : 0; }

    qint64 buyTransactionId() const { return m_buyTxn; }
    qint64 sellTransactionId() const { return m_sellTxn; }
    void setBuyTransactionId(qint64 id) { m_buyTxn = id; }

    // Feeds a tick of this contract's symbol. Returns true if anything visible changed.
    // Sets the exit (the contract is then expired and settleable) but does not settle.
    bool onTick(const Tick &tick);
    // Expired and the exit decides: true if the contract pays out.
    bool wins() const;

    // Marks the contract settled at expiry (won → payout, lost → 0) or sold early at `price`.
    void settle(qint64 sellTxn);
    void sellEarly(Money price, qint64 sellTime, qint64 sellTxn);

    // Whether it may be sold now, given the resale rules and virtual time.
    SaleCheck saleCheck(const ResaleRules &rules) const;
    // The indicative price the contract could be sold back at (fair value less commission,
    // from the GBM probability of finishing in the money); exact payout/0 once expired.
    Money bidPrice(qint64 nowMs) const;
    // Profit so far: sell price (if sold) or bid − buy price.
    Money profit(qint64 nowMs) const;
    QString statusName() const;

private:
    bool decide(const Tick &exitTick) const;

    qint64 m_id;
    QString m_loginid;
    ContractTerms m_terms;
    qint64 m_purchaseTime;
    qint64 m_buyTxn = 0;
    qint64 m_sellTxn = 0;
    ContractStatus m_status = ContractStatus::Open;
    Tick m_entry;
    Tick m_exit;
    Tick m_current;
    Tick m_sellSpot;
    Tick m_lastBeforeExpiry; // second contracts: the latest tick at or before date_expiry
    QList<Tick> m_tickStream; // tick contracts: entry … exit
    int m_ticksFromEntry = 0; // entry counts as 1
    Money m_sellPrice;
    qint64 m_sellTime = 0;
};

} // namespace Vigil::Sim
