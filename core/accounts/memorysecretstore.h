// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>

#include <QHash>
#include <QMutex>
#include <QStringList>

#include "accounts/secretstore.h"

namespace Vigil {

// Secrets in process memory only, gone at exit: for tests and for the paper-mode demo account.
// Thread-safe. Operations complete at once (callbacks still arrive queued, per SecretStore). It may be
// destroyed with callbacks still queued: they hold no reference to it.
// For tests it can also play a broken keychain: failWith() makes every operation fail with that error.
class MemorySecretStore final : public SecretStore
{
public:
    MemorySecretStore() = default;
    ~MemorySecretStore() override;

    QString describe() const override;

    // Key names only (never values), sorted.
    QStringList keys() const;
    bool contains(const QString &key) const;

    // Until reset with std::nullopt, every operation fails with `error` (e.g. SecretStore::unavailable(...)).
    void failWith(std::optional<Error> error);
    // Operations started so far (reads, writes, deletes), including failed ones.
    int operationCount() const;

protected:
    void startRead(const QString &key, ReadDone done) override;
    void startWrite(const QString &key, const QString &value, WriteDone done) override;
    void startDelete(const QString &key, WriteDone done) override;

private:
    mutable QMutex m_mutex;
    QHash<QString, QString> m_secrets;
    std::optional<Error> m_failure;
    int m_operations = 0;
};

} // namespace Vigil
