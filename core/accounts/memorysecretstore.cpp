// SPDX-License-Identifier: GPL-3.0-or-later
#include "memorysecretstore.h"

#include <algorithm>

namespace Vigil {

MemorySecretStore::~MemorySecretStore() = default;

QString MemorySecretStore::describe() const
{
    return QStringLiteral("memory");
}

QStringList MemorySecretStore::keys() const
{
    QMutexLocker lock(&m_mutex);
    QStringList out = m_secrets.keys();
    std::sort(out.begin(), out.end());
    return out;
}

bool MemorySecretStore::contains(const QString &key) const
{
    QMutexLocker lock(&m_mutex);
    return m_secrets.contains(key);
}

void MemorySecretStore::failWith(std::optional<Error> error)
{
    QMutexLocker lock(&m_mutex);
    m_failure = std::move(error);
}

int MemorySecretStore::operationCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_operations;
}

void MemorySecretStore::startRead(const QString &key, ReadDone done)
{
    Result<QString> result = notFound(key);
    {
        QMutexLocker lock(&m_mutex);
        ++m_operations;
        if (m_failure)
            result = *m_failure;
        else if (const auto it = m_secrets.constFind(key); it != m_secrets.cend())
            result = *it;
    }
    done(std::move(result));
}

void MemorySecretStore::startWrite(const QString &key, const QString &value, WriteDone done)
{
    Result<void> result;
    {
        QMutexLocker lock(&m_mutex);
        ++m_operations;
        if (m_failure)
            result = *m_failure;
        else
            m_secrets.insert(key, value);
    }
    done(std::move(result));
}

void MemorySecretStore::startDelete(const QString &key, WriteDone done)
{
    Result<void> result;
    {
        QMutexLocker lock(&m_mutex);
        ++m_operations;
        if (m_failure)
            result = *m_failure;
        else
            m_secrets.remove(key);
    }
    done(std::move(result));
}

} // namespace Vigil
