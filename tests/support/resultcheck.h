// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>

#include "health/result.h"

namespace Vigil::Test {

// For QVERIFY2(r.ok(), describe(r)): QVERIFY2 evaluates its message even on success, so the message must not
// touch error() of a successful result.
template <typename R> const char *describe(const R &result)
{
    static thread_local QByteArray text;
    text = result.ok() ? QByteArray() : result.error().toString().toUtf8();
    return text.constData();
}

} // namespace Vigil::Test
