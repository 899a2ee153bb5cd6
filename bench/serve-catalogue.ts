/**
 * `/recommend` latency of a server whose model spans a large catalogue, from the model's HNSW index
 * against an exact scan of every item (loopback only, bounded in time):
 *
 *   npm run bench:catalogue -- [--items 1000000] [--events 3000000] [--users 50000] [--seconds 10]
 *                              [--dir DIR] [--only train|serve] [--modes hnsw,exact] [--server-node-options "..."]
 *
 * `--dir DIR` keeps the store (and what training measured) in DIR; `--only train` stops after training,
 * `--only serve` serves the store a `--only train` run left in DIR. Splitting lets the long import and
 * training run at low priority and only the timed serving hold the CPU lock:
 *
 *   nice -n 10 npm run bench:catalogue -- --dir /tmp/cat --only train ...
 *   flock /tmp/unirec-cpu.lock npm run bench:catalogue -- --dir /tmp/cat --only serve ...
 *
 * A seeded planted-taste log (bench/synthetic-log.ts, every item seen at least once) is imported into a
 * SQLite store, ALS is trained with `"retrieval": "hnsw"` (its defaults otherwise; the graph is built at
 * fit and saved in the artifact), and `unirec serve` is measured twice on the same model: as trained
 * (hnsw) and with `--retrieval exact`. Results are printed; BENCHMARKS.md is written by hand.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, summarize } from './load.js';
import { startServer } from './serve-child.js';
import { syntheticCsv } from './synthetic-log.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'bin/unirec.js');
const log = (m: string) => process.stderr.write(`bench: ${m}\n`);
function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const v = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}
const ITEMS = flag('items', 1_000_000);
const EVENTS = flag('events', 3_000_000);
const USERS = flag('users', 50_000);
const SECONDS = flag('seconds', 10);
function text(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}
const DIR = text('dir');
const ONLY = text('only');
if (ONLY !== undefined && ONLY !== 'train' && ONLY !== 'serve') throw new Error('--only must be train or serve');
if (ONLY !== undefined && DIR === undefined) throw new Error('--only needs --dir (where the store is kept)');
/** which servers to measure (default both) */
const MODES = (text('modes') ?? 'hnsw,exact').split(',') as ('hnsw' | 'exact')[];
/** V8 flags for the server process (e.g. --max-semi-space-size=64), to measure their effect */
const SERVER_NODE_OPTIONS = text('server-node-options');

/** What the training half measured, kept beside the store for the serving half. */
interface Trained {
  importSeconds: number;
  trainSeconds: number;
  info: { metrics: Record<string, number>; bytes: number };
}

function timed<T>(f: () => T): { value: T; seconds: number } {
  const start = performance.now();
  const value = f();
  return { value, seconds: (performance.now() - start) / 1000 };
}
const unirec = (...args: string[]) => execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });

/** The server's resident memory (VmRSS, and its peak VmHWM) in MiB, from /proc. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function train(dir: string, db: string): Promise<Trained> {
  const csv = path.join(dir, 'events.csv');
  log(`${EVENTS} events over ${ITEMS} items and ${USERS} users`);
  await syntheticCsv(csv, EVENTS, 11, { users: USERS, items: ITEMS, everyItem: true });
  const imported = timed(() => unirec('import', '--db', db, '--data', csv, '--columns', 'user=user,item=item', '--batch', '50000'));
  rmSync(csv);
  log('training als with an HNSW index');
  const trained = timed(() => unirec('train', '--db', db, '--model', 'als', '--params', '{"retrieval":"hnsw"}', '--threads', '2', '--json'));
  return { importSeconds: imported.seconds, trainSeconds: trained.seconds, info: JSON.parse(trained.value) as Trained['info'] };
}

async function serveBoth(db: string, t: Trained): Promise<string> {
  const users = t.info.metrics.users!;
  const randomUser = () => `/recommend/${1 + Math.floor(Math.random() * users)}?k=10`;
  const rows: string[] = [];
  for (const mode of MODES) {
    const s = await startServer(['--db', db, ...(mode === 'exact' ? ['--retrieval', 'exact'] : [])], { nodeOptions: SERVER_NODE_OPTIONS?.split(' ') });
    try {
      const started = memory(s.child.pid!);
      await load(s.url, 2, randomUser, { connections: 2 }); // warm-up
      const r = summarize(mode, await load(s.url, SECONDS, randomUser, { connections: 10 }));
      const one = summarize(mode, await load(s.url, SECONDS, randomUser, { connections: 1 }));
      const after = memory(s.child.pid!);
      rows.push(
        `| ${mode}${SERVER_NODE_OPTIONS ? ` (${SERVER_NODE_OPTIONS})` : ''} | ${s.seconds.toFixed(1)} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${one.p50} | ${one.p99} | ${r.errors + r.non2xx} | ${started.rss.toFixed(0)} / ${after.rss.toFixed(0)} / ${after.peak.toFixed(0)} |`,
      );
    } finally {
      s.child.kill('SIGTERM');
      await new Promise((resolve) => s.child.once('exit', resolve));
    }
  }
  return [
    `${t.info.metrics.items} items, ${t.info.metrics.users} users, ${t.info.metrics.interactions} events (seeded planted tastes); ALS defaults + "retrieval": "hnsw", trained in ${t.trainSeconds.toFixed(0)} s (CLI, 2 threads, graph included); artifact ${(t.info.bytes / 2 ** 20).toFixed(0)} MiB; store ${(statSync(db).size / 2 ** 20).toFixed(0)} MiB; import ${t.importSeconds.toFixed(0)} s; ${os.cpus().length} cores, Node.js ${process.version}`,
    '',
    `| served from | server start s | req/s (10 connections) | p50 ms | p99 ms | p50 ms (1 connection) | p99 ms (1 connection) | failed | server RSS MiB: started / after / peak |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

async function main(): Promise<void> {
  const dir = DIR ?? mkdtempSync(path.join(os.tmpdir(), 'unirec-bench-catalogue-'));
  mkdirSync(dir, { recursive: true });
  const db = path.join(dir, 'catalogue.db');
  const measured = path.join(dir, 'trained.json');
  try {
    if (ONLY !== 'serve') {
      const t = await train(dir, db);
      writeFileSync(measured, JSON.stringify(t));
      log(`trained: ${JSON.stringify(t)}`);
    }
    if (ONLY !== 'train') process.stdout.write(`${await serveBoth(db, JSON.parse(readFileSync(measured, 'utf8')) as Trained)}\n`);
  } finally {
    if (DIR === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
