// SPDX-License-Identifier: GPL-3.0-or-later
#include <QDateTime>
#include <QTest>

#include "risk/emergencystopreport.h"

using namespace Vigil;

class TestEmergencyStopReport final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void summaryNamesEveryOutcome();
    void summarySaysWhenNotFlat();
};

void TestEmergencyStopReport::summaryNamesEveryOutcome()
{
    EmergencyStopReport r;
    r.scope = QStringLiteral("all");
    r.haltedAfterUs = 154;
    r.sold.append({QStringLiteral("CR1"), 11, Money::fromMinor(950, 2)});
    r.unsellable.append({QStringLiteral("CR1"), 12, QStringLiteral("Resale of this contract is not offered."),
                         QDateTime(QDate(2026, 11, 21), QTime(16, 43, 52), Qt::UTC).toMSecsSinceEpoch()});
    r.failed.append({QStringLiteral("CR2"), 13, QStringLiteral("RateLimit: You have reached the rate limit for sell.")});
    r.alreadyClosed.append(QStringLiteral("CR2/14"));
    r.remainingOpen = 1;
    r.verifiedFlat = true;
    const QString s = r.summary();
    QVERIFY2(s.contains(QStringLiteral("halted 154 µs after the trigger")), qPrintable(s));
    QVERIFY2(s.contains(QStringLiteral("1 sold, 1 could not be sold, 1 failed, 1 had already closed")), qPrintable(s));
    // The server's own full stop is not doubled by the clause that follows it.
    QVERIFY2(s.contains(QStringLiteral("Contract 12 (CR1) cannot be sold: Resale of this contract is not offered; it "
                                       "settles by itself at 2026-11-21T16:43:52Z")),
             qPrintable(s));
    QVERIFY2(s.contains(QStringLiteral("Selling contract 13 (CR2) failed: RateLimit: You have reached the rate limit "
                                       "for sell. ")),
             qPrintable(s));
    QVERIFY2(!s.contains(QStringLiteral("..")) && !s.contains(QStringLiteral(".;")), qPrintable(s));
    QVERIFY2(s.endsWith(QStringLiteral("Trading stays halted until re-armed.")), qPrintable(s));
}

void TestEmergencyStopReport::summarySaysWhenNotFlat()
{
    EmergencyStopReport r;
    r.scope = QStringLiteral("CR1");
    r.remainingOpen = 2;
    r.errors.append(QStringLiteral("CR1: portfolio failed"));
    const QString s = r.summary();
    QVERIFY2(s.contains(QStringLiteral("NOT verified flat: 2 contracts still open; CR1: portfolio failed.")), qPrintable(s));
}

QTEST_APPLESS_MAIN(TestEmergencyStopReport)
#include "tst_emergencystopreport.moc"
