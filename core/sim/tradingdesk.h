// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <map>
#include <memory>
#include <random>
#include <unordered_map>
#include <vector>

#include <QHash>
#include <QObject>

#include "health/result.h"
#include "sim/account.h"
#include "sim/contract.h"
#include "sim/simconfig.h"

namespace Vigil::Sim {

// The broker's books: accounts, API tokens, contracts and the transactions that move balances.
// All money is integer minor units. Lives on the server's thread; not thread-safe.
//
// State changes immediately; the notifications (transactionRecorded, contractChanged) are queued
// and emitted by flush(), so a request's reply can go out before the stream messages it causes,
// as on Deriv. Settlement of an expired contract also happens in flush(), after the "expired and
// settleable" contract update, so streams see: expired → sell transaction → balance → sold.
class TradingDesk final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TradingDesk)

public:
    TradingDesk(quint64 seed, const ResaleRules &resale, QObject *parent = nullptr);
    ~TradingDesk() override;

    // Accounts. addAccount fails (InvalidInput) on a malformed/duplicate token or unknown currency.
    Result<QString> addAccount(const AccountSpec &spec, qint64 nowSec);
    Account *account(const QString &loginid);
    const Account *account(const QString &loginid) const;
    QStringList loginids() const;

    // Tokens. createToken generates the value (api_token new_token); addToken takes a given one.
    const ApiToken *token(const QString &value) const;
    QList<ApiToken> tokens(const QString &loginid) const;
    Result<ApiToken> createToken(const QString &loginid, const QString &displayName, const QStringList &scopes);
    Result<void> addToken(const QString &loginid, const QString &value, const QString &displayName,
                          const QStringList &scopes);
    // Removes the token; every session authorized with it is told through tokenDeleted().
    bool deleteToken(const QString &value);
    void touchToken(const QString &value, qint64 nowSec);

    // Trading. Errors are Deriv's (ContractBuyValidationError, PriceMoved, InsufficientBalance,
    // InvalidSellContractProposal, NoOpenPosition, InvalidtoSell).
    Result<const Contract *> buy(const QString &loginid, const ContractTerms &terms, Money maxPrice, qint64 nowSec);
    Result<const Contract *> sell(const QString &loginid, qint64 contractId, Money minPrice, qint64 nowMs);
    const Contract *contract(qint64 id) const;
    QList<const Contract *> contracts(const QString &loginid) const;
    QList<const Contract *> allContracts() const;

    // Feeds a tick to the open contracts on `symbol` (queues their updates).
    void onTick(const QString &symbol, const Tick &tick);
    // Emits queued notifications in order, settling expired contracts on the way.
    void flush();

    ResaleRules &resale() { return m_resale; }

Q_SIGNALS:
    // A statement line was added (drives the balance and transaction streams).
    void transactionRecorded(const QString &loginid, const Vigil::Sim::Transaction &transaction);
    // A contract changed (bought, new tick, expired, settled or sold): drives proposal_open_contract.
    void contractChanged(const QString &loginid, qint64 contractId);
    // A token was deleted (emitted at once, not queued).
    void tokenDeleted(const QString &token, const QString &loginid);

private:
    struct Event
    {
        enum Kind { TransactionAdded, ContractChanged, Settle } kind;
        QString loginid;
        qint64 contractId = 0;
        Transaction transaction;
    };

    Transaction record(Account &account, const QString &action, Money amount, qint64 time, qint64 contractId,
                       qint64 referenceId);
    void settle(Contract &contract);
    QString randomToken(int length);

    ResaleRules m_resale;
    std::mt19937_64 m_rng;
    std::map<QString, std::unique_ptr<Account>> m_accounts;
    std::map<QString, ApiToken> m_tokens; // by value
    std::unordered_map<qint64, std::unique_ptr<Contract>> m_contracts;
    QHash<QString, QList<qint64>> m_openBySymbol;
    std::vector<Event> m_events;
    bool m_flushing = false;
    qint64 m_nextContractId = 210'000'000'001;
    qint64 m_nextTransactionId = 420'000'000'001;
    int m_nextVirtual = 1'000'001;
    int m_nextReal = 9'000'001;
};

} // namespace Vigil::Sim
