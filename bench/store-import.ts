/**
 * `npm run bench -- store-import`: the event log in SQLite vs PostgreSQL. Imports ml-1m (1,000,209 ratings,
 * as `unirec import` does: importDataset, 10,000 events per transaction) and a seeded synthetic log into a
 * fresh store of each kind, then reads it back whole with `snapshot()` (what training and a starting
 * replica do). Also measures the two choices inside PostgresStore against their alternatives on the same
 * data: binary COPY vs a server-side cursor of text rows for reading events, and multi-row
 * `INSERT ... SELECT FROM unnest(...)` vs `COPY FROM STDIN` into a temporary table for writing them.
 *
 * Needs PostgreSQL: UNIREC_BENCH_PG or UNIREC_TEST_PG (`eval "$(bash .ci/services)"`). Each store goes in a
 * schema of its own, dropped afterwards. UNIREC_BENCH_STORE_EVENTS sets the synthetic size (default 3M).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { loadFromFlags } from '../src/cli/data-options.js';
import { Rng } from '../src/math/rng.js';
import { importDataset } from '../src/store/import.js';
import { PostgresStore } from '../src/store/postgres.js';
import { SqliteStore } from '../src/store/sqlite.js';
import type { EventInput, Store } from '../src/store/store.js';
import { data } from './unirec.js';

const BATCH = 10_000;

interface Figures {
  events: number;
  importSeconds: number;
  snapshotSeconds: number;
}

/** A seeded log: users uniform, items skewed (a few popular), ratings and clicks, time increasing. */
function* syntheticBatches(n: number, seed: number): Generator<EventInput[]> {
  const rng = new Rng(seed);
  const users = Math.max(1, Math.round(n / 60));
  const items = 20_000;
  let ts = 1_600_000_000;
  for (let from = 0; from < n; from += BATCH) {
    const batch: EventInput[] = [];
    for (let r = from; r < Math.min(n, from + BATCH); r++) {
      const u = rng.nextU32() % users;
      const i = Math.floor(items * rng.next() ** 3);
      const rating = rng.next() < 0.8;
      ts += rng.nextU32() % 3;
      batch.push({ user: `u${u}`, item: `i${i}`, value: rating ? 1 + (rng.nextU32() % 5) : 1, ts, kind: rating ? 'rating' : 'click' });
    }
    yield batch;
  }
}

async function measure(store: Store, load: (store: Store) => Promise<number>): Promise<Figures> {
  const t0 = performance.now();
  const events = await load(store);
  const importSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const snap = await store.snapshot();
  const snapshotSeconds = (performance.now() - t1) / 1000;
  if (snap.interactions.length !== events) throw new Error(`${store.path}: snapshot has ${snap.interactions.length} events, imported ${events}`);
  return { events, importSeconds, snapshotSeconds };
}

/** Reads the events table into typed arrays through a server-side cursor of text rows (the alternative to binary COPY). */
async function fetchEvents(client: pg.PoolClient, n: number): Promise<number> {
  const seq = new Float64Array(n);
  const user = new Int32Array(n);
  const item = new Int32Array(n);
  const value = new Float32Array(n);
  const ts = new Float64Array(n);
  const kind = new Int32Array(n);
  let r = 0;
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  await client.query('DECLARE ev NO SCROLL CURSOR FOR SELECT seq, uid, iid, value, ts, kind FROM events ORDER BY seq');
  for (;;) {
    const res = await client.query<[number, number, number, number, number | null, number]>({ text: 'FETCH 20000 FROM ev', rowMode: 'array' });
    for (const row of res.rows) {
      seq[r] = Number(row[0]);
      user[r] = row[1];
      item[r] = row[2];
      value[r] = row[3];
      ts[r] = row[4] ?? NaN;
      kind[r] = row[5];
      r++;
    }
    if (res.rows.length < 20000) break;
  }
  await client.query('COMMIT');
  return r;
}

/** Inserts n synthetic rows into a bare copy of the events table, in 10,000-row transactions, two ways. */
async function insertTransport(client: pg.PoolClient, n: number): Promise<{ unnest: number; copy: number }> {
  await client.query('CREATE TEMP TABLE bench_ev (seq bigint PRIMARY KEY, uid integer, iid integer, value float8, ts float8, kind integer, key text UNIQUE)');
  const columns = (from: number) => {
    const m = Math.min(BATCH, n - from);
    const seq = Array.from({ length: m }, (_, j) => from + j + 1);
    return { m, seq, uid: seq.map((s) => s % 5000), iid: seq.map((s) => (s * 7) % 20000), value: seq.map((s) => s % 5), ts: seq.map((s) => 1.6e9 + s) };
  };
  let t0 = performance.now();
  for (let from = 0; from < n; from += BATCH) {
    const c = columns(from);
    await client.query('BEGIN');
    await client.query(
      'INSERT INTO bench_ev (seq, uid, iid, value, ts, kind, key) SELECT * FROM unnest($1::bigint[], $2::integer[], $3::integer[], $4::float8[], $5::float8[], $6::integer[], $7::text[]) ON CONFLICT (key) DO NOTHING',
      [c.seq, c.uid, c.iid, c.value, c.ts, c.seq.map(() => 1), c.seq.map(() => null)],
    );
    await client.query('COMMIT');
  }
  const unnest = (performance.now() - t0) / 1000;
  await client.query('TRUNCATE bench_ev');
  t0 = performance.now();
  for (let from = 0; from < n; from += BATCH) {
    const c = columns(from);
    await client.query('BEGIN');
    await client.query('CREATE TEMP TABLE bench_in (seq bigint, uid integer, iid integer, value float8, ts float8, kind integer, key text) ON COMMIT DROP');
    const lines = c.seq.map((s, j) => `${s}\t${c.uid[j]}\t${c.iid[j]}\t${c.value[j]}\t${c.ts[j]}\t1\t\\N\n`).join('');
    await pipeline(Readable.from([lines]), client.query(copyFrom('COPY bench_in FROM STDIN')));
    await client.query('INSERT INTO bench_ev SELECT * FROM bench_in ON CONFLICT (key) DO NOTHING');
    await client.query('COMMIT');
  }
  const copy = (performance.now() - t0) / 1000;
  await client.query('DROP TABLE bench_ev');
  return { unnest, copy };
}

export async function storeImport(): Promise<string> {
  const pgUrl = process.env.UNIREC_BENCH_PG ?? process.env.UNIREC_TEST_PG;
  if (!pgUrl) return '_Not run: set UNIREC_BENCH_PG or run `eval "$(bash .ci/services)"` first (PostgreSQL needed)._';
  const n = Number(process.env.UNIREC_BENCH_STORE_EVENTS ?? 3_000_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unirec-bench-store-'));
  const tag = `bench_${process.pid}`;
  const schemas: string[] = [];
  const pgStore = async (name: string) => {
    const schema = `${tag}_${name}`;
    schemas.push(schema);
    const u = new URL(pgUrl);
    u.searchParams.set('schema', schema);
    return PostgresStore.open(u.href);
  };
  const admin = new pg.Pool({ connectionString: pgUrl, max: 1 });
  try {
    const settings = (await admin.query<{ v: string }>('SELECT version() AS v')).rows[0]!.v.split(' on ')[0];
    const conf = (await admin.query<{ name: string; setting: string; unit: string | null }>(
      `SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'synchronous_commit', 'fsync', 'wal_level')`,
    )).rows.map((r) => `${r.name}=${r.setting}${r.unit ?? ''}`);

    const ds = await loadFromFlags({ data: path.join(data, 'ml-1m') } as Parameters<typeof loadFromFlags>[0]);
    const loadMl = async (store: Store) => (await importDataset(store, ds, { batchSize: BATCH })).events;
    const loadSynthetic = async (store: Store) => {
      let stored = 0;
      for (const batch of syntheticBatches(n, 42)) stored += (await store.appendEvents(batch)).stored.length;
      return stored;
    };
    const rows: string[] = [];
    const results: Record<string, { sqlite: Figures; postgres: Figures }> = {};
    for (const [name, load] of [['ml-1m', loadMl], [`synthetic ${(n / 1e6).toFixed(0)}M`, loadSynthetic]] as const) {
      process.stderr.write(`store-import: ${name} into SQLite\n`);
      const lite = new SqliteStore(path.join(dir, `${name.replace(/\W/g, '')}.db`));
      const sqlite = await measure(lite, load);
      await lite.close();
      process.stderr.write(`store-import: ${name} into PostgreSQL\n`);
      const pgs = await pgStore(name.replace(/\W/g, '').toLowerCase());
      const postgres = await measure(pgs, load);
      await pgs.close();
      results[name] = { sqlite, postgres };
      const rate = (f: Figures) => Math.round(f.events / f.importSeconds).toLocaleString('en-US');
      rows.push(
        `| ${name} | ${sqlite.events.toLocaleString('en-US')} | ${rate(sqlite)} | ${rate(postgres)} | ${(sqlite.importSeconds / postgres.importSeconds).toFixed(2)}x | ` +
          `${sqlite.snapshotSeconds.toFixed(2)} | ${postgres.snapshotSeconds.toFixed(2)} | ${(postgres.snapshotSeconds / sqlite.snapshotSeconds).toFixed(2)}x |`,
      );
    }

    // The two transport choices inside PostgresStore, on the synthetic store just written.
    process.stderr.write('store-import: snapshot transports\n');
    const synthetic = schemas[schemas.length - 1]!;
    const u = new URL(pgUrl);
    u.searchParams.set('schema', synthetic);
    const again = await PostgresStore.open(u.href);
    let t0 = performance.now();
    const snap = await again.snapshot();
    const copySeconds = (performance.now() - t0) / 1000;
    const client = await again.pool.connect();
    let fetchSeconds: number;
    let transport: { unnest: number; copy: number };
    try {
      t0 = performance.now();
      const fetched = await fetchEvents(client, snap.interactions.length);
      fetchSeconds = (performance.now() - t0) / 1000;
      if (fetched !== snap.interactions.length) throw new Error(`FETCH read ${fetched} events, the snapshot ${snap.interactions.length}`);
      process.stderr.write('store-import: insert transports\n');
      transport = await insertTransport(client, 1_000_000);
    } finally {
      client.release();
      await again.close();
    }
    const ml = results['ml-1m']!;
    const big = Object.values(results)[1]!;
    return [
      `SQLite: a file on local disk, WAL, synchronous=FULL (the default). PostgreSQL: ${settings}, same machine over loopback TCP (${conf.join(', ')}).`,
      'Import = the whole store API path (ids upserted, the change log written, one transaction per 10,000 events); snapshot = `store.snapshot()`, the whole store into typed arrays. One run each.',
      '',
      '| data | events | SQLite import events/s | PostgreSQL import events/s | PG / SQLite import speed | SQLite snapshot s | PostgreSQL snapshot s | PG / SQLite snapshot time |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows,
      '',
      `- ml-1m: PostgreSQL imports at **${(ml.sqlite.importSeconds / ml.postgres.importSeconds).toFixed(2)}x** SQLite's speed and snapshots in **${(ml.postgres.snapshotSeconds / ml.sqlite.snapshotSeconds).toFixed(2)}x** its time; synthetic: ${(big.sqlite.importSeconds / big.postgres.importSeconds).toFixed(2)}x and ${(big.postgres.snapshotSeconds / big.sqlite.snapshotSeconds).toFixed(2)}x.`,
      '',
      `How PostgresStore moves events, measured on the synthetic store (${snap.interactions.length.toLocaleString('en-US')} events) and on 1M bare rows:`,
      '',
      '| operation | picked | seconds | alternative | seconds | alternative / picked |',
      '| --- | --- | ---: | --- | ---: | ---: |',
      `| read all events into typed arrays | binary COPY TO STDOUT (whole snapshot) | ${copySeconds.toFixed(2)} | server-side cursor, FETCH 20,000 text rows (events only) | ${fetchSeconds.toFixed(2)} | ${(fetchSeconds / copySeconds).toFixed(2)}x |`,
      `| insert 1M rows, 10,000 per transaction | COPY FROM STDIN into a temp table, then INSERT ... SELECT (batches of 1,000+ events) | ${transport.copy.toFixed(2)} | one INSERT ... SELECT FROM unnest($1::bigint[], ...) (used below 1,000 events) | ${transport.unnest.toFixed(2)} | ${(transport.unnest / transport.copy).toFixed(2)}x |`,
      '',
      `_Machine: 2 cores shared with other jobs (load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(', ')})._`,
    ].join('\n');
  } finally {
    for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`).catch(() => undefined);
    await admin.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
