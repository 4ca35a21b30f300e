// SPDX-License-Identifier: GPL-3.0-or-later
#include "redactor.h"

#include <QJsonArray>
#include <QMutex>
#include <QRegularExpression>
#include <QSet>

namespace Vigil {

namespace {
QMutex s_mutex;
QSet<QString> &secrets()
{
    static QSet<QString> s;
    return s;
}

QJsonValue redactValue(const QJsonValue &v);

QJsonArray redactArray(const QJsonArray &a)
{
    QJsonArray out;
    for (const QJsonValue &v : a)
        out.append(redactValue(v));
    return out;
}

QJsonValue redactValue(const QJsonValue &v)
{
    if (v.isObject())
        return Redactor::redactJson(v.toObject());
    if (v.isArray())
        return redactArray(v.toArray());
    if (v.isString())
        return Redactor::redact(v.toString());
    return v;
}
} // namespace

void Redactor::registerSecret(const QString &secret)
{
    if (secret.size() < 4) // masking tiny strings would shred ordinary text
        return;
    QMutexLocker lock(&s_mutex);
    secrets().insert(secret);
}

void Redactor::forgetSecret(const QString &secret)
{
    QMutexLocker lock(&s_mutex);
    secrets().remove(secret);
}

bool Redactor::isSecretKey(QStringView key)
{
    static const char *const keys[] = {"authorize", "token", "new_token", "delete_token", "password",
                                       "api_token_value", "secret", "otp"};
    for (const char *k : keys) {
        if (key.compare(QLatin1String(k), Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

QString Redactor::redact(const QString &text)
{
    // JSON fields first: catches tokens we were never told about (e.g. in a malformed frame).
    static const QRegularExpression field(
        QStringLiteral(R"re("(authorize|token|new_token|delete_token|password|secret)"\s*:\s*"(?:[^"\\]|\\.)*")re"),
        QRegularExpression::CaseInsensitiveOption);
    QString out = text;
    out.replace(field, QStringLiteral("\"\\1\":\"<redacted>\""));
    QMutexLocker lock(&s_mutex);
    for (const QString &s : std::as_const(secrets()))
        out.replace(s, Mask);
    return out;
}

QJsonObject Redactor::redactJson(const QJsonObject &object)
{
    QJsonObject out;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (isSecretKey(it.key()) && (it.value().isString() || it.value().isDouble()))
            out.insert(it.key(), QString(Mask));
        else if (it.key().compare(QLatin1String("tokens")) == 0 && it.value().isArray())
            out.insert(it.key(), redactArray(it.value().toArray()));
        else
            out.insert(it.key(), redactValue(it.value()));
    }
    return out;
}

} // namespace Vigil
