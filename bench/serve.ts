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
 *   3. the same while 4 clients with one read key hammer the most expensive requests a read key
 *      allows (explain at its largest k, and the largest k, on random users), with /health probed;
 *   4. the same while POST /events writes single events at 200/s from 20 connections (--sync full, the
 *      default: every acknowledgement is a commit on disk; those users are then folded in);
 *   5. the same during a background retrain and two activations (a hot swap under load; --skip-swap).
 * The server runs with its default limits and with API keys: the readers' requests are spread over 512
 * read keys (other clients, each under the per-key rate limit, as in production), the attacker has one
 * read key, the writers a write key. Phase 4 runs twice: group commit on the event loop (the default)
 * and on a writer thread (`--writer-thread`, a second server on the same store).
 * Results are printed (a table on stdout, then one JSON line); BENCHMARKS.md is written by hand.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelNames } from '../src/pipeline/index.js';
import { type Load, load as loadWith, type Phase, summarize } from './load.js';
import { startServer } from './serve-child.js';

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
const SKIP_SWAP = process.argv.includes('--skip-swap');
const WRITE_RATE = 200;
const WRITE_CONNECTIONS = 20;
const ATTACKERS = 4;
const READ_KEYS = Array.from({ length: 512 }, (_, i) => `bench-reader-${i}-${'0123456789abcdef'.repeat(2)}`);
const ATTACK_KEY = `bench-attacker-${'0123456789abcdef'.repeat(2)}`;
const WRITE_KEY = `bench-writer-${'0123456789abcdef'.repeat(2)}`;
const USERS = 6040;
const ITEMS = 3952;
const log = (m: string) => process.stderr.write(`bench: ${m}\n`);

function timed<T>(f: () => T): { value: T; seconds: number } {
  const start = performance.now();
  const value = f();
  return { value, seconds: (performance.now() - start) / 1000 };
}

const unirec = (...args: string[]) => execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

/** autocannon against the server: CONNECTIONS connections unless the phase says otherwise */
const load = (url: string, seconds: number, paths: () => string, options: Load = {}) => loadWith(url, seconds, paths, { connections: CONNECTIONS, ...options });
const randomUser = () => `/recommend/${1 + Math.floor(Math.random() * USERS)}?k=10`;
const readKey = () => READ_KEYS[Math.floor(Math.random() * READ_KEYS.length)]!;
/**
 * The most expensive requests a read key may send, in turn: explained at the largest k, the largest k
 * (both heavy), and the largest list that is not heavy.
 */
const ATTACKS = ['k=20&explain=true', 'k=200', 'k=50'];
const attack = () => `/recommend/${1 + Math.floor(Math.random() * USERS)}?${ATTACKS[Math.floor(Math.random() * ATTACKS.length)]}`;
let written = 0;
const oneEvent = () =>
  JSON.stringify([{ user: String(1 + Math.floor(Math.random() * USERS)), item: String(1 + Math.floor(Math.random() * ITEMS)), key: `bench-${process.pid}-${written++}` }]);

async function post(url: string, body: object): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': WRITE_KEY }, body: JSON.stringify(body) });
  const answer = await res.json();
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${JSON.stringify(answer)}`);
  return answer;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'unirec-bench-serve-'));
  const db = path.join(dir, 'bench.db');
  const model = modelNames().includes('als') ? 'als' : 'itemknn';
  const children: ChildProcess[] = [];
  try {
    log(`importing ${data}`);
    const imported = timed(() => unirec('import', '--db', db, '--data', data).trim());
    log(`${imported.value}`);
    log(`training ${model}`);
    const trained = timed(() => unirec('train', '--db', db, '--model', model, '--threads', '2').trim());
    log(trained.value);

    const keys = [...READ_KEYS.map((k) => `read:${k}`), `read:${ATTACK_KEY}`, `write:${WRITE_KEY}`].join(',');
    const serve = async (...extra: string[]) => {
      const s = await startServer(['--db', db, '--train-threads', '2', ...extra], { env: { ...process.env, UNIREC_API_KEYS: keys }, unlimited: false });
      children.push(s.child);
      if (!s.url.startsWith('http://127.0.0.1:')) throw new Error(`refusing to load anything but 127.0.0.1: ${s.url}`);
      return s;
    };
    const first = await serve();
    const url = first.url;
    const startupSeconds = first.seconds;
    log(`serving at ${url} after ${startupSeconds.toFixed(1)} s`);

    await load(url, 2, randomUser, { key: readKey }); // warm-up: JIT, caches
    const phases: Phase[] = [];
    log('GET /health');
    phases.push(summarize('GET /health', await load(url, SECONDS, () => '/health')));
    log('GET /recommend');
    const unloaded = summarize(`GET /recommend (${model})`, await load(url, SECONDS, randomUser, { key: readKey }));
    phases.push(unloaded);

    log(`GET /recommend while ${ATTACKERS} clients with one read key send the most expensive requests it allows`);
    const attackers = load(url, SECONDS, attack, { connections: ATTACKERS, key: () => ATTACK_KEY });
    const probe = load(url, SECONDS, () => '/health', { connections: 1 });
    const attacked = await load(url, SECONDS, randomUser, { key: readKey });
    const [attackResult, probeResult] = await Promise.all([attackers, probe]);
    const limited = attackResult.statusCodeStats?.['429']?.count ?? 0;
    phases.push(
      summarize(`GET /recommend + ${ATTACKERS} attackers`, attacked, `${(attacked.requests.average / unloaded.rps).toFixed(2)}x unloaded; attackers sent ${attackResult.requests.total} (${limited} answered 429)`),
    );
    phases.push(summarize('GET /health during the attack (1 connection)', probeResult));

    log(`GET /recommend while writing ${WRITE_RATE} events/s from ${WRITE_CONNECTIONS} connections (--sync full)`);
    const writer = load(url, SECONDS, () => '/events', { connections: WRITE_CONNECTIONS, overallRate: WRITE_RATE, method: 'POST', body: oneEvent, key: () => WRITE_KEY });
    const underWrites = await load(url, SECONDS, randomUser, { key: readKey });
    const writes = await writer;
    phases.push(summarize(`GET /recommend + ${WRITE_RATE} events/s (event loop)`, underWrites, `${(underWrites.requests.average / unloaded.rps).toFixed(2)}x no-write`));
    phases.push(summarize(`POST /events (1 event, ${WRITE_CONNECTIONS} connections, --sync full, event loop)`, writes));


    if (!SKIP_SWAP) {
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
      const duringSwap = await load(url, 600, randomUser, { key: readKey, stopWhen: swap });
      const swapped = await swap;
      phases.push(
        summarize(
          'GET /recommend during retrain + swaps',
          duringSwap,
          `retrain in the background took ${swapped.trainSeconds.toFixed(1)} s; served ${model}@${swapped.version}, then @${swapped.version - 1}, then @${swapped.version}`,
        ),
      );
    }


    log('the same with group commit on a writer thread (--writer-thread), a second server on the same store');
    first.child.kill('SIGTERM');
    await new Promise((r) => first.child.once('exit', r));
    const second = await serve('--writer-thread');
    await load(second.url, 2, randomUser, { key: readKey });
    const baseline2 = await load(second.url, SECONDS, randomUser, { key: readKey });
    phases.push(summarize(`GET /recommend (--writer-thread server)`, baseline2));
    const writer2 = load(second.url, SECONDS, () => '/events', { connections: WRITE_CONNECTIONS, overallRate: WRITE_RATE, method: 'POST', body: oneEvent, key: () => WRITE_KEY });
    const underWrites2 = await load(second.url, SECONDS, randomUser, { key: readKey });
    const writes2 = await writer2;
    phases.push(summarize(`GET /recommend + ${WRITE_RATE} events/s (writer thread)`, underWrites2, `${(underWrites2.requests.average / baseline2.requests.average).toFixed(2)}x no-write`));
    phases.push(summarize(`POST /events (1 event, ${WRITE_CONNECTIONS} connections, --sync full, writer thread)`, writes2));
    second.child.kill('SIGTERM');

    const health = phases[0]!.rps;
    const lines = [
      `unirec serve on ml-1m (6040 users, 3706 rated items, 1,000,209 events), ${model}; ${os.cpus().length} cores, Node.js ${process.version}`,
      `import ${imported.seconds.toFixed(1)} s, train ${trained.seconds.toFixed(1)} s (CLI wall time), server start ${startupSeconds.toFixed(1)} s (with its integrity check); autocannon ${CONNECTIONS} connections, ${SECONDS} s per phase`,
      '',
      '| phase | req/s | vs /health | p50 ms | p99 ms | max ms | requests | errors | non-2xx | note |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
      ...phases.map(
        (p) =>
          `| ${p.name} | ${p.rps.toFixed(0)} | ${(p.rps / health).toFixed(2)} | ${p.p50} | ${p.p99} | ${p.max} | ${p.requests} | ${p.errors} | ${p.non2xx} | ${p.note ?? ''} |`,
      ),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    process.stdout.write(`${JSON.stringify({ model, import_seconds: imported.seconds, train_seconds: trained.seconds, startup_seconds: startupSeconds, phases })}\n`);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
