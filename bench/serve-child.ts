// A `unirec serve` process for the benchmarks that load a server over HTTP (serve, serve-catalogue, scale-out).
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

export interface ServerChildOptions {
  /** flags for its Node.js process (e.g. V8's --max-semi-space-size=64) */
  nodeOptions?: string[];
  /** its environment (default: this process's) */
  env?: NodeJS.ProcessEnv;
  /**
   * lift the per-address rate limits (default true): a capacity benchmark measures what a server can do,
   * not what one client may ask; a benchmark of the limits themselves keeps them
   */
  unlimited?: boolean;
}

/** Starts `unirec serve ARGS` on a free port and resolves once it says its URL (rejects if it exits first). */
export async function startServer(args: string[], o: ServerChildOptions = {}): Promise<ServerChild> {
  const started = performance.now();
  const limits = (o.unlimited ?? true) ? ['--rate-limit', '0', '--heavy-rate-limit', '0'] : [];
  const child = spawn(process.execPath, [...(o.nodeOptions ?? []), bin, 'serve', '--port', '0', ...limits, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: o.env ?? process.env,
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
