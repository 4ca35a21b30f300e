// SPDX-License-Identifier: GPL-3.0-or-later
#include "servercontract.h"

#include <QJsonValue>
#include <QRegularExpression>
#include <QStringList>

#include "deriv/derivfields.h"

namespace Vigil {

namespace {

Error bad(const QString &source, const QString &field, const QJsonObject &item)
{
    Error e = Error::make(ErrorKind::Protocol, QStringLiteral("BadServerContract"),
                          QStringLiteral("%1 item has a missing or malformed %2").arg(source, field));
    e.details = QJsonObject{{QStringLiteral("contract_id"), item.value(QLatin1String("contract_id"))},
                            {QStringLiteral("field"), field}};
    e.msgType = source;
    return e;
}

QJsonValue moneyJson(const std::optional<Money> &m)
{
    return m ? QJsonValue(m->toString()) : QJsonValue(QJsonValue::Null);
}

// The fields every source shares. `source` names it in errors.
Result<ServerContract> common(const QJsonObject &o, int digits, const QString &source)
{
    ServerContract c;
    const auto id = DerivFields::integer(o.value(QLatin1String("contract_id")));
    if (!id || *id <= 0)
        return bad(source, QStringLiteral("contract_id"), o);
    c.contractId = *id;
    const auto buy = DerivFields::money(o.value(QLatin1String("buy_price")), digits);
    if (!buy)
        return bad(source, QStringLiteral("buy_price"), o);
    c.buyPrice = *buy;
    const auto payout = DerivFields::money(o.value(QLatin1String("payout")), digits);
    if (!payout)
        return bad(source, QStringLiteral("payout"), o);
    c.payout = *payout;
    const auto purchase = DerivFields::integer(o.value(QLatin1String("purchase_time")));
    if (!purchase || *purchase <= 0)
        return bad(source, QStringLiteral("purchase_time"), o);
    c.purchaseMs = *purchase * 1000;
    c.symbol = DerivFields::symbol(o);
    c.shortcode = DerivFields::text(o.value(QLatin1String("shortcode")));
    c.contractType = DerivFields::text(o.value(QLatin1String("contract_type")));
    if ((c.contractType.isEmpty() || c.symbol.isEmpty()) && !c.shortcode.isEmpty()) {
        QString type = c.contractType;
        QString symbol;
        if (ServerContract::parseShortcodeTerms(c.shortcode, &type, &symbol)) {
            if (c.contractType.isEmpty())
                c.contractType = type;
            if (c.symbol.isEmpty())
                c.symbol = symbol;
        } else if (c.contractType.isEmpty()) {
            c.contractType = c.shortcode.section(u'_', 0, 0);
        }
    }
    if (c.contractType.isEmpty())
        return bad(source, QStringLiteral("contract_type"), o);
    if (c.symbol.isEmpty())
        return bad(source, QStringLiteral("symbol"), o);
    c.currency = DerivFields::text(o.value(QLatin1String("currency")));
    if (const auto txn = DerivFields::integer(o.value(QLatin1String("transaction_id"))))
        c.transactionId = *txn;
    ServerContract::parseShortcodeDuration(c.shortcode, c.contractType, c.symbol, &c.duration, &c.durationUnit);
    return c;
}

} // namespace

QString serverContractSourceName(ServerContract::Source source)
{
    switch (source) {
    case ServerContract::Source::Portfolio:
        return QStringLiteral("portfolio");
    case ServerContract::Source::ProfitTable:
        return QStringLiteral("profit_table");
    case ServerContract::Source::OpenContract:
        return QStringLiteral("proposal_open_contract");
    }
    return {};
}

QJsonObject ServerContract::toJson() const
{
    return QJsonObject{
        {QStringLiteral("source"), serverContractSourceName(source)},
        {QStringLiteral("contract_id"), contractId},
        {QStringLiteral("transaction_id"), transactionId},
        {QStringLiteral("symbol"), symbol},
        {QStringLiteral("contract_type"), contractType},
        {QStringLiteral("currency"), currency},
        {QStringLiteral("shortcode"), shortcode},
        {QStringLiteral("buy_price"), buyPrice.toString()},
        {QStringLiteral("payout"), payout.toString()},
        {QStringLiteral("status"), tradeStatusToString(status)},
        {QStringLiteral("sell_price"), moneyJson(sellPrice)},
        {QStringLiteral("profit"), moneyJson(profit)},
        {QStringLiteral("purchase_ms"), purchaseMs},
        {QStringLiteral("sell_ms"), sellMs},
        {QStringLiteral("duration"), duration},
        {QStringLiteral("duration_unit"), durationUnit},
    };
}

Result<ServerContract> ServerContract::fromPortfolio(const QJsonObject &item, int moneyDigits)
{
    auto c = common(item, moneyDigits, QStringLiteral("portfolio"));
    if (!c)
        return c;
    c.value().source = Source::Portfolio;
    c.value().status = TradeStatus::Open;
    return c;
}

Result<ServerContract> ServerContract::fromProfitTable(const QJsonObject &row, int moneyDigits)
{
    const QString source = QStringLiteral("profit_table");
    auto c = common(row, moneyDigits, source);
    if (!c)
        return c;
    ServerContract &s = c.value();
    s.source = Source::ProfitTable;
    const auto sell = DerivFields::money(row.value(QLatin1String("sell_price")), moneyDigits);
    if (!sell)
        return bad(source, QStringLiteral("sell_price"), row);
    const auto sellTime = DerivFields::integer(row.value(QLatin1String("sell_time")));
    if (!sellTime || *sellTime <= 0)
        return bad(source, QStringLiteral("sell_time"), row);
    s.sellPrice = *sell;
    s.profit = *sell - s.buyPrice;
    s.sellMs = *sellTime * 1000;
    s.status = statusFromFigures(s.payout, *sell);
    return c;
}

Result<std::optional<ServerContract>> ServerContract::fromOpenContract(const QJsonObject &payload, int moneyDigits)
{
    if (!payload.contains(QLatin1String("contract_id")))
        return std::optional<ServerContract>();
    const QString source = QStringLiteral("proposal_open_contract");
    auto c = common(payload, moneyDigits, source);
    if (!c)
        return c.error();
    ServerContract s = c.value();
    s.source = Source::OpenContract;
    if (s.transactionId == 0) {
        const QJsonObject ids = payload.value(QLatin1String("transaction_ids")).toObject();
        if (const auto buyTxn = DerivFields::integer(ids.value(QLatin1String("buy"))))
            s.transactionId = *buyTxn;
    }
    const auto sold = DerivFields::flag(payload.value(QLatin1String("is_sold")));
    if (!sold)
        return bad(source, QStringLiteral("is_sold"), payload);
    if (!*sold) {
        s.status = TradeStatus::Open;
        return std::optional<ServerContract>(s);
    }
    const auto sell = DerivFields::money(payload.value(QLatin1String("sell_price")), moneyDigits);
    if (!sell)
        return bad(source, QStringLiteral("sell_price"), payload);
    s.sellPrice = *sell;
    const auto profit = DerivFields::money(payload.value(QLatin1String("profit")), moneyDigits);
    s.profit = profit ? *profit : *sell - s.buyPrice;
    const auto sellTime = DerivFields::integer(payload.value(QLatin1String("sell_time")));
    const auto expiry = DerivFields::integer(payload.value(QLatin1String("date_expiry")));
    if (sellTime && *sellTime > 0)
        s.sellMs = *sellTime * 1000;
    else if (expiry && *expiry > 0)
        s.sellMs = *expiry * 1000;
    else
        return bad(source, QStringLiteral("sell_time"), payload);
    const QString status = DerivFields::text(payload.value(QLatin1String("status")));
    if (status == QLatin1String("won"))
        s.status = TradeStatus::Won;
    else if (status == QLatin1String("lost"))
        s.status = TradeStatus::Lost;
    else if (status == QLatin1String("sold"))
        s.status = TradeStatus::Sold;
    else
        s.status = statusFromFigures(s.payout, *sell);
    return std::optional<ServerContract>(s);
}

TradeStatus ServerContract::statusFromFigures(Money payout, Money sellPrice)
{
    if (sellPrice.isZero())
        return TradeStatus::Lost;
    if (sellPrice == payout)
        return TradeStatus::Won;
    return TradeStatus::Sold;
}

bool ServerContract::parseShortcodeTerms(const QString &shortcode, QString *contractType, QString *symbol)
{
    static const QRegularExpression typeShape(QStringLiteral("^[A-Z][A-Z0-9]*$"));
    static const QRegularExpression symbolPart(QStringLiteral("^[A-Za-z0-9]+$"));
    static const QRegularExpression amount(QStringLiteral("^[0-9]+(\\.[0-9]+)?$"));
    static const QRegularExpression epoch(QStringLiteral("^[0-9]{9,}$"));

    QString type;
    QString rest;
    if (!contractType->isEmpty() && shortcode.startsWith(*contractType + u'_')) {
        type = *contractType;
        rest = shortcode.mid(contractType->size() + 1);
    } else {
        type = shortcode.section(u'_', 0, 0);
        rest = shortcode.section(u'_', 1);
        if (!typeShape.match(type).hasMatch())
            return false;
    }
    const QStringList parts = rest.split(u'_');
    // parts[0 .. k-1] is the symbol, parts[k] the payout (or stake).
    for (qsizetype k = 1; k < parts.size(); ++k) {
        const QString &p = parts.at(k);
        if (!amount.match(p).hasMatch())
            continue;
        const bool decimal = p.contains(u'.');
        const bool beforeEpoch = k + 1 < parts.size() && epoch.match(parts.at(k + 1)).hasMatch();
        if (!decimal && !beforeEpoch)
            continue;
        const QStringList symbolParts = parts.first(k);
        for (const QString &s : symbolParts) {
            if (!symbolPart.match(s).hasMatch())
                return false;
        }
        *contractType = type;
        *symbol = symbolParts.join(u'_');
        return true;
    }
    return false;
}

bool ServerContract::parseShortcodeDuration(const QString &shortcode, const QString &contractType,
                                            const QString &symbol, int *duration, QString *unit)
{
    *duration = 0;
    unit->clear();
    const QString prefix = contractType + u'_' + symbol + u'_';
    if (contractType.isEmpty() || symbol.isEmpty() || !shortcode.startsWith(prefix, Qt::CaseInsensitive))
        return false;
    // <payout>_<start>_<expiry>_<barrier>_<barrier2>
    const QStringList parts = shortcode.mid(prefix.size()).split(u'_');
    if (parts.size() < 3)
        return false;
    QString expiry = parts.at(2);
    bool ok = false;
    if (expiry.endsWith(u'T')) {
        const int ticks = expiry.chopped(1).toInt(&ok);
        if (!ok || ticks <= 0)
            return false;
        *duration = ticks;
        *unit = QStringLiteral("t");
        return true;
    }
    if (expiry.endsWith(u'F'))
        expiry.chop(1);
    const qint64 start = parts.at(1).toLongLong(&ok);
    if (!ok)
        return false;
    const qint64 end = expiry.toLongLong(&ok);
    if (!ok || end <= start)
        return false;
    const qint64 seconds = end - start;
    if (seconds % 3600 == 0) {
        *duration = int(seconds / 3600);
        *unit = QStringLiteral("h");
    } else if (seconds % 60 == 0) {
        *duration = int(seconds / 60);
        *unit = QStringLiteral("m");
    } else {
        *duration = int(seconds);
        *unit = QStringLiteral("s");
    }
    return true;
}

} // namespace Vigil
