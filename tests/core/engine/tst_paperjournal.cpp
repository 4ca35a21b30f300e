// SPDX-License-Identifier: GPL-3.0-or-later
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include "engine/paperjournal.h"

using namespace Vigil;

class TestPaperJournal final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eachRunHasItsOwnJournal();
    void oldPaperJournalsArePruned();
    void unusableFolderIsAClearError();
};

namespace {
void touch(const QString &path, const QDateTime &when)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("x");
    f.close();
    QVERIFY(f.open(QIODevice::ReadWrite));
    QVERIFY(f.setFileTime(when, QFileDevice::FileModificationTime));
}
} // namespace

void TestPaperJournal::eachRunHasItsOwnJournal()
{
    QTemporaryDir dir;
    const QDateTime now(QDate(2026, 11, 21), QTime(16, 43, 5), Qt::UTC);
    const Result<QString> a = PaperJournal::prepare(dir.path(), now, 4242);
    QVERIFY(a.ok());
    QCOMPARE(a.value(), dir.filePath(QStringLiteral("paper/journal-20261121-164305-4242.db")));
    QVERIFY(QFileInfo(dir.filePath(QStringLiteral("paper"))).isDir());
    // Another instance at the same second, or the next run: never the same file.
    const Result<QString> b = PaperJournal::prepare(dir.path(), now, 4243);
    const Result<QString> c = PaperJournal::prepare(dir.path(), now.addSecs(1), 4242);
    QVERIFY(b.ok() && c.ok());
    QVERIFY(a.value() != b.value());
    QVERIFY(a.value() != c.value());
    // Not the configured journal of real accounts.
    QVERIFY(!a.value().endsWith(QStringLiteral("/journal.db")));
}

void TestPaperJournal::oldPaperJournalsArePruned()
{
    QTemporaryDir dir;
    const QString paper = dir.filePath(QStringLiteral("paper"));
    QVERIFY(QDir().mkpath(paper));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QString old = paper + QStringLiteral("/journal-20260101-000000-1.db");
    const QString recent = paper + QStringLiteral("/journal-20261120-000000-2.db");
    const QString oldButLive = paper + QStringLiteral("/journal-20260102-000000-3.db");
    const QString notOurs = paper + QStringLiteral("/notes.db");
    touch(old, now.addDays(-40));
    touch(old + QStringLiteral("-wal"), now.addDays(-40));
    touch(recent, now.addDays(-2));
    touch(oldButLive, now.addDays(-40));
    touch(oldButLive + QStringLiteral("-wal"), now.addSecs(-60)); // its WAL was written a minute ago
    touch(notOurs, now.addDays(-400));

    const Result<QString> next = PaperJournal::prepare(dir.path(), now, 7, 30);
    QVERIFY(next.ok());
    QVERIFY(!QFile::exists(old));
    QVERIFY(!QFile::exists(old + QStringLiteral("-wal")));
    QVERIFY(QFile::exists(recent));
    QVERIFY(QFile::exists(oldButLive));
    QVERIFY(QFile::exists(notOurs));
}

void TestPaperJournal::unusableFolderIsAClearError()
{
    QTemporaryDir dir;
    const QString blocker = dir.filePath(QStringLiteral("data"));
    touch(blocker, QDateTime::currentDateTimeUtc()); // a file where the data folder should be
    const Result<QString> r = PaperJournal::prepare(blocker, QDateTime::currentDateTimeUtc(), 1);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("PaperJournalDir"));
    QVERIFY(r.error().message.contains(QStringLiteral("paper journal folder")));
}

QTEST_GUILESS_MAIN(TestPaperJournal)
#include "tst_paperjournal.moc"
