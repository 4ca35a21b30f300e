// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QPointer>

#include "accounts/secretstore.h"

namespace Vigil {

// SecretStore on the platform keychain through QtKeychain: the Secret Service (GNOME Keyring, KWallet) on
// Linux, Keychain on macOS, Credential Manager on Windows. Entries are QtKeychain (service, key) pairs;
// the service defaults to "Vigil". The insecure plain-text fallback is never enabled: without a keychain,
// operations fail with KeychainUnavailable and a message saying what to install or start.
//
// Threads: QtKeychain jobs need an event loop, so every job runs on the thread that created the store (the
// "home" thread, normally the GUI thread); the methods may be called from any thread and results come back
// on the caller's context thread. On Linux the home thread's event dispatcher must be Qt's GLib one (the
// default; not with QT_NO_GLIB=1), which libsecret's callbacks ride on.
// The home thread must keep running its event loop while the store is in use, and every
// KeychainSecretStore of the process must share one home thread (QtKeychain serialises its jobs through a
// process-wide executor object that lives on the thread of the first job).
// Lifetime: the store may be destroyed with jobs running or queued; they finish and deliver their results,
// since they do not refer to it.
class KeychainSecretStore final : public SecretStore
{
public:
    explicit KeychainSecretStore(const QString &service = QStringLiteral("Vigil"));
    ~KeychainSecretStore() override;

    QString describe() const override;
    QString service() const { return m_service; }

protected:
    void startRead(const QString &key, ReadDone done) override;
    void startWrite(const QString &key, const QString &value, WriteDone done) override;
    void startDelete(const QString &key, WriteDone done) override;

private:
    template<typename Job, typename Done, typename Setup, typename Finish>
    void runJob(const QString &key, Done done, Setup setup, Finish finish);

    const QString m_service;
    QPointer<QObject> m_home; // lives on the home thread; jobs are started through it
};

} // namespace Vigil
