// SPDX-License-Identifier: GPL-3.0-or-later
// Starts vigil-sim on a free port for the conformance scripts and stops it again.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

export const SKIP = 77; // CTest SKIP_RETURN_CODE

// Loads a dependency from tests/conformance/node_modules, or exits with SKIP and a clear message.
export function requireDependency(name) {
    const require = createRequire(import.meta.url);
    try {
        return require(name);
    } catch (error) {
        console.error(`SKIP: ${name} is not installed (run "npm ci" in tests/conformance): ${error.message}`);
        process.exit(SKIP);
    }
}

// Spawns `binary` with the given extra arguments; resolves to { url, port, child, stop() } once it
// prints its listening line.
export function startSim(binary, extraArgs = []) {
    return new Promise((resolve, reject) => {
        const child = spawn(binary, ['--port', '0', '--quiet', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        const timer = setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`vigil-sim did not start in time\n${out}${err}`));
        }, 10000);
        child.stderr.on('data', (d) => { err += d; });
        child.stdout.on('data', (d) => {
            out += d;
            const m = out.match(/listening on (ws:\/\/127\.0\.0\.1:(\d+)\/\S+)/);
            if (m) {
                clearTimeout(timer);
                const stop = () => new Promise((done) => {
                    if (child.exitCode !== null) return done(child.exitCode);
                    child.once('exit', (code) => done(code));
                    child.kill('SIGTERM');
                });
                resolve({ url: m[1], port: Number(m[2]), child, stop, output: () => out + err });
            }
        });
        child.on('error', (e) => { clearTimeout(timer); reject(e); });
        child.on('exit', (code) => {
            clearTimeout(timer);
            reject(new Error(`vigil-sim exited early with ${code}\n${out}${err}`));
        });
    });
}
