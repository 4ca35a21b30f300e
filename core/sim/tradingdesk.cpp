// SPDX-License-Identifier: GPL-3.0-or-later
#include "tradingdesk.h"

#include <algorithm>

#include <QDateTime>
#include <QRegularExpression>

#include "health/redactor.h"

namespace Vigil::Sim {

namespace {
const QStringList &knownScopes()
{
    static const QStringList scopes{QStringLiteral("read"), QStringLiteral("trade"),
                                    QStringLiteral("trading_information"), QStringLiteral("payments"),
                                    QStringLiteral("admin")};
    return scopes;
}

int currencyDigits(const QString &currency)
{
    static const QStringList fiat{QStringLiteral("USD"), QStringLiteral("EUR"), QStringLiteral("GBP"),
                                  QStringLiteral("AUD")};
    return fiat.contains(currency) ? 2 : -1;
}

QString money(Money m, const QString &currency)
{
    return m.toString() + u' ' + currency;
}
constexpr qint64 s_idEpochMs = 1'767'225'600'000; // 2026-01-01T00:00:00Z
} // namespace

TradingDesk::TradingDesk(quint64 seed, const ResaleRules &resale, QObject *parent)
    : QObject(parent)
    , m_resale(resale)
    , m_rng(seed ^ 0x5eedf00dULL)
{
    // Ids never repeat across runs, as the real server's do not: a journal that outlives one simulator must not
    // meet the same contract id again for another contract. Offset by the start time (20 contract ids and 40
    // transaction ids a millisecond: no run buys faster than that).
    const qint64 sinceBase = std::max<qint64>(0, QDateTime::currentMSecsSinceEpoch() - s_idEpochMs);
    m_nextContractId += sinceBase * 20;
    m_nextTransactionId += sinceBase * 40;
}

TradingDesk::~TradingDesk() = default;

QString TradingDesk::randomToken(int length)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::uniform_int_distribution<int> pick(0, int(sizeof(alphabet)) - 2);
    QString s;
    s.reserve(length);
    for (int i = 0; i < length; ++i)
        s += QLatin1Char(alphabet[pick(m_rng)]);
    return s;
}

Result<QString> TradingDesk::addAccount(const AccountSpec &spec, qint64 nowSec)
{
    const int digits = currencyDigits(spec.currency);
    if (digits < 0)
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("currency"),
                           QStringLiteral("Unsupported currency: ") + spec.currency);
    if (spec.balance.isNegative() || spec.balance.digits() != digits)
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("balance"), QStringLiteral("Invalid opening balance"));
    for (const QString &s : spec.scopes) {
        if (!knownScopes().contains(s))
            return Error::make(ErrorKind::InvalidInput, QStringLiteral("scopes"), QStringLiteral("Unknown scope: ") + s);
    }
    static const QRegularExpression tokenPattern(QStringLiteral(R"(^[\w\-]{1,128}$)"));
    if (!tokenPattern.match(spec.token).hasMatch())
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("token"),
                           QStringLiteral("A token is 1 to 128 letters, digits, '_' or '-'"));
    if (m_tokens.count(spec.token))
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("token"), QStringLiteral("Token already in use"));

    auto account = std::make_unique<Account>();
    account->loginid = spec.isVirtual ? QStringLiteral("VRTC") + QString::number(m_nextVirtual++)
                                      : QStringLiteral("CR") + QString::number(m_nextReal++);
    account->currency = spec.currency;
    account->isVirtual = spec.isVirtual;
    account->createdAt = nowSec;
    account->balance = Money::zero(digits);
    const QString loginid = account->loginid;
    Account &a = *account;
    m_accounts.emplace(loginid, std::move(account));
    if (!spec.balance.isZero())
        record(a, QStringLiteral("deposit"), spec.balance, nowSec, 0, 0);
    const Result<void> added = addToken(loginid, spec.token, QStringLiteral("vigil-sim"), spec.scopes);
    Q_ASSERT(added.ok());
    Q_UNUSED(added);
    return loginid;
}

Account *TradingDesk::account(const QString &loginid)
{
    const auto it = m_accounts.find(loginid);
    return it == m_accounts.end() ? nullptr : it->second.get();
}

const Account *TradingDesk::account(const QString &loginid) const
{
    return const_cast<TradingDesk *>(this)->account(loginid);
}

QStringList TradingDesk::loginids() const
{
    QStringList out;
    for (const auto &[id, a] : m_accounts)
        out.append(id);
    return out;
}

const ApiToken *TradingDesk::token(const QString &value) const
{
    const auto it = m_tokens.find(value);
    return it == m_tokens.end() ? nullptr : &it->second;
}

QList<ApiToken> TradingDesk::tokens(const QString &loginid) const
{
    QList<ApiToken> out;
    for (const auto &[value, t] : m_tokens) {
        if (t.loginid == loginid)
            out.append(t);
    }
    std::sort(out.begin(), out.end(), [](const ApiToken &a, const ApiToken &b) { return a.displayName < b.displayName; });
    return out;
}

Result<void> TradingDesk::addToken(const QString &loginid, const QString &value, const QString &displayName,
                                   const QStringList &scopes)
{
    if (!account(loginid))
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("loginid"), QStringLiteral("Unknown account"));
    if (m_tokens.count(value))
        return Error::make(ErrorKind::InvalidInput, QStringLiteral("token"), QStringLiteral("Token already in use"));
    Redactor::registerSecret(value);
    m_tokens.emplace(value, ApiToken{value, loginid, displayName, scopes, 0});
    return {};
}

Result<ApiToken> TradingDesk::createToken(const QString &loginid, const QString &displayName, const QStringList &scopes)
{
    auto apiError = [](const QString &message) { return Error::broker(QStringLiteral("APITokenError"), message); };
    const QString name = displayName.trimmed();
    if (name.size() < 2 || name.size() > 32)
        return apiError(QStringLiteral("Length of token name must be between 2 and 32 characters."));
    const QList<ApiToken> existing = tokens(loginid);
    if (existing.size() >= 30)
        return apiError(QStringLiteral("Max 30 tokens are allowed."));
    for (const ApiToken &t : existing) {
        if (t.displayName == name)
            return apiError(QStringLiteral("The name is taken."));
    }
    QString value;
    do {
        value = randomToken(15);
    } while (m_tokens.count(value));
    const Result<void> added = addToken(loginid, value, name, scopes.isEmpty() ? knownScopes() : scopes);
    if (!added.ok())
        return added.error();
    return *token(value);
}

bool TradingDesk::deleteToken(const QString &value)
{
    const auto it = m_tokens.find(value);
    if (it == m_tokens.end())
        return false;
    const QString loginid = it->second.loginid;
    m_tokens.erase(it);
    Q_EMIT tokenDeleted(value, loginid);
    return true;
}

void TradingDesk::touchToken(const QString &value, qint64 nowSec)
{
    const auto it = m_tokens.find(value);
    if (it != m_tokens.end())
        it->second.lastUsed = nowSec;
}

Transaction TradingDesk::record(Account &account, const QString &action, Money amount, qint64 time,
                                qint64 contractId, qint64 referenceId)
{
    account.balance += amount;
    Transaction t;
    t.id = m_nextTransactionId;
    m_nextTransactionId += 2;
    t.action = action;
    t.amount = amount;
    t.balanceAfter = account.balance;
    t.time = time;
    t.contractId = contractId;
    t.referenceId = referenceId;
    account.transactions.append(t);
    m_events.push_back(Event{Event::TransactionAdded, account.loginid, contractId, t});
    return t;
}

Result<const Contract *> TradingDesk::buy(const QString &loginid, const ContractTerms &terms, Money maxPrice,
                                          qint64 nowSec)
{
    Account *a = account(loginid);
    if (!a)
        return Error::broker(QStringLiteral("AuthorizationRequired"), QStringLiteral("Please log in."));
    if (terms.currency != a->currency) {
        return Error::broker(QStringLiteral("ContractBuyValidationError"),
                             QStringLiteral("The provided currency %1 is not the default currency.").arg(terms.currency),
                             QJsonObject{{QStringLiteral("field"), QStringLiteral("currency")}});
    }
    if (maxPrice < terms.stake) {
        if (terms.basisStake) {
            return Error::broker(QStringLiteral("ContractBuyValidationError"),
                                 QStringLiteral("Contract's stake amount is more than the maximum purchase price."),
                                 QJsonObject{{QStringLiteral("field"), QStringLiteral("price")}});
        }
        return Error::broker(QStringLiteral("PriceMoved"),
                             QStringLiteral("The underlying market has moved too much since you priced the contract. "
                                            "The contract price has changed from %1 to %2.")
                                 .arg(money(maxPrice, a->currency), money(terms.stake, a->currency)));
    }
    if (a->balance < terms.stake) {
        return Error::broker(QStringLiteral("InsufficientBalance"),
                             QStringLiteral("Your account balance (%1) is insufficient to buy this contract (%2).")
                                 .arg(money(a->balance, a->currency), money(terms.stake, a->currency)));
    }
    const qint64 id = m_nextContractId;
    m_nextContractId += 20;
    auto contract = std::make_unique<Contract>(id, loginid, terms, nowSec);
    const Transaction t = record(*a, QStringLiteral("buy"), -terms.stake, nowSec, id, 0);
    contract->setBuyTransactionId(t.id);
    a->transactions.last().referenceId = t.id;
    m_events.back().transaction.referenceId = t.id;
    a->contracts.append(id);
    a->openContracts += 1;
    a->counters.maxOpenContracts = std::max(a->counters.maxOpenContracts, a->openContracts);
    m_openBySymbol[terms.symbol->symbol].append(id);
    const Contract *c = contract.get();
    m_contracts.emplace(id, std::move(contract));
    m_events.push_back(Event{Event::ContractChanged, loginid, id, {}});
    return c;
}

Result<const Contract *> TradingDesk::sell(const QString &loginid, qint64 contractId, Money minPrice, qint64 nowMs)
{
    const auto it = m_contracts.find(contractId);
    if (it == m_contracts.end() || it->second->loginid() != loginid)
        return Error::broker(QStringLiteral("InvalidSellContractProposal"), QStringLiteral("Unknown contract sell proposal"));
    Contract &c = *it->second;
    if (!c.isOpen())
        return Error::broker(QStringLiteral("NoOpenPosition"),
                             QStringLiteral("This contract was not found among your open positions."));
    const SaleCheck check = c.saleCheck(m_resale);
    if (!check.ok())
        return Error::broker(QStringLiteral("InvalidtoSell"), check.message);
    Account &a = *account(loginid);
    const Money bid = c.bidPrice(nowMs);
    if (!minPrice.isZero() && bid < minPrice) {
        return Error::broker(QStringLiteral("PriceMoved"),
                             QStringLiteral("The underlying market has moved too much since you priced the contract. "
                                            "The contract sell price has changed from %1 to %2.")
                                 .arg(money(minPrice, a.currency), money(bid, a.currency)));
    }
    const Transaction t = record(a, QStringLiteral("sell"), bid, nowMs / 1000, c.id(), c.buyTransactionId());
    c.sellEarly(bid, nowMs / 1000, t.id);
    a.openContracts -= 1;
    a.counters.sells += 1;
    m_openBySymbol[c.symbol().symbol].removeOne(c.id());
    m_events.push_back(Event{Event::ContractChanged, loginid, c.id(), {}});
    return &c;
}

const Contract *TradingDesk::contract(qint64 id) const
{
    const auto it = m_contracts.find(id);
    return it == m_contracts.end() ? nullptr : it->second.get();
}

QList<const Contract *> TradingDesk::contracts(const QString &loginid) const
{
    QList<const Contract *> out;
    if (const Account *a = account(loginid)) {
        for (qint64 id : a->contracts)
            out.append(contract(id));
    }
    return out;
}

QList<const Contract *> TradingDesk::allContracts() const
{
    QList<const Contract *> out;
    for (const auto &[id, c] : m_contracts)
        out.append(c.get());
    std::sort(out.begin(), out.end(), [](const Contract *a, const Contract *b) { return a->id() < b->id(); });
    return out;
}

void TradingDesk::onTick(const QString &symbol, const Tick &tick)
{
    const auto it = m_openBySymbol.constFind(symbol);
    if (it == m_openBySymbol.constEnd())
        return;
    for (qint64 id : *it) {
        Contract &c = *m_contracts.at(id);
        if (!c.onTick(tick))
            continue;
        m_events.push_back(Event{Event::ContractChanged, c.loginid(), id, {}});
        if (c.isExpired())
            m_events.push_back(Event{Event::Settle, c.loginid(), id, {}});
    }
}

void TradingDesk::settle(Contract &c)
{
    if (!c.isOpen())
        return; // sold early in between
    Account &a = *account(c.loginid());
    const Money amount = c.wins() ? c.payout() : Money::zero(c.payout().digits());
    const qint64 sellTime = c.terms().ticks ? c.exit().epoch : c.dateExpiry();
    const Transaction t = record(a, QStringLiteral("sell"), amount, sellTime, c.id(), c.buyTransactionId());
    c.settle(t.id);
    a.openContracts -= 1;
    m_openBySymbol[c.symbol().symbol].removeOne(c.id());
    m_events.push_back(Event{Event::ContractChanged, c.loginid(), c.id(), {}});
}

void TradingDesk::flush()
{
    if (m_flushing)
        return;
    m_flushing = true;
    // Handlers may not call back into the desk, but settle() appends: index, not iterators.
    for (size_t i = 0; i < m_events.size(); ++i) {
        const Event e = m_events[i];
        switch (e.kind) {
        case Event::TransactionAdded:
            Q_EMIT transactionRecorded(e.loginid, e.transaction);
            break;
        case Event::ContractChanged:
            Q_EMIT contractChanged(e.loginid, e.contractId);
            break;
        case Event::Settle:
            settle(*m_contracts.at(e.contractId));
            break;
        }
    }
    m_events.clear();
    m_flushing = false;
}

} // namespace Vigil::Sim
