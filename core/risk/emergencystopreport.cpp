// SPDX-License-Identifier: GPL-3.0-or-later
#include "emergencystopreport.h"

#include <QDateTime>
#include <QJsonArray>
#include <QTimeZone>

namespace Vigil {

QJsonObject EmergencyStopReport::toJson() const
{
    QJsonArray soldA, unsellableA, failedA;
    for (const Sold &s : sold)
        soldA.append(QJsonObject{{QStringLiteral("account"), s.account}, {QStringLiteral("contract_id"), s.contractId},
                                 {QStringLiteral("sold_for"), s.soldFor.toString()}});
    for (const Unsellable &u : unsellable)
        unsellableA.append(QJsonObject{{QStringLiteral("account"), u.account}, {QStringLiteral("contract_id"), u.contractId},
                                       {QStringLiteral("reason"), u.reason}, {QStringLiteral("expiry_ms"), u.expiryMs}});
    for (const Failed &f : failed)
        failedA.append(QJsonObject{{QStringLiteral("account"), f.account}, {QStringLiteral("contract_id"), f.contractId},
                                   {QStringLiteral("error"), f.error}});
    return QJsonObject{{QStringLiteral("id"), qint64(id)},
                       {QStringLiteral("scope"), scope},
                       {QStringLiteral("triggered_ms"), triggeredMs},
                       {QStringLiteral("halted_after_us"), haltedAfterUs},
                       {QStringLiteral("sells_sent_after_us"), sellsSentAfterUs},
                       {QStringLiteral("completed_after_ms"), completedAfterMs},
                       {QStringLiteral("sold"), soldA},
                       {QStringLiteral("unsellable"), unsellableA},
                       {QStringLiteral("failed"), failedA},
                       {QStringLiteral("already_closed"), QJsonArray::fromStringList(alreadyClosed)},
                       {QStringLiteral("remaining_open"), remainingOpen},
                       {QStringLiteral("buys_in_flight"), buysInFlight},
                       {QStringLiteral("verified_flat"), verifiedFlat},
                       {QStringLiteral("errors"), QJsonArray::fromStringList(errors)}};
}

namespace {
// Server messages end with a full stop ("Resale of this contract is not offered."); the summary adds its own.
QString clause(QString text)
{
    while (text.endsWith(u'.') || text.endsWith(u' '))
        text.chop(1);
    return text;
}
} // namespace

QString EmergencyStopReport::summary() const
{
    QString s = QStringLiteral("Emergency stop (%1): trading halted %2 µs after the trigger. ")
                    .arg(scope).arg(haltedAfterUs);
    s += QStringLiteral("%1 sold, %2 could not be sold, %3 failed, %4 had already closed. ")
             .arg(sold.size()).arg(unsellable.size()).arg(failed.size()).arg(alreadyClosed.size());
    for (const Unsellable &u : unsellable) {
        s += QStringLiteral("Contract %1 (%2) cannot be sold: %3; it settles by itself at %4 and is followed until then. ")
                 .arg(u.contractId).arg(u.account, clause(u.reason),
                      u.expiryMs ? QDateTime::fromMSecsSinceEpoch(u.expiryMs, Qt::UTC).toString(Qt::ISODate)
                                 : QStringLiteral("an unknown time"));
    }
    for (const Failed &f : failed)
        s += QStringLiteral("Selling contract %1 (%2) failed: %3. ").arg(f.contractId).arg(f.account, clause(f.error));
    if (buysInFlight > 0)
        s += QStringLiteral("%1 sent before the stop never answered: a contract it made may be open (reconciliation "
                            "finds it). ")
                 .arg(buysInFlight == 1 ? QStringLiteral("1 buy") : QStringLiteral("%1 buys").arg(buysInFlight));
    s += verifiedFlat ? QStringLiteral("The server confirms nothing sellable is open.")
                      : QStringLiteral("NOT verified flat: %1 still open%2.")
                            .arg(remainingOpen == 1 ? QStringLiteral("1 contract") : QStringLiteral("%1 contracts").arg(remainingOpen))
                            .arg(errors.isEmpty() ? QString() : QStringLiteral("; ") + errors.join(QStringLiteral("; ")));
    s += QStringLiteral(" Trading stays halted until re-armed.");
    return s;
}

} // namespace Vigil
