/**
 * Load benchmark of `unirec serve` on ml-1m, against 127.0.0.1 only, each phase bounded in time:
 *
 *   npm run build && node dist/bench/serve.js [--seconds 10] [--connections 10]
 *
 * It imports ../shared/data/ml-1m into a temporary store with `unirec import`, trains the best model
 * available (als when registered, else itemknn) with `unirec train`, starts `unirec serve --port 0` as
 * a child process and measures with autocannon:
 *   1. GET /health (the server's own ceiling: routing, JSON, no work);
 *   2. GET /recommend/:user for random ml-1m users;
 *   3. the same while POST /events writes single events at 200/s (those users are then folded in);
 *   4. the same during a background retrain and two activations (a hot swap under load).
 * Results are printed (a table on stdout, then one JSON line); BENCHMARKS.md is written by hand.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { modelNames } from '../src/pipeline/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'bin/unirec.js');
const data = path.resolve(root, '../shared/data/ml-1m');

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const v = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

const SECONDS = flag('seconds', 10);
const CONNECTIONS = flag('connections', 10);
const WRITE_RATE = 200;
const USERS = 6040;
const ITEMS = 3952;
const log = (m: string) => process.stderr.write(`bench: ${m}\n`);

function timed<T>(f: () => T): { value: T; seconds: number } {
  const start = performance.now();
  const value = f();
  return { value, seconds: (performance.now() - start) / 1000 };
}

const unirec = (...args: string[]) => execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

interface Phase {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  requests: number;
  errors: number;
  non2xx: number;
  note?: string;
}

function summarize(name: string, r: autocannon.Result, note?: string): Phase {
  return {
    name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    requests: r.requests.total,
    errors: r.errors,
    non2xx: r.non2xx,
    ...(note ? { note } : {}),
  };
}

/** Runs autocannon; `stopWhen` (if given) ends the run when it settles instead of after `seconds`. */
function load(url: string, seconds: number, paths: () => string, stopWhen?: Promise<unknown>): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: CONNECTIONS,
        duration: seconds,
        requests: [{ setupRequest: (req) => ({ ...req, path: paths() }) }],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    stopWhen?.finally(() => instance.stop());
  });
}

const randomUser = () => `/recommend/${1 + Math.floor(Math.random() * USERS)}?k=10`;

/** POSTs one event at a time at `rate` per second until `stop` resolves; counts and latencies. */
async function writeEvents(url: string, rate: number, stop: Promise<unknown>) {
  let done = false;
  void stop.then(() => (done = true));
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  while (!done) {
    const due = start + (sent * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    const body = JSON.stringify([{ user: String(1 + Math.floor(Math.random() * USERS)), item: String(1 + Math.floor(Math.random() * ITEMS)), key: `bench-${sent}-${t0}` }]);
    const p: Promise<void> = fetch(`${url}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      .then(async (res) => {
        await res.arrayBuffer();
        if (res.status === 200) latencies.push(performance.now() - t0);
        else errors++;
      })
      .catch(() => {
        errors++;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    sent++;
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { sent, ok: latencies.length, errors, rate: latencies.length / seconds, p99: latencies[Math.floor(latencies.length * 0.99)] ?? NaN };
}

async function post(url: string, body: object): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await res.json();
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(answer)}`);
  return answer;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'unirec-bench-serve-'));
  const db = path.join(dir, 'bench.db');
  const model = modelNames().includes('als') ? 'als' : 'itemknn';
  let child: ReturnType<typeof spawn> | undefined;
  try {
    log(`importing ${data}`);
    const imported = timed(() => unirec('import', '--db', db, '--data', data).trim());
    log(`${imported.value}`);
    log(`training ${model}`);
    const trained = timed(() => unirec('train', '--db', db, '--model', model, '--threads', '2').trim());
    log(trained.value);

    const started = performance.now();
    child = spawn(process.execPath, [bin, 'serve', '--db', db, '--port', '0', '--train-threads', '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child!.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child!.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    const startupSeconds = (performance.now() - started) / 1000;
    if (!url.startsWith('http://127.0.0.1:')) throw new Error(`refusing to load anything but 127.0.0.1: ${url}`);
    log(`serving at ${url} after ${startupSeconds.toFixed(1)} s`);

    await load(url, 2, randomUser); // warm-up: JIT, caches
    const phases: Phase[] = [];
    log('GET /health');
    phases.push(summarize('GET /health', await load(url, SECONDS, () => '/health')));
    log('GET /recommend');
    phases.push(summarize(`GET /recommend (${model})`, await load(url, SECONDS, randomUser)));

    log(`GET /recommend while writing ${WRITE_RATE} events/s`);
    let stopWriting!: () => void;
    const writingDone = new Promise<void>((r) => (stopWriting = r));
    const writer = writeEvents(url, WRITE_RATE, writingDone);
    const underWrites = await load(url, SECONDS, randomUser);
    stopWriting();
    const writes = await writer;
    phases.push(
      summarize(`GET /recommend + ${WRITE_RATE} events/s`, underWrites, `writes: ${writes.rate.toFixed(1)}/s acknowledged, p99 ${writes.p99.toFixed(1)} ms, ${writes.errors} errors of ${writes.sent}`),
    );

    log('GET /recommend during a retrain and two activations');
    const swapStart = performance.now();
    const swap = (async () => {
      const job = await post(`${url}/models/${model}/train`, { wait: true });
      const trainSeconds = (performance.now() - swapStart) / 1000;
      await new Promise((r) => setTimeout(r, 1000));
      await post(`${url}/models/${model}/activate`, { version: job.version - 1 });
      await new Promise((r) => setTimeout(r, 1000));
      await post(`${url}/models/${model}/activate`, { version: job.version });
      await new Promise((r) => setTimeout(r, 1000));
      return { version: job.version as number, trainSeconds };
    })();
    const duringSwap = await load(url, 600, randomUser, swap);
    const swapped = await swap;
    phases.push(
      summarize(
        'GET /recommend during retrain + swaps',
        duringSwap,
        `retrain in the background took ${swapped.trainSeconds.toFixed(1)} s; served ${model}@${swapped.version}, then @${swapped.version - 1}, then @${swapped.version}`,
      ),
    );

    const health = phases[0]!.rps;
    const lines = [
      `unirec serve on ml-1m (6040 users, 3706 rated items, 1,000,209 events), ${model}; ${os.cpus().length} cores, Node.js ${process.version}`,
      `import ${imported.seconds.toFixed(1)} s, train ${trained.seconds.toFixed(1)} s (CLI wall time), server start ${startupSeconds.toFixed(1)} s; autocannon ${CONNECTIONS} connections, ${SECONDS} s per phase`,
      '',
      '| phase | req/s | vs /health | p50 ms | p99 ms | max ms | requests | errors | non-2xx | note |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
      ...phases.map(
        (p) =>
          `| ${p.name} | ${p.rps.toFixed(0)} | ${(p.rps / health).toFixed(2)} | ${p.p50} | ${p.p99} | ${p.max} | ${p.requests} | ${p.errors} | ${p.non2xx} | ${p.note ?? ''} |`,
      ),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    process.stdout.write(`${JSON.stringify({ model, import_seconds: imported.seconds, train_seconds: trained.seconds, startup_seconds: startupSeconds, phases, writes })}\n`);
  } finally {
    child?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
