import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import { concatBytes } from '../../src/store/artifact-bytes.js';
import { decodeArtifact, encodeArtifact } from '../../src/store/artifact-codec.js';
import { sha256 } from '../../src/store/checksum.js';
import { LOCK, MIGRATIONS, SCHEMA_VERSION } from '../../src/store/postgres-schema.js';
import { PostgresStore } from '../../src/store/postgres.js';
import type { Store, StoredEvent } from '../../src/store/store.js';
import { StoreUnavailableError } from '../../src/store/unavailable.js';
import { needs, PG_URL } from '../helpers/services.js';
import { SHARED_DATA } from '../helpers/shared-data.js';
import { changeFeedContract } from './change-feed-contract.js';
import { storeContract } from './store-contract.js';

const skip = needs('postgres');
const bin = resolve(process.cwd(), 'bin/unirec.js');

// One random schema per store this file opens, so the file runs beside others and cleans up after itself.
const base = `t_${process.pid}_${randomBytes(3).toString('hex')}`;
const schemas: string[] = [];
const urls = new WeakMap<Store, string>();

function freshUrl(): string {
  const schema = `${base}_${schemas.length}`;
  schemas.push(schema);
  const u = new URL(PG_URL!);
  u.searchParams.set('schema', schema);
  return u.href;
}

async function open(url = freshUrl(), options: { artifactChunkBytes?: number } = {}): Promise<PostgresStore> {
  const store = await PostgresStore.open(url, options);
  urls.set(store, url);
  return store;
}

/** A plain connection beside the store's pool, for what the test does behind the store's back. */
async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

after(async () => {
  if (skip || schemas.length === 0) return;
  await admin(async (c) => {
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  });
});

storeContract('postgres', {
  skip,
  open: (options) => open(undefined, options),
  reopen: (store) => open(urls.get(store)!),
  corruptChunk: async (store, name, version, chunk, bytes) => {
    const r = await (store as PostgresStore).pool.query('UPDATE artifact_chunks SET bytes = $1 WHERE name = $2 AND version = $3 AND chunk = $4', [Buffer.from(bytes), name, version, chunk]);
    assert.equal(r.rowCount, 1);
  },
  countChunks: async (store) => Number((await (store as PostgresStore).pool.query('SELECT count(*) AS n FROM artifact_chunks')).rows[0].n),
});

changeFeedContract('postgres', () => open(), { skip });

test('postgres: the store is named by its URL without the password; a bad schema name is refused', { skip }, async () => {
  const store = await open();
  try {
    assert.doesNotMatch(store.path, /:unirec@/);
    assert.match(store.path, new RegExp(`^postgres://unirec@.*\\?schema=${store.schema}$`));
  } finally {
    await store.close();
  }
  const u = new URL(PG_URL!);
  u.searchParams.set('schema', 'Robert"); DROP');
  await assert.rejects(PostgresStore.open(u.href), /is not a plain schema name/);
});

test('postgres: one idempotency key retried at once from 8 connections is stored once', { skip }, async () => {
  const url = freshUrl();
  const replicas = await Promise.all(Array.from({ length: 8 }, () => open(url)));
  try {
    const results = await Promise.all(replicas.map((s, i) => s.appendEvents([{ user: 'u', item: 'a', value: i, key: 'retry-me' }])));
    assert.equal(results.reduce((n, r) => n + r.stored.length, 0), 1);
    assert.equal(results.reduce((n, r) => n + r.duplicates, 0), 7);
    assert.deepEqual(await replicas[0]!.counts(), { events: 1, users: 1, items: 1, models: 0 });
    assert.equal((await replicas[3]!.changesSince(0)).changes.length, 1, 'one change logged');
  } finally {
    await Promise.all(replicas.map((s) => s.close()));
  }
});

test('postgres: a batch the database refuses half-way leaves nothing behind', { skip }, async () => {
  const store = await open();
  try {
    await store.appendEvents([{ user: 'u', item: 'a' }]);
    const before = await store.counts();
    // The new user and item are inserted before the event whose key is too long for its index fails.
    const huge = randomBytes(9000).toString('base64');
    await assert.rejects(store.appendEvents([{ user: 'new-user', item: 'new-item' }, { user: 'u', item: 'b', key: huge }]), /index row/);
    assert.deepEqual(await store.counts(), before);
    assert.equal(await store.userHistory('new-user', 5), undefined);
    assert.deepEqual((await store.changesSince(0)).changes.length, 1, 'no change logged');
    // the connection went back to the pool clean: the next write works
    assert.equal((await store.appendEvents([{ user: 'u', item: 'c' }])).stored.length, 1);
  } finally {
    await store.close();
  }
});

test('postgres: a big batch (sent with COPY) stores what a small one would: keys, odd characters, NaN times', { skip }, async () => {
  const store = await open();
  try {
    await store.appendEvents([{ user: 'u', item: 'a', key: 'k-0' }]);
    const odd = 'tab\there, new\nline, back\\slash, cr\r, \\N, unicode é✓';
    const big = Array.from({ length: 1500 }, (_, j) => ({
      user: j % 2 ? odd : `u${j % 7}`,
      item: `i${j % 50}`,
      value: j / 8,
      ts: j === 3 ? NaN : 1_000_000 + j,
      kind: j % 3 ? 'rating' : `click\t${odd}`,
      key: j % 10 === 0 ? `k-${j}` : j === 1 ? `${odd}-key` : undefined,
    }));
    const r = await store.appendEvents(big);
    assert.equal(r.duplicates, 1, 'k-0 was stored before');
    assert.equal(r.stored.length, 1499);
    assert.deepEqual(r.stored.map((e) => e.seq), Array.from({ length: 1499 }, (_, j) => j + 2));
    const history = (await store.userHistory(odd, 1000))!;
    assert.equal(history.length, 750);
    const one = history.find((e) => e.key === `${odd}-key`)!;
    assert.deepEqual([one.item, one.value, one.ts, one.kind], ['i1', 1 / 8, 1_000_001, 'rating']);
    const three = history.find((e) => e.item === 'i3' && e.value === 3 / 8)!;
    assert.ok(Number.isNaN(three.ts));
    assert.equal(three.kind, `click\t${odd}`);
    const snap = await store.snapshot();
    assert.equal(snap.interactions.length, 1500);
    assert.deepEqual(Array.from(snap.interactions.value.subarray(1, 6)), [1 / 8, 2 / 8, 3 / 8, 4 / 8, 5 / 8], "event 0 was a duplicate");
    assert.equal(new Set(snap.kinds).size, 3);
  } finally {
    await store.close();
  }
});

test('postgres: a reader following the feed while 4 writers append sees every event once', { skip }, async () => {
  const url = freshUrl();
  const reader = await open(url);
  const writers = await Promise.all(Array.from({ length: 4 }, () => open(url)));
  try {
    await reader.appendEvents([{ user: 'before', item: 'x' }]);
    const snap = await reader.snapshot();
    const seen = new Map<number, StoredEvent>();
    let twice = 0;
    let cursor = snap.cursor;
    let writing = true;
    const follow = async () => {
      const feed = await reader.changesSince(cursor, 50);
      for (const c of feed.changes) {
        if (c.type !== 'event') continue;
        if (seen.has(c.event.seq)) twice++;
        seen.set(c.event.seq, c.event);
      }
      cursor = feed.cursor;
      return feed.more;
    };
    const following = (async () => {
      while (writing) await follow();
    })();
    // Batches of 1..20 events, with keys so some retries collide across writers.
    try {
      await Promise.all(
        writers.map(async (w, k) => {
          for (let b = 0; b < 25; b++) {
            const size = 1 + ((b * 7 + k * 3) % 20);
            await w.appendEvents(Array.from({ length: size }, (_, j) => ({ user: `w${k}`, item: `i${j}`, value: b, key: j % 5 === 0 ? `b${b}-j${j}` : undefined })));
          }
        }),
      );
    } finally {
      writing = false;
      await following;
    }
    while (await follow());
    const all = await reader.snapshot();
    const expected = new Set(Array.from(all.seqs));
    for (const s of snap.seqs) expected.delete(s);
    assert.equal(twice, 0, 'no event twice');
    assert.deepEqual([...seen.keys()].sort((a, b) => a - b), [...expected].sort((a, b) => a - b), 'every stored event after the cursor, none missing');
    assert.ok(expected.size > 500);
    assert.equal(cursor, all.cursor);
  } finally {
    await Promise.all([reader, ...writers].map((s) => s.close()));
  }
});

test('postgres: migrations run once when several stores open a new schema at the same moment', { skip }, async () => {
  const url = freshUrl();
  const stores = await Promise.all(Array.from({ length: 4 }, () => open(url)));
  try {
    const rows = (await stores[0]!.pool.query('SELECT version FROM schema_migrations ORDER BY version')).rows;
    assert.deepEqual(rows, MIGRATIONS.map((m) => ({ version: m.version })));
    await stores[1]!.appendEvents([{ user: 'u', item: 'a' }]);
    const again = await open(url);
    assert.equal((await again.counts()).events, 1, 'opening again changes nothing');
    await again.close();
    await stores[0]!.pool.query(`INSERT INTO schema_migrations (version, name) VALUES (999, 'from the future')`);
    await assert.rejects(open(url), new RegExp(`has schema version 999; this unirec reads up to ${SCHEMA_VERSION}: upgrade unirec`));
  } finally {
    await Promise.all(stores.map((s) => s.close()));
  }
});

test('postgres: a store at schema version 1 (artifacts in one bytea) still serves its models after migrating to chunks', { skip }, async () => {
  const url = freshUrl();
  const schema = schemas[schemas.length - 1]!;
  const ids = { users: ['u1'], items: ['a', 'b'] };
  const legacy = encodeArtifact({ model: 'popularity', version: 1, params: {}, meta: {}, arrays: { scores: Float32Array.from([2, 1]) } }, ids);
  // Written as unirec wrote it before migration 2: that migration not applied, the bytes in models.artifact.
  await admin(async (c) => {
    await c.query(`CREATE SCHEMA ${schema}`);
    await c.query(`SET search_path = ${schema}`);
    await c.query(`CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    await c.query(MIGRATIONS[0]!.sql);
    await c.query(`INSERT INTO schema_migrations (version, name) VALUES (1, $1)`, [MIGRATIONS[0]!.name]);
    await c.query(
      `INSERT INTO models (name, version, params, metrics, checksum, created, active, trained_through, artifact) VALUES ('pop', 1, '{}', '{}', $1, 1, true, 0, $2)`,
      [sha256(legacy), Buffer.from(legacy)],
    );
  });
  const store = await open(url, { artifactChunkBytes: 16 });
  try {
    assert.deepEqual((await store.pool.query('SELECT version FROM schema_migrations ORDER BY version')).rows, MIGRATIONS.map((m) => ({ version: m.version })));
    assert.deepEqual((await store.listModels()).map((m) => [m.version, m.bytes, m.active]), [[1, legacy.length, true]]);
    const decoded = decodeArtifact((await store.activeModel())!.artifact);
    assert.deepEqual(decoded.ids, ids);
    assert.deepEqual(Array.from(decoded.artifact.arrays.scores!), [2, 1]);
    const fresh = await store.saveModel({ name: 'pop', params: {}, metrics: {}, trainedThroughSeq: 0, artifact: legacy });
    assert.equal(fresh.version, 2);
    assert.equal(Number((await store.pool.query('SELECT count(*) AS n FROM artifact_chunks')).rows[0].n), Math.ceil(legacy.length / 16));
    await store.activateModel('pop', 2);
    assert.equal(await store.deleteModel('pop', 1), true);
    assert.deepEqual(Array.from(concatBytes((await store.activeModel())!.artifact)), Array.from(legacy));
  } finally {
    await store.close();
  }
});

test('postgres: an unreachable server is StoreUnavailableError naming the store', { skip }, async () => {
  const u = new URL(PG_URL!);
  u.port = '1'; // nothing listens there
  const err = await PostgresStore.open(u.href, { connectionTimeoutMs: 2000 }).then(
    () => assert.fail('opened a store on a closed port'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof StoreUnavailableError, String(err));
  assert.match(err.message, /^the store postgres:\/\/unirec@127\.0\.0\.1:1\/unirec_test is unavailable: .*ECONNREFUSED/);
  assert.doesNotMatch(err.message, /:unirec@/, 'no password');
});

test('postgres: a connection killed mid-write is StoreUnavailableError, nothing is stored, and the store recovers', { skip }, async () => {
  const store = await open();
  try {
    await store.appendEvents([{ user: 'u', item: 'a' }]);
    const key = (await store.pool.query<{ k: number }>('SELECT hashtext(current_schema()) AS k')).rows[0]!.k;
    await admin(async (blocker) => {
      // Hold the store's write lock so its next write waits inside its transaction, then end that session
      // the way a server shutdown does (57P01).
      await blocker.query('SELECT pg_advisory_lock($1, $2)', [LOCK.write, key]);
      // (the outcome is caught at once: the write may fail before the test gets to look at it)
      const write = store.appendEvents([{ user: 'v', item: 'b' }]).then(
        () => new Error('the write succeeded on a killed connection'),
        (e: unknown) => e,
      );
      let pid: number | undefined;
      while (pid === undefined) {
        const r = await blocker.query<{ pid: number }>(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%pg_advisory_xact_lock%'`,
        );
        pid = r.rows[0]?.pid;
      }
      await blocker.query('SELECT pg_terminate_backend($1)', [pid]);
      const err = await write;
      assert.ok(err instanceof StoreUnavailableError, String(err));
      assert.match(err.message, new RegExp(`^the store ${store.path.replace(/[.?]/g, '\\$&')} is unavailable`));
      await blocker.query('SELECT pg_advisory_unlock($1, $2)', [LOCK.write, key]);
    });
    // The broken connection was dropped, not reused: the pool opens a new one for what follows.
    const step = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
      try {
        return await run();
      } catch (err) {
        throw new Error(`after the kill, ${what} failed: ${(err as Error).message}`);
      }
    };
    assert.equal(await step('userHistory', () => store.userHistory('v', 5)), undefined, 'the killed write left nothing');
    for (let i = 0; i < 12; i++) await step(`append ${i}`, () => store.appendEvents([{ user: 'w', item: `i${i}` }]));
    assert.equal((await step('counts', () => store.counts())).events, 13);
  } finally {
    await store.close();
  }
});

function unirec(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, UNIREC_DEBUG: '', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('postgres: `unirec import --store URL` then `unirec train` (UNIREC_STORE) register and activate a model', { skip }, async () => {
  const url = freshUrl();
  const imported = unirec(['import', '--store', url, '--data', join(SHARED_DATA, 'ml-100k')]);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /imported 100000 events \(0 duplicate keys skipped\), 943 users, 1682 items from .* into postgres:\/\/unirec@/);
  assert.doesNotMatch(imported.stdout, /:unirec@/, 'no password printed');
  const trained = unirec(['train', '--model', 'itemknn', '--params', '{"k":20}', '--threads', '1'], { UNIREC_STORE: url });
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stdout, /^trained itemknn@1 on 100000 events \(943 users, 1682 items\) in [\d.]+ s; now active\n$/);
  const both = unirec(['train', '--model', 'itemknn', '--db', 'x.db', '--store', url]);
  assert.notEqual(both.code, 0);
  assert.match(both.stderr, /^unirec: error: give the store once: --db x\.db and --store postgres:\/\/unirec@/);

  const store = await open(url);
  try {
    assert.deepEqual(await store.counts(), { events: 100000, users: 943, items: 1682, models: 1 });
    const active = (await store.activeModel())!;
    assert.equal(active.name, 'itemknn');
    assert.equal(active.params.k, 20);
    assert.equal(active.trainedThroughSeq, 100000);
  } finally {
    await store.close();
  }
});

test('postgres: concurrent appends share group commits, and each caller gets exactly its own events back', { skip }, async () => {
  const store = await open();
  try {
    const calls = Array.from({ length: 60 }, (_, c) =>
      store.appendEvents([
        { user: `g${c}`, item: `i${c % 7}`, key: `k${c}` },
        { user: `g${c}`, item: 'shared', key: c % 2 === 0 ? 'same-key' : `other-${c}` },
      ]),
    );
    const results = await Promise.all(calls);
    results.forEach((r, c) => {
      for (const e of r.stored) assert.equal(e.user, `g${c}`, 'a caller gets its own events');
      assert.equal(r.stored.length + r.duplicates, 2);
    });
    const sameKey = results.flatMap((r) => r.stored).filter((e) => e.key === 'same-key');
    assert.equal(sameKey.length, 1, 'a key repeated across callers of one group is stored once');
    assert.equal(results.reduce((n, r) => n + r.stored.length, 0), (await store.counts()).events);
    const feed = await store.changesSince(0, 100_000);
    const batches = await admin(async (c) => (await c.query(`SELECT count(*)::int AS n FROM ${store.schema}.changes WHERE type = 'events'`)).rows[0].n as number);
    assert.ok(batches < 60, `60 concurrent appends were written in ${batches} commits`);
    assert.equal(feed.changes.filter((c) => c.type === 'event').length, (await store.counts()).events);
  } finally {
    await store.close();
  }
});
