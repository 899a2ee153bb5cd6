import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite.js';
import { changeFeedContract } from './change-feed-contract.js';
import { storeContract } from './store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'unirec-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
storeContract('sqlite', {
  open: async () => new SqliteStore(join(dir, `contract-${++files}.db`), { synchronous: 'normal' }),
  reopen: async (store) => new SqliteStore(store.path),
  corruptArtifact: async (store, name, version, bytes) => {
    (store as SqliteStore).db.prepare('UPDATE models SET artifact = ? WHERE name = ? AND version = ?').run(Buffer.from(bytes), name, version);
  },
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
  assert.equal((store.db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: string }).value, '2');
  await store.close();
});
