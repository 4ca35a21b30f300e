// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>
#include <QtGlobal>

namespace Vigil::Sim {

// One synthetic index as Deriv publishes it: volatility, tick interval, quote precision and, for the jump
// indices, how often and how far it jumps.
struct SymbolSpec
{
    QString symbol;          // "R_100", "1HZ100V"
    QString displayName;     // "Volatility 100 Index", "Volatility 100 (1s) Index"
    double sigma = 1.0;      // annualised volatility (1.0 = 100 %)
    int tickIntervalSec = 2; // a tick every N seconds, at epochs divisible by N
    int pipDecimals = 2;     // decimals of a quote; the pip is 10^-pipDecimals
    qint64 startPips = 0;    // the spot the history starts from, in pips
    int displayOrder = 0;
    // Jump indices: on average this many jumps an hour, up or down with equal odds, each about
    // jumpScale times the normal move of one tick. 0 for the volatility indices.
    double jumpsPerHour = 0.0;
    double jumpScale = 30.0;

    // active_symbols.submarket: "random_index" or "jump_index".
    QString submarket() const;
    // "0.01" as a JSON number (active_symbols.pip).
    double pip() const;
    // 1234.5 pips→"12.345" style text with trailing zeros (the last digit is what digit contracts read).
    QString formatQuote(qint64 pips) const;
    double quoteToDouble(qint64 pips) const;
};

// The volatility and jump indices the simulator offers, in display order.
const QList<SymbolSpec> &symbolTable();
// nullptr when the symbol is not offered.
const SymbolSpec *findSymbol(QStringView symbol);

// A quote at a whole second. Quotes are integer pips so the last digit and comparisons are exact.
struct Tick
{
    qint64 epoch = 0; // seconds since the Unix epoch (virtual time)
    qint64 pips = 0;  // quote × 10^pipDecimals

    bool isValid() const { return epoch > 0; }
    int lastDigit() const { return int(pips % 10); }
};

} // namespace Vigil::Sim
