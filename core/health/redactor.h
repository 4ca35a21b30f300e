// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QString>

namespace Vigil {

// Keeps secrets (API tokens) out of every log line, file and report.
// Two layers: the values of known secret-bearing JSON fields (authorize, token, new_token, ...) are
// always masked, and every secret registered here is masked wherever it appears in free text.
// Thread-safe; register a token as soon as it is read from the keychain or environment.
class Redactor
{
public:
    static constexpr QLatin1StringView Mask{"<redacted>"};

    static void registerSecret(const QString &secret);
    static void forgetSecret(const QString &secret);

    // Masks registered secrets and secret-bearing JSON fields in free text (e.g. a raw frame).
    static QString redact(const QString &text);
    // Masks the values of secret-bearing keys at any depth, and registered secrets in any string.
    static QJsonObject redactJson(const QJsonObject &object);
    // True for keys whose value is a secret (authorize, token, new_token, delete_token, password, ...).
    static bool isSecretKey(QStringView key);
};

} // namespace Vigil
