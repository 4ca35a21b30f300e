// SPDX-License-Identifier: GPL-3.0-or-later
#include "keychainsecretstore.h"

#include <utility>

#include <qt6keychain/keychain.h>

#include <QCoreApplication>
#include <QThread>

#include "health/logcategories.h"

namespace Vigil {

namespace {
// Failures that mean "there is no keychain to talk to" rather than "the keychain said no". QtKeychain reports
// a missing Secret Service / D-Bus session as OtherError with the underlying D-Bus or GLib message.
bool looksUnavailable(const QString &detail)
{
    static const char *const needles[] = {"org.freedesktop.secrets", "org.freedesktop.DBus.Error.ServiceUnknown",
                                          "D-Bus", "DBus", "dbus", "autolaunch", "Could not connect",
                                          "No such file or directory", "not provided by any .service files",
                                          "kwalletd", "No keychain service available"};
    for (const char *n : needles) {
        if (detail.contains(QLatin1String(n)))
            return true;
    }
    return false;
}

Error notFoundInKeychain(const QString &key)
{
    Error e = SecretStore::notFound(key);
    // libsecret reports an item in a locked keyring that could not be unlocked (no prompt) the same way.
    e.message += QStringLiteral(" If the keyring is locked, unlock it and try again.");
    return e;
}

// The default collection is missing and could not be created (no prompt possible, e.g. no display).
bool looksLikeMissingCollection(const QString &detail)
{
    return detail.contains(QLatin1String("/org/freedesktop/secrets/collection"));
}

Error translate(const QKeychain::Job &job, const QString &key)
{
    const QString detail = job.errorString();
    switch (job.error()) {
    case QKeychain::NoError:
        break;
    case QKeychain::EntryNotFound:
        return notFoundInKeychain(key);
    case QKeychain::AccessDeniedByUser:
    case QKeychain::AccessDenied:
        return SecretStore::accessDenied(key, detail);
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return SecretStore::unavailable(detail);
    case QKeychain::CouldNotDeleteEntry:
    case QKeychain::OtherError:
        if (looksUnavailable(detail))
            return SecretStore::unavailable(detail);
        if (looksLikeMissingCollection(detail))
            return SecretStore::accessDenied(key, detail);
        break;
    }
    return SecretStore::backendError(key, detail.isEmpty() ? QStringLiteral("unknown error") : detail);
}

Error cancelled(const QString &key)
{
    return Error::make(ErrorKind::Cancelled, QStringLiteral("SecretStoreClosed"),
                       QStringLiteral("The keychain store was closed before \"%1\" could be accessed.").arg(key));
}
} // namespace

KeychainSecretStore::KeychainSecretStore(const QString &service)
    : m_service(service)
    , m_home(new QObject)
{
    m_home->setObjectName(QStringLiteral("KeychainSecretStore home"));
}

KeychainSecretStore::~KeychainSecretStore()
{
    if (m_home)
        m_home->deleteLater(); // after the job starts already queued to it
}

QString KeychainSecretStore::describe() const
{
    return QStringLiteral("keychain (service %1)").arg(m_service);
}

template<typename Job, typename Done, typename Setup, typename Finish>
void KeychainSecretStore::runJob(const QString &key, Done done, Setup setup, Finish finish)
{
    QObject *home = m_home.data();
    if (!home) {
        done(cancelled(key));
        return;
    }
    // The job captures only values: it may outlive the store.
    const bool queued = QMetaObject::invokeMethod(
        home,
        [service = m_service, key, done, setup, finish] {
            auto *job = new Job(service);
            job->setAutoDelete(true);
            job->setInsecureFallback(false); // never plain text, whatever the platform
            job->setKey(key);
            setup(*job);
            QObject::connect(job, &QKeychain::Job::finished, job, [key, done, finish](QKeychain::Job *finished) {
                if (finished->error() != QKeychain::NoError) {
                    qCDebug(lcAccounts) << "keychain job for" << key << "failed:" << finished->error()
                                        << finished->errorString();
                    done(translate(*finished, key));
                    return;
                }
                finish(static_cast<Job &>(*finished), done);
            });
            job->start();
        },
        Qt::QueuedConnection);
    if (!queued)
        done(cancelled(key));
}

void KeychainSecretStore::startRead(const QString &key, ReadDone done)
{
    runJob<QKeychain::ReadPasswordJob>(
        key, std::move(done), [](QKeychain::ReadPasswordJob &) {},
        [key](QKeychain::ReadPasswordJob &job, const ReadDone &finished) {
            const QString value = job.textData();
            if (value.isEmpty()) // SecretStore never writes empty values
                finished(notFoundInKeychain(key));
            else
                finished(value);
        });
}

void KeychainSecretStore::startWrite(const QString &key, const QString &value, WriteDone done)
{
    runJob<QKeychain::WritePasswordJob>(
        key, std::move(done), [value](QKeychain::WritePasswordJob &job) { job.setTextData(value); },
        [](QKeychain::WritePasswordJob &, const WriteDone &finished) { finished(Result<void>()); });
}

void KeychainSecretStore::startDelete(const QString &key, WriteDone done)
{
    auto idempotent = [key, done](Result<void> result) {
        // Deleting what is not there is success (SecretStore's contract), whatever the backend says.
        if (!result && result.error().code == SecretStore::NotFoundCode)
            done(Result<void>());
        else
            done(std::move(result));
    };
    runJob<QKeychain::DeletePasswordJob>(
        key, WriteDone(idempotent), [](QKeychain::DeletePasswordJob &) {},
        [](QKeychain::DeletePasswordJob &, const WriteDone &finished) { finished(Result<void>()); });
}

} // namespace Vigil
