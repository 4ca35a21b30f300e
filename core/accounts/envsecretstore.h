// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QMutex>

#include "accounts/secretstore.h"

namespace Vigil {

// Read-only secrets from the process environment, for the headless runner: its config names, per key,
// the environment variable that holds the secret (e.g. key "token:CR123456" ← VIGIL_TOKEN_CR123456), so
// the token itself never appears in a config file or on a command line. Surrounding whitespace (a
// trailing newline from a file) is trimmed. Writes and deletes fail with SecretStoreReadOnly.
// Thread-safe.
class EnvSecretStore final : public SecretStore
{
public:
    EnvSecretStore() = default;
    ~EnvSecretStore() override;

    QString describe() const override;

    // Reads of `key` come from environment variable `variable` (a portable name: [A-Za-z_][A-Za-z0-9_]*).
    // The variable need not be set yet; reading it while unset fails with SecretNotFound naming it.
    Result<void> bind(const QString &key, const QString &variable);
    QString variableFor(const QString &key) const;

    static bool isValidVariableName(const QString &name);

protected:
    void startRead(const QString &key, ReadDone done) override;
    void startWrite(const QString &key, const QString &value, WriteDone done) override;
    void startDelete(const QString &key, WriteDone done) override;

private:
    mutable QMutex m_mutex;
    QHash<QString, QString> m_variables;
};

} // namespace Vigil
