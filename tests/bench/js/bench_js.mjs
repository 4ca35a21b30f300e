// SPDX-License-Identifier: GPL-3.0-or-later
// The peer of tests/bench/client/bench_client: Deriv's official JS client (@deriv/deriv-api's DerivAPIBasic
// over the `ws` package, under node) against the same simulator, measured the same way. bench_client runs it;
// it prints ONE line of JSON on stdout and exits 0 (1 on failure, 77 when node_modules is missing).
//
//   node bench_js.mjs --url ws://127.0.0.1:PORT/websockets/v3?app_id=1089 --mode rtt --n 5000
//       n sequential pings (each sent when the previous reply has arrived): round trip per ping, from the
//       call to the resolved promise; percentiles and every sample (µs, 0.1 resolution).
//   node bench_js.mjs --url ... --mode throughput --symbols R_100,1HZ100V,... --seconds 3 [--warmup 0.5]
//       one tick subscription per symbol on one socket; counts the messages that reach the subscribers
//       (the observables' next()) over `seconds` after the warm-up, once every stream has delivered, and the
//       node process's CPU time per message over the same window.
import { createRequire } from 'node:module';

const SKIP = 77;
const require = createRequire(import.meta.url);
let WebSocket;
let DerivAPIBasic;
let version = '?';
try {
    WebSocket = require('ws');
    DerivAPIBasic = require('@deriv/deriv-api/dist/DerivAPIBasic');
    version = require('@deriv/deriv-api/package.json').version;
} catch (error) {
    console.error(`SKIP: run "npm ci" in tests/bench/js first (${error.message})`);
    process.exit(SKIP);
}

function args() {
    const out = { mode: 'rtt', n: 5000, seconds: 3, warmup: 0.5, symbols: 'R_100' };
    const argv = process.argv.slice(2);
    for (let i = 0; i < argv.length; i += 2) {
        const key = argv[i].replace(/^--/, '');
        if (!(key in out) && key !== 'url')
            throw new Error(`unknown option --${key}`);
        out[key] = argv[i + 1];
    }
    if (!out.url)
        throw new Error('--url is required');
    out.n = Number(out.n);
    out.seconds = Number(out.seconds);
    out.warmup = Number(out.warmup);
    return out;
}

// Same definition as the C++ side: the value at rank round(p * (n - 1)) of the sorted samples.
function percentile(sorted, p) {
    if (sorted.length === 0)
        return 0;
    return sorted[Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))];
}

const nowNs = () => process.hrtime.bigint();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function rtt(api, n) {
    for (let i = 0; i < 50; ++i) // warm-up (JIT, socket buffers), not counted
        await api.ping();
    const us = new Float64Array(n);
    for (let i = 0; i < n; ++i) {
        const t0 = nowNs();
        const reply = await api.ping();
        us[i] = Number(nowNs() - t0) / 1000;
        if (reply.ping !== 'pong')
            throw new Error(`unexpected reply ${JSON.stringify(reply)}`);
    }
    const samples = Array.from(us, (v) => Math.round(v * 10) / 10); // in call order, for pooling across runs
    us.sort();
    return { n, p50_us: percentile(us, 0.5), p99_us: percentile(us, 0.99), max_us: us[n - 1], samples_us: samples };
}

async function throughput(api, symbols, seconds, warmup) {
    let count = 0;
    const seen = new Set();
    const subs = symbols.map((symbol) => api.subscribe({ ticks: symbol }).subscribe({
        next: () => { ++count; seen.add(symbol); },
        error: (e) => { console.error(`stream ${symbol} failed: ${JSON.stringify(e.error || e)}`); process.exit(1); },
    }));
    const deadline = Date.now() + 20000;
    while (seen.size < symbols.length) {
        if (Date.now() > deadline)
            throw new Error(`only ${seen.size} of ${symbols.length} streams delivered`);
        await sleep(5);
    }
    await sleep(warmup * 1000);
    const c0 = count;
    const t0 = nowNs();
    const cpu0 = process.cpuUsage();
    await sleep(seconds * 1000);
    const messages = count - c0;
    const elapsed = Number(nowNs() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0); // the whole node process (its helper threads too), µs
    for (const s of subs)
        s.unsubscribe();
    return { messages, seconds: elapsed, per_second: messages / elapsed,
        cpu_us_per_msg: messages ? (cpu.user + cpu.system) / messages : null };
}

try {
    const o = args();
    // Handed over before it opens: the client waits for the socket's open event itself.
    const connection = new WebSocket(o.url);
    const api = new DerivAPIBasic({ connection });
    const result = o.mode === 'rtt' ? await rtt(api, o.n)
        : o.mode === 'throughput' ? await throughput(api, o.symbols.split(','), o.seconds, o.warmup)
            : (() => { throw new Error(`unknown --mode ${o.mode}`); })();
    console.log(JSON.stringify({ client: `@deriv/deriv-api ${version}`, node: process.version, mode: o.mode, ...result }));
    connection.terminate();
    process.exit(0);
} catch (error) {
    console.error(`bench_js: ${error.stack || error}`);
    process.exit(1);
}
