// SPDX-License-Identifier: GPL-3.0-or-later
#include "secretstore.h"

#include <utility>

#include "accounts/queuedcallback.h"
#include "health/redactor.h"

namespace Vigil {

SecretStore::~SecretStore() = default;

void SecretStore::readSecret(const QString &key, QObject *context, ReadCallback callback)
{
    const QueuedCallback<Result<QString>> deliver(context, std::move(callback));
    if (Result<void> valid = validateKey(key); !valid) {
        deliver(valid.error());
        return;
    }
    startRead(key, [deliver](Result<QString> result) {
        // Before the value leaves the store: from here on any log line holding it is masked.
        if (result.ok())
            Redactor::registerSecret(result.value());
        deliver(std::move(result));
    });
}

void SecretStore::writeSecret(const QString &key, const QString &value, QObject *context, DoneCallback callback)
{
    const QueuedCallback<Result<void>> deliver(context, std::move(callback));
    if (Result<void> valid = validateKey(key); !valid) {
        deliver(valid.error());
        return;
    }
    if (value.isEmpty() || value.size() > MaxValueLength) {
        deliver(Error::make(ErrorKind::InvalidInput, QString(InvalidValueCode),
                            QStringLiteral("A secret must be 1 to %1 characters long (key %2).").arg(MaxValueLength).arg(key)));
        return;
    }
    Redactor::registerSecret(value);
    startWrite(key, value, [deliver](Result<void> result) { deliver(std::move(result)); });
}

void SecretStore::deleteSecret(const QString &key, QObject *context, DoneCallback callback)
{
    const QueuedCallback<Result<void>> deliver(context, std::move(callback));
    if (Result<void> valid = validateKey(key); !valid) {
        deliver(valid.error());
        return;
    }
    startDelete(key, [deliver](Result<void> result) { deliver(std::move(result)); });
}

Result<void> SecretStore::validateKey(const QString &key)
{
    if (key.isEmpty() || key.size() > MaxKeyLength) {
        return Error::make(ErrorKind::InvalidInput, QString(InvalidKeyCode),
                           QStringLiteral("A secret key must be 1 to %1 characters long.").arg(MaxKeyLength));
    }
    for (const QChar c : key) {
        if (!c.isPrint() || c.isSpace()) {
            return Error::make(ErrorKind::InvalidInput, QString(InvalidKeyCode),
                               QStringLiteral("A secret key may hold only printable characters without spaces."));
        }
    }
    return {};
}

Error SecretStore::notFound(const QString &key)
{
    return Error::make(ErrorKind::Storage, QString(NotFoundCode), QStringLiteral("No secret is stored under \"%1\".").arg(key));
}

Error SecretStore::unavailable(const QString &detail)
{
    Error e = Error::make(
        ErrorKind::Configuration, QString(UnavailableCode),
        QStringLiteral("No system keychain is available, and Vigil stores API tokens only there (never in its settings "
                       "files). On Linux, install and start a Secret Service provider (GNOME Keyring: package "
                       "gnome-keyring, or KWallet) in a desktop session with a D-Bus session bus, and unlock it; on "
                       "macOS and Windows the system keychain is used. For headless use, give the token to "
                       "vigil-headless through an environment variable instead."));
    if (!detail.isEmpty())
        e.details.insert(QStringLiteral("backend"), detail);
    return e;
}

Error SecretStore::accessDenied(const QString &key, const QString &detail)
{
    Error e = Error::make(ErrorKind::Storage, QString(AccessDeniedCode),
                          QStringLiteral("The keychain refused access to \"%1\": unlock the default keyring (create one "
                                         "if the keyring manager has none), or allow Vigil access when asked, and "
                                         "try again.")
                              .arg(key));
    if (!detail.isEmpty())
        e.details.insert(QStringLiteral("backend"), detail);
    return e;
}

Error SecretStore::readOnly(const QString &what)
{
    return Error::make(ErrorKind::Configuration, QString(ReadOnlyCode), what);
}

Error SecretStore::backendError(const QString &key, const QString &detail)
{
    return Error::make(ErrorKind::Storage, QString(BackendErrorCode),
                       QStringLiteral("The keychain failed for \"%1\": %2").arg(key, detail));
}

} // namespace Vigil
