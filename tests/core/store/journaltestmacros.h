// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Result checks for the journal tests (Qt Test macros: use inside a test function or a void helper).

#include <QtTest>

// Fails the test with the error when `expr` (a Vigil::Result) is not ok.
#define VERIFY_OK(expr)                                                                                                \
    do {                                                                                                               \
        const auto &r_ = (expr);                                                                                       \
        if (!r_.ok())                                                                                                  \
            QFAIL(qPrintable(r_.error().toString()));                                                                  \
    } while (false)

// Declares `var` holding the value of a Result that must be ok.
#define TAKE(var, expr)                                                                                                \
    auto var##Result_ = (expr);                                                                                        \
    if (!var##Result_.ok())                                                                                            \
        QFAIL(qPrintable(var##Result_.error().toString()));                                                            \
    auto var = std::move(var##Result_).value()
