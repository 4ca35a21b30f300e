// SPDX-License-Identifier: GPL-3.0-or-later
#include "symbol.h"

#include "money/money.h"

namespace Vigil::Sim {

double SymbolSpec::pip() const
{
    return 1.0 / double(pow10(pipDecimals));
}

QString SymbolSpec::submarket() const
{
    return jumpsPerHour > 0.0 ? QStringLiteral("jump_index") : QStringLiteral("random_index");
}

QString SymbolSpec::formatQuote(qint64 pips) const
{
    const qint64 p = pow10(pipDecimals);
    const qint64 a = pips < 0 ? -pips : pips;
    QString s = QString::number(a / p);
    if (pipDecimals > 0)
        s += u'.' + QStringLiteral("%1").arg(a % p, pipDecimals, 10, QLatin1Char('0'));
    return pips < 0 ? u'-' + s : s;
}

double SymbolSpec::quoteToDouble(qint64 pips) const
{
    return double(pips) / double(pow10(pipDecimals));
}

const QList<SymbolSpec> &symbolTable()
{
    // Volatility, cadence and precision per Deriv's synthetic index specification; the start spots
    // are of the order real quotes have (only their magnitude matters).
    static const QList<SymbolSpec> table{
        {QStringLiteral("1HZ10V"), QStringLiteral("Volatility 10 (1s) Index"), 0.10, 1, 2, 915'000, 1},
        {QStringLiteral("1HZ15V"), QStringLiteral("Volatility 15 (1s) Index"), 0.15, 1, 3, 8'641'200, 2},
        {QStringLiteral("1HZ25V"), QStringLiteral("Volatility 25 (1s) Index"), 0.25, 1, 2, 65'512'300, 3},
        {QStringLiteral("1HZ30V"), QStringLiteral("Volatility 30 (1s) Index"), 0.30, 1, 3, 9'012'750, 4},
        {QStringLiteral("1HZ50V"), QStringLiteral("Volatility 50 (1s) Index"), 0.50, 1, 2, 24'730'000, 5},
        {QStringLiteral("1HZ75V"), QStringLiteral("Volatility 75 (1s) Index"), 0.75, 1, 2, 450'123, 6},
        {QStringLiteral("1HZ90V"), QStringLiteral("Volatility 90 (1s) Index"), 0.90, 1, 3, 12'345'678, 7},
        {QStringLiteral("1HZ100V"), QStringLiteral("Volatility 100 (1s) Index"), 1.00, 1, 2, 123'456, 8},
        {QStringLiteral("1HZ150V"), QStringLiteral("Volatility 150 (1s) Index"), 1.50, 1, 2, 1'498'765, 9},
        {QStringLiteral("1HZ250V"), QStringLiteral("Volatility 250 (1s) Index"), 2.50, 1, 2, 289'123'400, 10},
        {QStringLiteral("R_10"), QStringLiteral("Volatility 10 Index"), 0.10, 2, 3, 6'123'456, 11},
        {QStringLiteral("R_25"), QStringLiteral("Volatility 25 Index"), 0.25, 2, 3, 2'834'567, 12},
        {QStringLiteral("R_50"), QStringLiteral("Volatility 50 Index"), 0.50, 2, 4, 2'012'345, 13},
        {QStringLiteral("R_75"), QStringLiteral("Volatility 75 Index"), 0.75, 2, 4, 901'234'567, 14},
        {QStringLiteral("R_100"), QStringLiteral("Volatility 100 Index"), 1.00, 2, 2, 123'456, 15},
        // Jump indices: a jump every 20 minutes on average, about 30 times the normal move of a tick.
        {QStringLiteral("JD10"), QStringLiteral("Jump 10 Index"), 0.10, 2, 2, 1'034'567, 16, 3.0},
        {QStringLiteral("JD25"), QStringLiteral("Jump 25 Index"), 0.25, 2, 2, 2'765'432, 17, 3.0},
        {QStringLiteral("JD50"), QStringLiteral("Jump 50 Index"), 0.50, 2, 2, 590'123, 18, 3.0},
        {QStringLiteral("JD75"), QStringLiteral("Jump 75 Index"), 0.75, 2, 2, 812'345, 19, 3.0},
        {QStringLiteral("JD100"), QStringLiteral("Jump 100 Index"), 1.00, 2, 2, 1'456'789, 20, 3.0},
    };
    return table;
}

const SymbolSpec *findSymbol(QStringView symbol)
{
    for (const SymbolSpec &s : symbolTable()) {
        if (s.symbol == symbol)
            return &s;
    }
    return nullptr;
}

} // namespace Vigil::Sim
