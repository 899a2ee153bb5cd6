/**
 * `/recommend` latency of a server whose model spans a large catalogue, from the model's HNSW index
 * against an exact scan of every item (loopback only, bounded in time):
 *
 *   npm run bench:catalogue -- [--items 1000000] [--events 3000000] [--users 50000] [--seconds 10]
 *
 * A seeded planted-taste log (bench/synthetic-log.ts, every item seen at least once) is imported into a
 * SQLite store, ALS is trained with `"retrieval": "hnsw"` (its defaults otherwise; the graph is built at
 * fit and saved in the artifact), and `unirec serve` is measured twice on the same model: as trained
 * (hnsw) and with `--retrieval exact`. Results are printed; BENCHMARKS.md is written by hand.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, summarize } from './load.js';
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

function timed<T>(f: () => T): { value: T; seconds: number } {
  const start = performance.now();
  const value = f();
  return { value, seconds: (performance.now() - start) / 1000 };
}
const unirec = (...args: string[]) => execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });

async function serve(args: string[]): Promise<{ child: ChildProcess; url: string; seconds: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--rate-limit', '0', '--heavy-rate-limit', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
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

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'unirec-bench-catalogue-'));
  const db = path.join(dir, 'catalogue.db');
  try {
    const csv = path.join(dir, 'events.csv');
    log(`${EVENTS} events over ${ITEMS} items and ${USERS} users`);
    await syntheticCsv(csv, EVENTS, 11, { users: USERS, items: ITEMS, everyItem: true });
    const imported = timed(() => unirec('import', '--db', db, '--data', csv, '--columns', 'user=user,item=item', '--batch', '50000'));
    rmSync(csv);
    log('training als with an HNSW index');
    const trained = timed(() => unirec('train', '--db', db, '--model', 'als', '--params', '{"retrieval":"hnsw"}', '--threads', '2', '--json'));
    const info = JSON.parse(trained.value) as { metrics: Record<string, number>; bytes: number };
    const randomUser = () => `/recommend/${1 + Math.floor(Math.random() * USERS)}?k=10`;
    const rows: string[] = [];
    for (const mode of ['hnsw', 'exact'] as const) {
      const s = await serve(['--db', db, ...(mode === 'exact' ? ['--retrieval', 'exact'] : [])]);
      try {
        await load(s.url, 2, randomUser, { connections: 2 }); // warm-up
        const r = summarize(mode, await load(s.url, SECONDS, randomUser, { connections: 10 }));
        const one = summarize(mode, await load(s.url, SECONDS, randomUser, { connections: 1 }));
        rows.push(`| ${mode} | ${s.seconds.toFixed(1)} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${one.p50} | ${one.p99} | ${r.errors + r.non2xx} |`);
      } finally {
        s.child.kill('SIGTERM');
      }
    }
    const lines = [
      `${info.metrics.items} items, ${info.metrics.users} users, ${info.metrics.interactions} events (seeded planted tastes); ALS defaults + "retrieval": "hnsw", trained in ${trained.seconds.toFixed(0)} s (CLI, 2 threads, graph included); artifact ${(info.bytes / 2 ** 20).toFixed(0)} MiB; store ${(statSync(db).size / 2 ** 20).toFixed(0)} MiB; import ${imported.seconds.toFixed(0)} s; ${os.cpus().length} cores, Node.js ${process.version}`,
      '',
      `| served from | server start s | req/s (10 connections) | p50 ms | p99 ms | p50 ms (1 connection) | p99 ms (1 connection) | failed |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
