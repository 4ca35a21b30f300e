// SPDX-License-Identifier: GPL-3.0-or-later
#include "envsecretstore.h"

#include <QRegularExpression>
#include <QtGlobal>

namespace Vigil {

EnvSecretStore::~EnvSecretStore() = default;

QString EnvSecretStore::describe() const
{
    return QStringLiteral("environment");
}

bool EnvSecretStore::isValidVariableName(const QString &name)
{
    static const QRegularExpression re(QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z_][A-Za-z0-9_]{0,127}")));
    return re.match(name).hasMatch();
}

Result<void> EnvSecretStore::bind(const QString &key, const QString &variable)
{
    if (Result<void> valid = validateKey(key); !valid)
        return valid;
    if (!isValidVariableName(variable)) {
        return Error::make(ErrorKind::Configuration, QStringLiteral("InvalidVariableName"),
                           QStringLiteral("\"%1\" is not a usable environment variable name for secret \"%2\" "
                                          "(letters, digits and '_', not starting with a digit).")
                               .arg(variable, key));
    }
    QMutexLocker lock(&m_mutex);
    m_variables.insert(key, variable);
    return {};
}

QString EnvSecretStore::variableFor(const QString &key) const
{
    QMutexLocker lock(&m_mutex);
    return m_variables.value(key);
}

void EnvSecretStore::startRead(const QString &key, ReadDone done)
{
    const QString variable = variableFor(key);
    if (variable.isEmpty()) {
        Error e = notFound(key);
        e.message = QStringLiteral("No environment variable is configured for secret \"%1\".").arg(key);
        done(std::move(e));
        return;
    }
    const QString value = qEnvironmentVariable(variable.toLocal8Bit().constData()).trimmed();
    if (value.isEmpty()) {
        Error e = notFound(key);
        e.message = QStringLiteral("Environment variable %1 (secret \"%2\") is not set or empty.").arg(variable, key);
        e.details.insert(QStringLiteral("variable"), variable);
        done(std::move(e));
        return;
    }
    done(value);
}

void EnvSecretStore::startWrite(const QString &key, const QString &, WriteDone done)
{
    done(readOnly(QStringLiteral("Cannot store secret \"%1\": secrets come from environment variables here and are "
                                 "read-only; set %2 in the runner's environment instead.")
                      .arg(key, variableFor(key).isEmpty() ? QStringLiteral("the configured variable") : variableFor(key))));
}

void EnvSecretStore::startDelete(const QString &key, WriteDone done)
{
    done(readOnly(QStringLiteral("Cannot delete secret \"%1\": secrets come from environment variables here and are "
                                 "read-only; remove %2 from the runner's environment instead.")
                      .arg(key, variableFor(key).isEmpty() ? QStringLiteral("the configured variable") : variableFor(key))));
}

} // namespace Vigil
