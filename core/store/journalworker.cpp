// SPDX-License-Identifier: GPL-3.0-or-later
#include "journalworker.h"

#include <QThread>

#include "health/logcategories.h"

namespace Vigil {

JournalWorker::JournalWorker(JournalConfig config)
    : m_config(std::move(config))
{
}

JournalWorker::~JournalWorker() = default;

void JournalWorker::start()
{
    if (m_journal)
        return;
    auto journal = Journal::open(m_config);
    if (!journal) {
        qCWarning(lcStore).noquote() << "journal worker could not open the journal:" << journal.error().toString();
        Q_EMIT openFailed(journal.error());
        return;
    }
    m_journal = std::move(journal).value();
    Q_EMIT opened(m_journal->schemaVersion());
}

void JournalWorker::stop()
{
    m_journal.reset();
}

void JournalWorker::enqueue(quint64 ticket, Runner runner)
{
    QMetaObject::invokeMethod(
        this,
        [this, ticket, runner = std::move(runner)] {
            Q_ASSERT(QThread::currentThread() == thread());
            Q_EMIT jobFinished(ticket, runner(m_journal.get()));
        },
        Qt::QueuedConnection);
}

Error JournalWorker::notOpen()
{
    return Error::make(ErrorKind::Storage, QStringLiteral("NotOpen"), QStringLiteral("the journal is not open"));
}

} // namespace Vigil
