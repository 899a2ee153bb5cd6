/**
 * Scale-out benchmark: `unirec serve` replicas on PostgreSQL + Redis against the embedded SQLite server,
 * on this machine, loopback only, each phase bounded in time:
 *
 *   eval "$(bash .ci/services)"   # PostgreSQL + Redis on loopback (UNIREC_TEST_PG, UNIREC_TEST_REDIS)
 *   npm run bench:scale-out -- [--seconds 10] [--connections 10] [--sizes 1e5,1e6,1e7]
 *
 * 1. ml-1m imported (`unirec import`) into a SQLite file and into a fresh PostgreSQL schema, ALS trained
 *    on each (`unirec train`); GET /recommend for random users while 200 single-event POSTs/s are written:
 *    one SQLite server, one PostgreSQL replica, and two PostgreSQL replicas behind one Redis (reads and
 *    writes spread over both). The load generator runs on the same 2 cores as the servers.
 * 2. Growth: synthetic event logs of each size (the generator below: users with one of 20 planted tastes,
 *    items with Zipf popularity within a taste, seeded) written as CSV, imported into PostgreSQL, ALS
 *    trained, a replica started (it reads the whole store), and GET /recommend measured.
 * Results are printed (Markdown tables, then one JSON line); BENCHMARKS.md is written by hand.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { load, type Phase, summarize, writeEvents } from './load.js';
import { type ServerChild, startServer } from './serve-child.js';
import { syntheticCsv } from './synthetic-log.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'bin/unirec.js');
const ml1m = path.resolve(root, '../shared/data/ml-1m');
const log = (m: string) => process.stderr.write(`bench: ${m}\n`);

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1]! : fallback;
}
const SECONDS = Number(flag('seconds', '10'));
const CONNECTIONS = Number(flag('connections', '10'));
const SIZES = flag('sizes', '1e5,1e6').split(',').filter((x) => x !== '' && x !== 'none').map(Number);
const WRITE_RATE = 200;
const PG_URL = process.env.UNIREC_TEST_PG;
const REDIS_URL = process.env.UNIREC_TEST_REDIS;

function timed<T>(f: () => T): { value: T; seconds: number } {
  const start = performance.now();
  const value = f();
  return { value, seconds: (performance.now() - start) / 1000 };
}

const unirec = (...args: string[]) => execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });

const children: ChildProcess[] = [];

/** Starts `unirec serve` (killed at the end, see `children`) and resolves with its URL and how long it took to answer. */
async function serve(args: string[]): Promise<ServerChild> {
  const server = await startServer(args);
  children.push(server.child);
  return server;
}

function pgSchemaUrl(schema: string): string {
  const url = new URL(PG_URL!);
  url.searchParams.set('schema', schema);
  return url.toString();
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}

/** GET /recommend over `urls` (connections split between them) while writing 200 events/s over them. */
async function readWhileWriting(name: string, urls: string[], users: number, items: number): Promise<Phase> {
  const randomUser = () => `/recommend/${1 + Math.floor(Math.random() * users)}?k=10`;
  await Promise.all(urls.map((u) => load(u, 2, randomUser, { connections: 2 }))); // warm-up
  let stopWriting!: () => void;
  const writing = new Promise<void>((r) => (stopWriting = r));
  const writer = writeEvents(urls, WRITE_RATE, writing, (n) => ({ user: String(1 + Math.floor(Math.random() * users)), item: String(1 + Math.floor(Math.random() * items)), key: `scale-${n}-${Date.now()}` }));
  const per = Math.max(1, Math.floor(CONNECTIONS / urls.length));
  const results = await Promise.all(urls.map((u) => load(u, SECONDS, randomUser, { connections: per })));
  stopWriting();
  const writes = await writer;
  const merged = summarize(name, results[0]!, `writes ${writes.rate.toFixed(0)}/s acknowledged, p99 ${writes.p99.toFixed(1)} ms, ${writes.errors} errors of ${writes.sent}`);
  merged.rps = results.reduce((s, r) => s + r.requests.average, 0);
  merged.requests = results.reduce((s, r) => s + r.requests.total, 0);
  merged.p99 = Math.max(...results.map((r) => r.latency.p99));
  merged.p50 = Math.max(...results.map((r) => r.latency.p50));
  merged.max = Math.max(...results.map((r) => r.latency.max));
  merged.errors = results.reduce((s, r) => s + r.errors, 0);
  merged.non2xx = results.reduce((s, r) => s + r.non2xx, 0);
  return merged;
}

async function main(): Promise<void> {
  if (!PG_URL || !REDIS_URL) throw new Error('set UNIREC_TEST_PG and UNIREC_TEST_REDIS: eval "$(bash .ci/services)"');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'unirec-bench-scale-'));
  const stamp = Date.now().toString(36);
  const schemas: string[] = [];
  const tables: string[] = [];
  const json: Record<string, unknown> = {};
  try {
    // 1. Throughput: SQLite, one PostgreSQL replica, two.
    const db = path.join(dir, 'ml1m.db');
    const schema = `bench_ml1m_${stamp}`;
    schemas.push(schema);
    const store = pgSchemaUrl(schema);
    const redis = `${REDIS_URL}?prefix=bench-${stamp}`;
    log('importing ml-1m into SQLite and PostgreSQL');
    const sqliteImport = timed(() => unirec('import', '--db', db, '--data', ml1m));
    const pgImport = timed(() => unirec('import', '--store', store, '--data', ml1m));
    log('training als on each');
    const sqliteTrain = timed(() => unirec('train', '--db', db, '--model', 'als', '--threads', '2'));
    const pgTrain = timed(() => unirec('train', '--store', store, '--model', 'als', '--threads', '2'));
    const phases: Phase[] = [];
    const single = await serve(['--db', db]);
    phases.push(await readWhileWriting('SQLite, 1 process', [single.url], 6040, 3952));
    children.pop()!.kill('SIGTERM');
    const one = await serve(['--store', store, '--redis', redis]);
    phases.push(await readWhileWriting('PostgreSQL + Redis, 1 replica', [one.url], 6040, 3952));
    const two = await serve(['--store', store, '--redis', redis]);
    phases.push(await readWhileWriting('PostgreSQL + Redis, 2 replicas', [one.url, two.url], 6040, 3952));
    for (const c of children.splice(0)) c.kill('SIGTERM');
    const base = phases[0]!.rps;
    tables.push(
      `ml-1m, ALS, GET /recommend (random users, k=10) from ${CONNECTIONS} connections for ${SECONDS} s while ${WRITE_RATE} single-event POSTs/s are written; ${os.cpus().length} cores, Node.js ${process.version}`,
      `import: SQLite ${sqliteImport.seconds.toFixed(1)} s, PostgreSQL ${pgImport.seconds.toFixed(1)} s; train (CLI, 2 threads): SQLite ${sqliteTrain.seconds.toFixed(1)} s, PostgreSQL ${pgTrain.seconds.toFixed(1)} s; replica start on PostgreSQL ${one.seconds.toFixed(1)} s`,
      '',
      '| setup | req/s | vs SQLite | p50 ms | p99 ms | errors | non-2xx | writes |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
      ...phases.map((p) => `| ${p.name} | ${p.rps.toFixed(0)} | ${(p.rps / base).toFixed(2)} | ${p.p50} | ${p.p99} | ${p.errors} | ${p.non2xx} | ${p.note} |`),
      '',
    );
    json.throughput = phases;

    // 2. Growth with the size of the log.
    const growth: Record<string, number>[] = [];
    for (const size of SIZES) {
      log(`synthetic log of ${size} events`);
      const csv = path.join(dir, `synthetic-${size}.csv`);
      const shape = await syntheticCsv(csv, size);
      const s = `bench_growth_${size}_${stamp}`;
      schemas.push(s);
      const url = pgSchemaUrl(s);
      const imported = timed(() => unirec('import', '--store', url, '--data', csv, '--columns', 'user=user,item=item', '--batch', '50000'));
      const trained = timed(() => unirec('train', '--store', url, '--model', 'als', '--threads', '2'));
      const replica = await serve(['--store', url, '--redis', redis]);
      const r = summarize('', await load(replica.url, Math.min(SECONDS, 5), () => `/recommend/${1 + Math.floor(Math.random() * shape.users)}?k=10`, { connections: CONNECTIONS }));
      for (const c of children.splice(0)) c.kill('SIGTERM');
      rmSync(csv);
      growth.push({ events: size, users: shape.users, items: shape.items, import_s: imported.seconds, events_per_s: size / imported.seconds, train_s: trained.seconds, replica_start_s: replica.seconds, rps: r.rps, p99_ms: r.p99, non2xx: r.non2xx + r.errors });
      await dropSchema(s);
      schemas.splice(schemas.indexOf(s), 1);
    }
    const exponent = (key: string) => {
      if (growth.length < 2) return NaN;
      const a = growth[0]!;
      const b = growth[growth.length - 1]!;
      return Math.log(b[key]! / a[key]!) / Math.log(b.events! / a.events!);
    };
    tables.push(
      'Growth, synthetic log (20 planted tastes, Zipf popularity; users = events/50, items = 10 sqrt(events)), PostgreSQL + Redis, ALS defaults, 2 threads',
      '',
      '| events | users | items | import s | events/s | train s | replica start s | GET /recommend req/s | p99 ms | failed |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...growth.map((g) => `| ${g.events} | ${g.users} | ${g.items} | ${g.import_s!.toFixed(1)} | ${g.events_per_s!.toFixed(0)} | ${g.train_s!.toFixed(1)} | ${g.replica_start_s!.toFixed(1)} | ${g.rps!.toFixed(0)} | ${g.p99_ms} | ${g.non2xx} |`),
      '',
      `cost ~ events^k, first to last size: import k = ${exponent('import_s').toFixed(2)}, train k = ${exponent('train_s').toFixed(2)}, replica start k = ${exponent('replica_start_s').toFixed(2)}`,
    );
    json.growth = growth;
    process.stdout.write(`${tables.join('\n')}\n${JSON.stringify(json)}\n`);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    for (const s of schemas) await dropSchema(s).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
