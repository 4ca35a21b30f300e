// SPDX-License-Identifier: GPL-3.0-or-later
// Type-checks vigil-sim's replies against Deriv's published TypeScript types (@deriv/api-types):
// drives a session over a raw WebSocket, records one reply of every type, writes them as typed
// object literals and runs tsc --strict on the result (excess or mistyped fields fail).
// Usage: node typecheck.mjs <path to vigil-sim> [work dir]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { requireDependency, startSim } from './simprocess.mjs';

const WebSocket = requireDependency('ws');
requireDependency('typescript');
const here = path.dirname(fileURLToPath(import.meta.url));
const typesDir = path.join(here, 'node_modules', '@deriv', 'api-types');
if (!fs.existsSync(path.join(typesDir, 'index.d.ts'))) {
    console.error('SKIP: @deriv/api-types is not installed (run "npm ci" in tests/conformance)');
    process.exit(77);
}

const binary = process.argv[2];
const workDir = process.argv[3] || fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-typecheck-'));
const TOKEN = 'typecheckToken1';

// msg_type → the response type Deriv publishes for it.
const typeOf = {
    authorize: 'AuthorizeResponse', balance: 'BalanceResponse', buy: 'BuyContractResponse',
    proposal: 'PriceProposalResponse', proposal_open_contract: 'PriceProposalOpenContractsResponse',
    sell: 'SellContractResponse', portfolio: 'PortfolioResponse', profit_table: 'ProfitTableResponse',
    statement: 'StatementResponse', api_token: 'APITokenResponse', tick: 'TicksStreamResponse',
    history: 'TicksHistoryResponse', candles: 'TicksHistoryResponse', transaction: 'TransactionsStreamResponse',
    website_status: 'ServerStatusResponse', active_symbols: 'ActiveSymbolsResponse', ping: 'PingResponse',
    time: 'ServerTimeResponse', forget: 'ForgetResponse', forget_all: 'ForgetAllResponse', logout: 'LogOutResponse',
    contracts_for: 'ContractsForSymbolResponse', sell_expired: 'SellExpiredContractsResponse',
    get_account_status: 'AccountStatusResponse', payout_currencies: 'PayoutCurrenciesResponse',
    trading_times: 'TradingTimesResponse',
};

const sim = await startSim(binary, ['--token', TOKEN, '--time-scale', '20']);
const ws = new WebSocket(sim.url);
const recorded = [];
let nextId = 1;
const waiting = new Map();
ws.on('message', (data) => {
    const msg = JSON.parse(String(data));
    if (!msg.error && typeOf[msg.msg_type])
        recorded.push(msg);
    const w = waiting.get(msg.req_id);
    if (w && w.pred(msg)) {
        waiting.delete(msg.req_id);
        w.resolve(msg);
    }
});
function send(request, pred = () => true) {
    const req_id = nextId++;
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reply to ${JSON.stringify(request)}`)), 30000);
        waiting.set(req_id, { pred, resolve: (m) => { clearTimeout(timer); resolve(m); } });
        ws.send(JSON.stringify({ ...request, req_id }));
    });
}

let code = 0;
try {
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    await send({ authorize: TOKEN });
    await send({ ping: 1 });
    await send({ time: 1 });
    await send({ website_status: 1 });
    await send({ get_account_status: 1 });
    await send({ payout_currencies: 1 });
    await send({ trading_times: 'today' });
    await send({ active_symbols: 'full' });
    await send({ contracts_for: 'R_100' });
    await send({ ticks_history: 'R_100', end: 'latest', count: 5 });
    await send({ ticks_history: 'R_100', end: 'latest', count: 5, style: 'candles' });
    await send({ ticks: 'R_100' });
    await send({ balance: 1, subscribe: 1 });
    await send({ transaction: 1, subscribe: 1 });
    const p = await send({ proposal: 1, contract_type: 'DIGITMATCH', barrier: '5', currency: 'USD', symbol: 'R_100',
        amount: 3, basis: 'stake', duration: 2, duration_unit: 't' });
    // The buy's own contract stream runs until the contract is sold; then a one-shot query.
    const sold = await send({ buy: p.proposal.id, price: 3, subscribe: 1 },
        (m) => m.proposal_open_contract && m.proposal_open_contract.is_sold === 1);
    await send({ proposal_open_contract: 1, contract_id: sold.proposal_open_contract.contract_id });
    const s = await send({ buy: '1', price: 5, parameters: { contract_type: 'CALL', currency: 'USD', symbol: 'R_100',
        amount: 5, basis: 'stake', duration: 30, duration_unit: 's' } });
    await send({ proposal_open_contract: 1, contract_id: s.buy.contract_id, subscribe: 1 },
        (m) => m.proposal_open_contract && m.proposal_open_contract.is_valid_to_sell === 1);
    await send({ sell: s.buy.contract_id, price: 0 });
    await send({ portfolio: 1 });
    await send({ profit_table: 1, description: 1 });
    await send({ statement: 1, description: 1 });
    await send({ api_token: 1, new_token: 'Types', new_token_scopes: ['read'] });
    await send({ sell_expired: 1 });
    await send({ forget_all: ['ticks', 'balance', 'transaction'] });
    await send({ forget: '0123456789abcdef0123456789abcdef' });
    await send({ logout: 1 });

    const seen = new Set(recorded.map((m) => m.msg_type));
    for (const t of Object.keys(typeOf))
        if (!seen.has(t)) throw new Error(`no ${t} reply was recorded`);
    const names = [...new Set(Object.values(typeOf))];
    let source = `import type { ${names.join(', ')} } from ${JSON.stringify(path.join(typesDir, 'index'))};\n\n`;
    recorded.forEach((m, i) => {
        source += `export const r${i}: ${typeOf[m.msg_type]} = ${JSON.stringify(m, null, 1)};\n`;
    });
    const file = path.join(workDir, 'recorded.ts');
    fs.writeFileSync(file, source);
    const tsc = path.join(here, 'node_modules', 'typescript', 'bin', 'tsc');
    try {
        execFileSync(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2020',
            '--module', 'es2020', '--moduleResolution', 'node', file], { stdio: 'pipe' });
        console.log(`typecheck: ${recorded.length} replies of ${seen.size} types match @deriv/api-types`);
    } catch (e) {
        code = 1;
        console.error(`typecheck FAILED (${file}):\n${e.stdout}${e.stderr}`);
    }
} catch (error) {
    code = 1;
    console.error('typecheck FAILED:', error.message);
} finally {
    ws.close();
    await sim.stop();
}
process.exit(code);
