// SPDX-License-Identifier: GPL-3.0-or-later
#include "contract.h"

#include <algorithm>
#include <cmath>

namespace Vigil::Sim {

namespace {
constexpr double s_secondsPerYear = 365.0 * 24 * 3600;
constexpr double s_commission = 0.012;

double normalCdf(double x)
{
    return 0.5 * std::erfc(-x / std::sqrt(2.0));
}
} // namespace

Contract::Contract(qint64 id, const QString &loginid, const ContractTerms &terms, qint64 purchaseTime)
    : m_id(id)
    , m_loginid(loginid)
    , m_terms(terms)
    , m_purchaseTime(purchaseTime)
    , m_sellPrice(Money::zero())
{
}

qint64 Contract::dateExpiry() const
{
    if (!m_terms.ticks)
        return m_purchaseTime + m_terms.duration;
    if (m_exit.isValid())
        return m_exit.epoch;
    if (m_entry.isValid()) {
        const int remaining = (m_terms.isDigit() ? m_terms.duration - 1 : m_terms.duration) - (m_ticksFromEntry - 1);
        return m_current.epoch + qint64(std::max(remaining, 0)) * symbol().tickIntervalSec;
    }
    return m_purchaseTime + m_terms.expectedLengthSec();
}

bool Contract::onTick(const Tick &tick)
{
    if (!isOpen() || m_exit.isValid() || tick.epoch <= m_purchaseTime)
        return false;
    if (m_current.isValid() && tick.epoch <= m_current.epoch)
        return false;
    m_current = tick;
    if (!m_entry.isValid()) {
        m_entry = tick;
        m_ticksFromEntry = 1;
    } else {
        ++m_ticksFromEntry;
    }
    if (m_terms.ticks) {
        m_tickStream.append(tick);
        const int exitAt = m_terms.isDigit() ? m_terms.duration : m_terms.duration + 1;
        if (m_ticksFromEntry >= exitAt)
            m_exit = tick;
        return true;
    }
    const qint64 expiry = m_purchaseTime + m_terms.duration;
    if (tick.epoch <= expiry)
        m_lastBeforeExpiry = tick;
    if (tick.epoch >= expiry)
        m_exit = m_lastBeforeExpiry.isValid() ? m_lastBeforeExpiry : tick;
    return true;
}

bool Contract::decide(const Tick &exitTick) const
{
    const qint64 e = m_entry.pips;
    const qint64 x = exitTick.pips;
    const int d = exitTick.lastDigit();
    switch (m_terms.kind) {
    case ContractKind::Call:
        return x > e;
    case ContractKind::Put:
        return x < e;
    case ContractKind::CallE:
        return x >= e;
    case ContractKind::PutE:
        return x <= e;
    case ContractKind::DigitMatch:
        return d == m_terms.barrierDigit;
    case ContractKind::DigitDiff:
        return d != m_terms.barrierDigit;
    case ContractKind::DigitOver:
        return d > m_terms.barrierDigit;
    case ContractKind::DigitUnder:
        return d < m_terms.barrierDigit;
    case ContractKind::DigitEven:
        return d % 2 == 0;
    case ContractKind::DigitOdd:
        return d % 2 == 1;
    }
    return false;
}

bool Contract::wins() const
{
    return m_exit.isValid() && decide(m_exit);
}

void Contract::settle(qint64 sellTxn)
{
    Q_ASSERT(isOpen() && m_exit.isValid());
    const bool won = wins();
    m_status = won ? ContractStatus::Won : ContractStatus::Lost;
    m_sellPrice = won ? m_terms.payout : Money::zero(m_terms.payout.digits());
    m_sellTime = m_terms.ticks ? m_exit.epoch : dateExpiry();
    m_sellSpot = m_exit;
    m_sellTxn = sellTxn;
}

void Contract::sellEarly(Money price, qint64 sellTime, qint64 sellTxn)
{
    Q_ASSERT(isOpen());
    m_status = ContractStatus::Sold;
    m_sellPrice = price;
    m_sellTime = sellTime;
    m_sellSpot = m_current;
    m_sellTxn = sellTxn;
}

SaleCheck Contract::saleCheck(const ResaleRules &rules) const
{
    if (!isOpen())
        return {QStringLiteral("ContractAlreadySold"), QStringLiteral("This contract has been sold.")};
    bool offered;
    if (m_terms.isDigit())
        offered = rules.digits;
    else
        offered = m_terms.ticks ? rules.riseFallTicks : rules.riseFallSeconds;
    if (!offered)
        return {QStringLiteral("ResaleNotOffered"), QStringLiteral("Resale of this contract is not offered.")};
    if (m_exit.isValid())
        return {QStringLiteral("WaitForContractSettlement"),
                QStringLiteral("Please wait for contract settlement. The final settlement price may differ from the indicative price.")};
    if (!m_entry.isValid())
        return {QStringLiteral("EntryTickMissing"), QStringLiteral("Waiting for entry tick.")};
    if (m_current.epoch == m_entry.epoch)
        return {QStringLiteral("SellAtEntryTick"),
                QStringLiteral("Contract cannot be sold at entry tick. Please wait for the next tick.")};
    return {};
}

Money Contract::bidPrice(qint64 nowMs) const
{
    const int digits = m_terms.payout.digits();
    if (!isOpen())
        return m_sellPrice;
    if (m_exit.isValid())
        return wins() ? m_terms.payout : Money::zero(digits);
    double p;
    if (m_terms.isDigit()) {
        p = double(m_terms.probabilityMilli()) / 1000.0;
    } else if (!m_entry.isValid()) {
        p = 0.5;
    } else {
        const SymbolSpec &s = symbol();
        const double remainingSec = m_terms.ticks
            ? double(std::max<qint64>(dateExpiry() - m_current.epoch, 0))
            : std::max(double(dateExpiry()) - double(nowMs) / 1000.0, 0.0);
        const double spot = double(m_current.pips);
        const double strike = double(m_entry.pips);
        const bool up = m_terms.kind == ContractKind::Call || m_terms.kind == ContractKind::CallE;
        if (remainingSec <= 0) {
            p = up ? (spot > strike ? 1.0 : 0.0) : (spot < strike ? 1.0 : 0.0);
        } else {
            const double tau = remainingSec / s_secondsPerYear;
            const double d2 = (std::log(spot / strike) - s.sigma * s.sigma * tau / 2.0) / (s.sigma * std::sqrt(tau));
            p = up ? normalCdf(d2) : normalCdf(-d2);
        }
    }
    const double value = std::clamp(p - s_commission, 0.0, 1.0);
    return Money::fromMinor(std::llround(double(m_terms.payout.minor()) * value), digits);
}

Money Contract::profit(qint64 nowMs) const
{
    return (isOpen() ? bidPrice(nowMs) : m_sellPrice) - m_terms.stake;
}

QString Contract::statusName() const
{
    switch (m_status) {
    case ContractStatus::Open:
        return QStringLiteral("open");
    case ContractStatus::Won:
        return QStringLiteral("won");
    case ContractStatus::Lost:
        return QStringLiteral("lost");
    case ContractStatus::Sold:
        return QStringLiteral("sold");
    }
    return QString();
}

} // namespace Vigil::Sim
