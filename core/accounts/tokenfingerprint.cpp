// SPDX-License-Identifier: GPL-3.0-or-later
#include "tokenfingerprint.h"

#include <QCryptographicHash>
#include <QRegularExpression>

namespace Vigil {

QString TokenFingerprint::of(const QString &token)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(QByteArrayView("vigil-token-v1:"));
    hash.addData(token.toUtf8());
    return QStringLiteral("tok_") + QString::fromLatin1(hash.result().toHex().left(16));
}

bool TokenFingerprint::isFingerprint(const QString &ref)
{
    static const QRegularExpression re(QRegularExpression::anchoredPattern(QStringLiteral("tok_[0-9a-f]{16}")));
    return re.match(ref).hasMatch();
}

} // namespace Vigil
