// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <functional>

#include <QObject>
#include <QString>

#include "health/result.h"

namespace Vigil {

// Where API tokens live: the desktop keychain (KeychainSecretStore, target vigil_keychain), the environment
// of the headless runner (EnvSecretStore) or memory (MemorySecretStore: tests, paper-mode demo account).
// Secrets never go to QSettings, the journal, logs or command lines.
//
// Asynchronous, in the manner of QtKeychain's jobs, but small. Every operation takes a context object and
// a callback; the callback runs exactly once, queued on the context's thread, and never synchronously
// inside the call, even when the backend answers immediately. If the context is destroyed first, the
// callback is dropped. All three methods may be called from any thread; the store must outlive the calls
// it starts only as long as its own implementation says (see each subclass).
//
// Every secret a read hands out, and every secret written, is registered with Redactor first, so it is
// masked in any log line from then on.
//
// Errors (Error::code):
//   SecretNotFound       nothing stored under that key (kind Storage)
//   KeychainUnavailable  no keychain / Secret Service to talk to; the message says what to install or start
//                        (kind Configuration)
//   AccessDenied         the keychain refused (locked, or the user declined) (kind Storage)
//   SecretStoreReadOnly  the store cannot write or delete (EnvSecretStore) (kind Configuration)
//   InvalidSecretKey / InvalidSecretValue   bad arguments (kind InvalidInput)
//   KeychainError        any other backend failure, with the backend's message (kind Storage)
// Deleting a key that does not exist succeeds.
class SecretStore
{
    Q_DISABLE_COPY_MOVE(SecretStore)

public:
    using ReadCallback = std::function<void(Result<QString>)>;
    using DoneCallback = std::function<void(Result<void>)>;

    static constexpr QLatin1StringView NotFoundCode{"SecretNotFound"};
    static constexpr QLatin1StringView UnavailableCode{"KeychainUnavailable"};
    static constexpr QLatin1StringView AccessDeniedCode{"AccessDenied"};
    static constexpr QLatin1StringView ReadOnlyCode{"SecretStoreReadOnly"};
    static constexpr QLatin1StringView InvalidKeyCode{"InvalidSecretKey"};
    static constexpr QLatin1StringView InvalidValueCode{"InvalidSecretValue"};
    static constexpr QLatin1StringView BackendErrorCode{"KeychainError"};
    static constexpr qsizetype MaxKeyLength = 200;
    static constexpr qsizetype MaxValueLength = 4096;

    virtual ~SecretStore();

    void readSecret(const QString &key, QObject *context, ReadCallback callback);
    void writeSecret(const QString &key, const QString &value, QObject *context, DoneCallback callback);
    void deleteSecret(const QString &key, QObject *context, DoneCallback callback);

    // For messages and logs ("keychain (service Vigil)", "environment", "memory").
    virtual QString describe() const = 0;

    // Keys are printable, non-empty, at most MaxKeyLength characters, e.g. "token:CR123456".
    static Result<void> validateKey(const QString &key);

    static Error notFound(const QString &key);
    static Error unavailable(const QString &detail);
    static Error accessDenied(const QString &key, const QString &detail);
    static Error readOnly(const QString &what);
    static Error backendError(const QString &key, const QString &detail);

protected:
    SecretStore() = default;

    // Implementations: finish each operation by calling `done` exactly once, from any thread, even before
    // returning; the base class takes care of redaction and of the queued hop to the caller's context.
    // Arguments are already validated.
    using ReadDone = std::function<void(Result<QString>)>;
    using WriteDone = std::function<void(Result<void>)>;
    virtual void startRead(const QString &key, ReadDone done) = 0;
    virtual void startWrite(const QString &key, const QString &value, WriteDone done) = 0;
    virtual void startDelete(const QString &key, WriteDone done) = 0;
};

} // namespace Vigil
