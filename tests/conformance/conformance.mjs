// SPDX-License-Identifier: GPL-3.0-or-later
// Conformance: Deriv's official JS client (@deriv/deriv-api) against vigil-sim.
// Usage: node conformance.mjs <path to vigil-sim>
// Exit 0 when every call succeeds and every field the client (and Vigil) reads is present with the
// right type; 1 on the first failure; 77 (CTest skip) when the npm dependencies are missing.
import { requireDependency, startSim } from './simprocess.mjs';

const WebSocket = requireDependency('ws');
const DerivAPI = requireDependency('@deriv/deriv-api');

const binary = process.argv[2];
if (!binary) {
    console.error('usage: node conformance.mjs <vigil-sim>');
    process.exit(2);
}
const TOKEN = 'conformanceToken1';

let step = 'start';
function check(condition, message) {
    if (!condition) throw new Error(`${step}: ${message}`);
}
function isInt(v) { return Number.isInteger(v); }
function isNum(v) { return typeof v === 'number' && Number.isFinite(v); }
function isStr(v) { return typeof v === 'string'; }
function fields(obj, spec, where) {
    check(obj && typeof obj === 'object', `${where} is not an object`);
    for (const [name, test] of Object.entries(spec))
        check(test(obj[name]), `${where}.${name} is missing or has the wrong type: ${JSON.stringify(obj[name])}`);
}
// The first value of an rxjs observable that satisfies `pred`.
function firstWhere(observable, pred, timeoutMs = 20000) {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => { sub.unsubscribe(); reject(new Error(`${step}: timed out`)); }, timeoutMs);
        const sub = observable.subscribe({
            next: (v) => { if (pred(v)) { clearTimeout(timer); sub.unsubscribe(); resolve(v); } },
            error: (e) => { clearTimeout(timer); reject(new Error(`${step}: ${JSON.stringify(e.error || e)}`)); },
        });
    });
}
async function expectError(promise, code) {
    try {
        await promise;
    } catch (e) {
        const got = e && e.error && e.error.error ? e.error.error.code : (e && e.error ? e.error.code : undefined);
        check(got === code, `expected error ${code}, got ${JSON.stringify(e.error || e)}`);
        return;
    }
    check(false, `expected error ${code}, the call succeeded`);
}

const sim = await startSim(binary, ['--token', TOKEN, '--seed', '11', '--time-scale', '20']);
const connection = new WebSocket(sim.url);
const api = new DerivAPI({ connection });
const basic = api.basic;
let failed = false;
try {
    step = 'ping';
    check((await basic.ping()).ping === 'pong', 'no pong');

    step = 'authorize';
    const { authorize } = await basic.authorize(TOKEN);
    fields(authorize, { loginid: isStr, currency: isStr, balance: isNum, is_virtual: isInt, scopes: Array.isArray,
        account_list: Array.isArray, email: isStr, country: isStr, user_id: isInt, landing_company_name: isStr,
        landing_company_fullname: isStr }, 'authorize');
    check(authorize.scopes.includes('trade'), 'token lacks trade scope');

    step = 'website_status';
    const { website_status } = await basic.websiteStatus();
    check(website_status.site_status === 'up', 'site not up');
    fields(website_status.api_call_limits.max_requestes_general, { hourly: isNum, minutely: isNum }, 'api_call_limits.general');
    check(website_status.currencies_config.USD.fractional_digits === 2, 'USD digits');

    step = 'active_symbols';
    const { active_symbols } = await basic.activeSymbols('brief');
    const r100 = active_symbols.find((s) => s.symbol === 'R_100');
    fields(r100, { display_name: isStr, pip: isNum, market: isStr, submarket: isStr, exchange_is_open: isInt }, 'R_100');

    step = 'ticks';
    const tickStream = basic.subscribe({ ticks: 'R_100' });
    const tick = await firstWhere(tickStream, (m) => m.msg_type === 'tick');
    fields(tick.tick, { symbol: isStr, epoch: isInt, quote: isNum, ask: isNum, bid: isNum, id: isStr, pip_size: isNum }, 'tick');
    fields(tick.subscription, { id: isStr }, 'tick.subscription');
    const next = await firstWhere(tickStream, (m) => m.tick.epoch > tick.tick.epoch);
    check(next.tick.epoch - tick.tick.epoch === 2, 'R_100 ticks every 2 s');

    step = 'ticks_history';
    const history = await basic.ticksHistory({ ticks_history: 'R_50', end: 'latest', count: 20 });
    check(history.history.prices.length === 20 && history.history.times.length === 20, 'history size');

    step = 'proposal';
    const proposalArgs = { proposal: 1, contract_type: 'CALL', currency: 'USD', symbol: 'R_100', amount: 10,
        basis: 'stake', duration: 5, duration_unit: 't' };
    const { proposal } = await basic.proposal(proposalArgs);
    fields(proposal, { id: isStr, ask_price: isNum, payout: isNum, spot: isNum, spot_time: isInt, date_start: isInt,
        longcode: isStr, display_value: isStr }, 'proposal');
    check(proposal.payout === 19.53, `payout ${proposal.payout}`);

    step = 'buy';
    const { buy } = await basic.buy({ buy: proposal.id, price: proposal.ask_price });
    fields(buy, { contract_id: isInt, transaction_id: isInt, buy_price: isNum, payout: isNum, balance_after: isNum,
        purchase_time: isInt, start_time: isInt, longcode: isStr, shortcode: isStr }, 'buy');
    await expectError(basic.buy({ buy: proposal.id, price: proposal.ask_price }), 'InvalidContractProposal');

    step = 'proposal_open_contract until sold';
    const pocStream = basic.subscribe({ proposal_open_contract: 1, contract_id: buy.contract_id });
    const sold = await firstWhere(pocStream, (m) => m.proposal_open_contract.is_sold === 1);
    const poc = sold.proposal_open_contract;
    fields(poc, { contract_id: isInt, contract_type: isStr, underlying: isStr, status: isStr, is_sold: isInt,
        is_expired: isInt, is_settleable: isInt, is_valid_to_sell: isInt, buy_price: isNum, bid_price: isNum,
        sell_price: isNum, payout: isNum, profit: isNum, entry_tick: isNum, entry_tick_time: isInt, exit_tick: isNum,
        exit_tick_time: isInt, current_spot: isNum, current_spot_time: isInt, date_start: isInt, date_expiry: isInt,
        tick_count: isInt, transaction_ids: (v) => v && isInt(v.buy) && isInt(v.sell) }, 'proposal_open_contract');
    check(['won', 'lost'].includes(poc.status), `status ${poc.status}`);
    check(poc.sell_price === (poc.status === 'won' ? 19.53 : 0), 'sell price');

    step = 'sell (high-level contract: buy, wait for resale, sell)';
    const contract = await api.contract({ contract_type: 'PUT', amount: 2, basis: 'stake', duration: 60,
        duration_unit: 's', currency: 'USD', symbol: 'R_100' });
    await contract.buy();
    check(isInt(contract.id ?? contract._data.id), 'contract id after buy');
    await firstWhere(contract.onUpdate(), (c) => c.is_valid_to_sell, 30000);
    const sell = await contract.sell();
    check(contract.status === 'sold', `status after sell: ${contract.status}`);
    check(sell && typeof sell === 'object', 'sell result');
    const { proposal_open_contract: afterSell } = await basic.proposalOpenContract({ proposal_open_contract: 1,
        contract_id: contract._data.id });
    check(afterSell.status === 'sold' && afterSell.is_sold === 1, 'sold contract status');

    step = 'sell errors';
    await expectError(basic.sell({ sell: buy.contract_id, price: 0 }), 'NoOpenPosition');
    await expectError(basic.sell({ sell: 1, price: 0 }), 'InvalidSellContractProposal');

    step = 'portfolio';
    const { portfolio } = await basic.portfolio();
    check(Array.isArray(portfolio.contracts), 'contracts array');

    step = 'profit_table';
    const { profit_table } = await basic.profitTable({ profit_table: 1, description: 1, limit: 10 });
    check(profit_table.count === 2 && profit_table.transactions.length === 2, `count ${profit_table.count}`);
    for (const t of profit_table.transactions)
        fields(t, { contract_id: isInt, transaction_id: isInt, buy_price: isNum, sell_price: isNum, payout: isNum,
            purchase_time: isInt, sell_time: isInt, shortcode: isStr, longcode: isStr, contract_type: isStr }, 'profit_table row');

    step = 'statement';
    const { statement } = await basic.statement({ statement: 1, limit: 50 });
    const total = statement.transactions.reduce((sum, t) => sum + Math.round(t.amount * 100), 0);
    const { balance } = await basic.balance();
    check(total === Math.round(balance.balance * 100), `statement sums to ${total}, balance ${balance.balance}`);

    step = 'api_token list';
    const { api_token } = await basic.apiToken({ api_token: 1 });
    check(api_token.tokens.length === 1 && api_token.tokens[0].token === TOKEN, 'token list');
    fields(api_token.tokens[0], { display_name: isStr, scopes: Array.isArray, last_used: isStr }, 'api_token.tokens[0]');

    step = 'high-level account (authorize + get_account_status) and payout_currencies';
    const account = await api.account(TOKEN);
    check(account.loginid === authorize.loginid, `account.loginid ${account.loginid}`);
    check(account.balance && isNum(account.balance.value), `account.balance ${JSON.stringify(account.balance && account.balance.value)}`);
    check(Array.isArray(account.status_codes), 'account.status_codes');
    const { payout_currencies } = await basic.payoutCurrencies();
    check(Array.isArray(payout_currencies) && payout_currencies.includes(authorize.currency), `payout_currencies ${payout_currencies}`);

    step = 'forget_all';
    const { forget_all } = await basic.forgetAll('ticks');
    check(Array.isArray(forget_all), 'forget_all list');

    console.log('conformance: all calls succeeded against', sim.url);
} catch (error) {
    failed = true;
    console.error('conformance FAILED:', error.message || `${step}: ${JSON.stringify(error.error || error)}`);
    console.error(sim.output().split('\n').slice(-20).join('\n'));
} finally {
    try { await basic.disconnect(); } catch { /* already closed */ }
    const code = await sim.stop();
    if (!failed && code !== 0) {
        console.error(`vigil-sim exited with ${code} on SIGTERM`);
        failed = true;
    }
}
process.exit(failed ? 1 : 0);
