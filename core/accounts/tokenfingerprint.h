// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace Vigil {

// A stable, non-secret name for an API token, to use wherever a token must be referred to (session
// registry, revocation, logs, the journal) without holding the token: "tok_" + the first 16 hex digits of
// SHA-256("vigil-token-v1:" + token). 64 bits cannot be turned back into a token (many tokens share each
// value), and two live tokens colliding is out of practical reach.
class TokenFingerprint
{
public:
    static QString of(const QString &token);
    // True for strings shaped like a fingerprint, so that a raw token passed by mistake is refused.
    static bool isFingerprint(const QString &ref);
};

} // namespace Vigil
