// SPDX-License-Identifier: GPL-3.0-or-later
#include "lease.h"

#include <QByteArray>
#include <QRandomGenerator>

namespace Vigil {

QString Lease::newToken()
{
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(words), sizeof(words)).toHex());
}

} // namespace Vigil
