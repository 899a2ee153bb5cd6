import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { concatBytes } from '../../src/store/artifact-bytes.js';
import { decodeArtifact, encodeArtifact } from '../../src/store/artifact-codec.js';
import { sha256 } from '../../src/store/checksum.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { changeFeedContract } from './change-feed-contract.js';
import { SCHEMA_V2 } from './sqlite-schema-v2.js';
import { storeContract } from './store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'unirec-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
storeContract('sqlite', {
  open: async (options) => new SqliteStore(join(dir, `contract-${++files}.db`), { synchronous: 'normal', ...options }),
  reopen: async (store) => new SqliteStore(store.path),
  corruptChunk: async (store, name, version, chunk, bytes) => {
    const db = (store as SqliteStore).db;
    assert.equal(db.prepare('UPDATE artifact_chunks SET bytes = ? WHERE name = ? AND version = ? AND chunk = ?').run(Buffer.from(bytes), name, version, chunk).changes, 1);
  },
  countChunks: async (store) => ((store as SqliteStore).db.prepare('SELECT count(*) AS n FROM artifact_chunks').get() as { n: number }).n,
});

test('the store file is in WAL mode (readers never wait for the writer)', async () => {
  const store = new SqliteStore(join(dir, 'wal.db'));
  assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
  await store.close();
});

changeFeedContract('sqlite', async () => new SqliteStore(':memory:'));

test('a version-1 store file is upgraded in place: its data stays, the change log starts after it', async () => {
  const path = join(dir, 'v1.db');
  const v1 = new SqliteStore(path);
  await v1.appendEvents([{ user: 'u', item: 'a' }]);
  v1.db.exec(`DROP TABLE changes; UPDATE meta SET value = '1' WHERE key = 'schema_version'`);
  await v1.close();
  const store = new SqliteStore(path);
  const snap = await store.snapshot();
  assert.equal(snap.interactions.length, 1);
  assert.equal(snap.cursor, 0);
  await store.appendEvents([{ user: 'u', item: 'b' }]);
  const feed = await store.changesSince(snap.cursor);
  assert.deepEqual(feed.changes.map((c) => c.type === 'event' && c.event.item), ['b']);
  assert.equal((store.db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: string }).value, String(SCHEMA_VERSION));
  await store.close();
});

test('a version-2 store (artifacts in one blob) still serves its models after the upgrade to chunks; backup copies the chunks', async () => {
  const path = join(dir, 'v2-models.db');
  const ids = { users: ['u1', 'u2'], items: ['a', 'b', 'c'] };
  const legacy = encodeArtifact({ model: 'popularity', version: 1, params: {}, meta: {}, arrays: { scores: Float32Array.from([3, 1, 2]) } }, ids);
  // Written as unirec wrote it before version 3: the schema of then, the bytes in models.artifact.
  const old = new Database(path);
  old.pragma('journal_mode = WAL');
  old.exec(SCHEMA_V2);
  old.exec(`INSERT INTO meta (key, value) VALUES ('schema_version', '2'), ('open_sessions', '0')`);
  const insert = old.prepare('INSERT INTO models (name, version, params, metrics, checksum, created, active, trained_through, artifact) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  insert.run('pop', 1, '{}', '{}', sha256(legacy), 1, 1, 0, Buffer.from(legacy));
  insert.run('pop', 2, '{}', '{}', sha256(legacy), 2, 0, 0, Buffer.from(legacy));
  old.close();

  const store = new SqliteStore(path, { artifactChunkBytes: 16 });
  assert.equal((store.db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: string }).value, String(SCHEMA_VERSION));
  assert.deepEqual((await store.listModels()).map((m) => [m.version, m.bytes, m.active]), [[1, legacy.length, true], [2, legacy.length, false]]);
  const active = await store.activeModel();
  const decoded = decodeArtifact(active!.artifact);
  assert.deepEqual(decoded.ids, ids);
  assert.deepEqual(Array.from(decoded.artifact.arrays.scores!), [3, 1, 2]);
  // A damaged old blob is still caught.
  store.db.prepare('UPDATE models SET artifact = ? WHERE version = 2').run(Buffer.from(legacy.map((b, i) => (i === legacy.length - 1 ? b ^ 1 : b))));
  await assert.rejects(store.getModel('pop', 2), /model pop@2 is damaged/);
  assert.equal(await store.deleteModel('pop', 2), true);

  // New models go to chunks beside the old one; activation moves between them.
  const fresh = await store.saveModel({ name: 'pop', params: {}, metrics: {}, trainedThroughSeq: 0, artifact: legacy });
  assert.equal(fresh.version, 3);
  assert.equal((store.db.prepare('SELECT count(*) AS n FROM artifact_chunks').get() as { n: number }).n, Math.ceil(legacy.length / 16));
  await store.activateModel('pop', 3);
  assert.deepEqual(Array.from(decodeArtifact((await store.activeModel())!.artifact).artifact.arrays.scores!), [3, 1, 2]);

  const out = join(dir, 'v2-models-backup.db');
  await store.backup(out);
  await store.close();
  const copy = new SqliteStore(out);
  try {
    assert.deepEqual(Array.from(concatBytes((await copy.getModel('pop', 3))!.artifact)), Array.from(legacy));
    assert.deepEqual(Array.from(concatBytes((await copy.getModel('pop', 1))!.artifact)), Array.from(legacy));
  } finally {
    await copy.close();
  }
});
