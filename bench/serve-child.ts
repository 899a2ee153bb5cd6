// A `unirec serve` process for the benchmarks that load a server over HTTP (serve-catalogue, scale-out).
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/unirec.js');

export interface ServerChild {
  child: ChildProcess;
  /** the server's URL: the first line it writes to stdout */
  url: string;
  /** from the spawn to that line: how long the server took to load its model and listen */
  seconds: number;
}

/**
 * Starts `unirec serve ARGS` on a free port and resolves once it says its URL (rejects if it exits first).
 * The per-address rate limits are off: a benchmark measures what a server can do, not what one client may
 * ask. `nodeOptions` are flags for its Node.js process (e.g. V8's --max-semi-space-size=64).
 */
export async function startServer(args: string[], nodeOptions: string[] = []): Promise<ServerChild> {
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeOptions, bin, 'serve', '--port', '0', '--rate-limit', '0', '--heavy-rate-limit', '0', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  return { child, url, seconds: (performance.now() - started) / 1000 };
}
