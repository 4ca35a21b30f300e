// SPDX-License-Identifier: GPL-3.0-or-later
// Load check (manual, not in CTest): N bots trading on every synthetic index at a time scale,
// reporting vigil-sim's CPU use. Usage: node load.mjs <vigil-sim> [bots=100] [seconds=20] [scale=10]
import fs from 'node:fs';

import { requireDependency, startSim } from './simprocess.mjs';

const WebSocket = requireDependency('ws');
const [binary, botsArg = '100', secondsArg = '20', scaleArg = '10'] = process.argv.slice(2);
const bots = Number(botsArg);
const seconds = Number(secondsArg);
const symbols = ['R_10', 'R_25', 'R_50', 'R_75', 'R_100', '1HZ10V', '1HZ25V', '1HZ50V', '1HZ75V', '1HZ100V'];
const token = 'loadToken1';

function cpuSeconds(pid) {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, clock ticks
}

const sim = await startSim(binary, ['--token', token, '--time-scale', scaleArg, '--no-rate-limit']);
let frames = 0;
let buys = 0;
let settled = 0;
const sockets = [];
for (let i = 0; i < bots; ++i) {
    const symbol = symbols[i % symbols.length];
    const ws = new WebSocket(sim.url);
    sockets.push(ws);
    let reqId = 1;
    const send = (o) => ws.send(JSON.stringify({ ...o, req_id: reqId++ }));
    const buy = () => send({ buy: '1', price: 1, subscribe: 1, parameters: { contract_type: i % 2 ? 'CALL' : 'DIGITEVEN',
        currency: 'USD', symbol, amount: 1, basis: 'stake', duration: 5, duration_unit: 't' } });
    ws.on('open', () => {
        send({ authorize: token });
        send({ ticks: symbol });
        send({ balance: 1, subscribe: 1 });
        send({ proposal: 1, subscribe: 1, contract_type: 'PUT', currency: 'USD', symbol, amount: 2, basis: 'stake',
            duration: 5, duration_unit: 't' });
        buy();
    });
    ws.on('message', (data) => {
        ++frames;
        const m = JSON.parse(String(data));
        if (m.msg_type === 'buy' && !m.error) ++buys;
        if (m.msg_type === 'proposal_open_contract' && m.proposal_open_contract.is_sold === 1) {
            ++settled;
            buy();
        }
    });
}
await new Promise((r) => setTimeout(r, 2000));
const cpu0 = cpuSeconds(sim.child.pid);
const frames0 = frames;
const t0 = Date.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
const elapsed = (Date.now() - t0) / 1000;
const cpu = cpuSeconds(sim.child.pid) - cpu0;
console.log(`${bots} bots, ${symbols.length} symbols, time scale ${scaleArg}: vigil-sim used ${(100 * cpu / elapsed).toFixed(1)}% `
    + `of one core; ${((frames - frames0) / elapsed).toFixed(0)} frames/s; ${buys} buys, ${settled} settled`);
for (const ws of sockets) ws.close();
await sim.stop();
