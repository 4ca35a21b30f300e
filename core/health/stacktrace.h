// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QStringList>

namespace Vigil {

// Stack traces for unexpected failures (backward-cpp with libdw when available).
class StackTrace
{
public:
    // The calling thread's stack, innermost first, `skip` frames dropped, at most `maxFrames`.
    static QStringList capture(int skip = 1, int maxFrames = 32);
    // Prints a trace on SIGSEGV/SIGABRT/... to stderr (and lets the crash proceed).
    static void installCrashHandler();
};

} // namespace Vigil
