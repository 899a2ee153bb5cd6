import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { EventInput } from '../../src/store/store.js';
import { changeFeedContract } from './change-feed-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'unirec-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('events append in log order; users and items are created on first sight', async () => {
  const store = new SqliteStore(':memory:');
  const r = await store.appendEvents([
    { user: 'u1', item: 'a', value: 5, ts: 100, kind: 'rating' },
    { user: 'u1', item: 'b' },
    { user: 'u2', item: 'a', value: 2, ts: 50 },
  ]);
  assert.equal(r.stored.length, 3);
  assert.equal(r.duplicates, 0);
  assert.deepEqual(r.stored.map((e) => e.seq), [1, 2, 3]);
  assert.equal(r.stored[1]!.value, 1, 'value defaults to 1');
  assert.equal(r.stored[1]!.kind, 'interaction');
  assert.ok(Math.abs(r.stored[1]!.ts - Date.now() / 1000) < 60, 'ts defaults to now');
  assert.deepEqual(await store.counts(), { events: 3, users: 2, items: 2, models: 0 });
  const history = await store.userHistory('u1', 10);
  assert.deepEqual(history!.map((e) => [e.item, e.value, e.kind]), [['b', 1, 'interaction'], ['a', 5, 'rating']], 'newest first');
  assert.equal(await store.userHistory('nobody', 10), undefined);
  await store.close();
});

test('an idempotency key is acknowledged again but stored once, across batches and within one', async () => {
  const store = new SqliteStore(':memory:');
  const first = await store.appendEvents([{ user: 'u', item: 'a', key: 'k1' }]);
  assert.equal(first.stored.length, 1);
  const again = await store.appendEvents([
    { user: 'u', item: 'a', key: 'k1' },
    { user: 'u', item: 'b', key: 'k2' },
    { user: 'u', item: 'b', key: 'k2' },
    { user: 'u', item: 'c' },
    { user: 'u', item: 'c' },
  ]);
  assert.equal(again.stored.length, 3, 'k2 once and both keyless events');
  assert.equal(again.duplicates, 2);
  assert.equal((await store.counts()).events, 4);
  const keys = (await store.userHistory('u', 10))!.map((e) => e.key ?? '-');
  assert.deepEqual(keys.sort(), ['-', '-', 'k1', 'k2']);
  await store.close();
});

test('a batch is all or nothing: one bad event leaves the store as it was', async () => {
  const store = new SqliteStore(':memory:');
  await store.appendEvents([{ user: 'u', item: 'a' }]);
  const before = await store.counts();
  const bad = [{ user: 'v', item: 'b' }, { user: 'w', item: 'c', value: Infinity }] as EventInput[];
  await assert.rejects(store.appendEvents(bad), /event 1: value must be a finite number/);
  const wrongType = [{ user: 'v', item: 'b' }, { user: 'w', item: 7 }] as unknown as EventInput[];
  await assert.rejects(store.appendEvents(wrongType), /event 1: item must be a string of well-formed Unicode/);
  assert.deepEqual(await store.counts(), before, 'no event, user or item of the failed batch remains');
  await store.close();
});

test('items and users: put, get, replace, delete; deleting a user forgets their events', async () => {
  const store = new SqliteStore(':memory:');
  assert.equal(await store.putItem('a', { title: 'Alpha', tags: ['x', 'y'], price: 3.5, new: true }), true);
  assert.equal(await store.putItem('a', { title: 'Alpha 2' }), false, 'replacing is not creating');
  assert.deepEqual(await store.getItem('a'), { title: 'Alpha 2' });
  assert.equal(await store.deleteItem('a'), true);
  assert.equal(await store.deleteItem('a'), false, 'already deleted');
  assert.equal(await store.getItem('a'), undefined);
  assert.equal(await store.putItem('a', { title: 'back' }), true, 'a deleted item comes back');
  assert.equal(await store.deleteItem('nope'), false);

  await store.putUser('u', { age: 30 });
  await store.appendEvents([{ user: 'u', item: 'a' }, { user: 'v', item: 'a' }]);
  assert.deepEqual(await store.getUser('u'), { age: 30 });
  assert.equal(await store.deleteUser('u'), true);
  assert.equal(await store.getUser('u'), undefined);
  assert.equal(await store.userHistory('u', 10), undefined);
  assert.equal(await store.deleteUser('u'), false);
  assert.equal((await store.counts()).events, 1, "v's event stays");
  await store.close();
});

test('a snapshot has dense ids in store order, the events over them, deleted items and attributes', async () => {
  const store = new SqliteStore(':memory:');
  await store.putItems([{ id: 'i1', attributes: { title: 'One' } }, { id: 'i2', attributes: {} }]);
  await store.appendEvents([
    { user: 'u1', item: 'i2', value: 4, ts: 10, kind: 'rating' },
    { user: 'u2', item: 'i3', value: 1, ts: 20, kind: 'click' },
    { user: 'u1', item: 'i1', value: 3, ts: 30, kind: 'rating' },
  ]);
  await store.deleteItem('i1');
  const snap = await store.snapshot();
  assert.deepEqual(snap.items.toArray(), ['i1', 'i2', 'i3']);
  assert.deepEqual(snap.users.toArray(), ['u1', 'u2']);
  assert.deepEqual(Array.from(snap.interactions.user), [0, 1, 0]);
  assert.deepEqual(Array.from(snap.interactions.item), [1, 2, 0]);
  assert.deepEqual(Array.from(snap.interactions.value), [4, 1, 3]);
  assert.deepEqual(Array.from(snap.interactions.ts), [10, 20, 30]);
  assert.deepEqual(Array.from(snap.kind, (k) => snap.kinds[k]), ['rating', 'click', 'rating']);
  assert.deepEqual(Array.from(snap.deletedItems), [1, 0, 0]);
  assert.deepEqual(snap.itemAttributes[0], { title: 'One' });
  assert.equal(snap.seq, 3);
  await store.close();
});

test('model registry: versions count up per name, one model is active, checksums guard the bytes', async () => {
  const path = join(dir, 'models.db');
  const store = new SqliteStore(path);
  const bytes = (n: number) => Uint8Array.from({ length: 64 }, (_, i) => (i * n) & 255);
  const a1 = await store.saveModel({ name: 'a', params: { k: 1 }, metrics: { fit_seconds: 1 }, trainedThroughSeq: 5, artifact: bytes(1) });
  const a2 = await store.saveModel({ name: 'a', params: { k: 2 }, metrics: {}, trainedThroughSeq: 6, artifact: bytes(2) });
  const b1 = await store.saveModel({ name: 'b', params: {}, metrics: {}, trainedThroughSeq: 6, artifact: bytes(3) });
  assert.deepEqual([a1.version, a2.version, b1.version], [1, 2, 1]);
  assert.match(a1.checksum, /^[0-9a-f]{64}$/);
  assert.equal(await store.activeModel(), undefined);
  assert.equal((await store.activateModel('a', 1))!.active, true);
  assert.equal((await store.activateModel('b', 1))!.active, true);
  assert.equal(await store.activateModel('b', 9), undefined);
  const list = await store.listModels();
  assert.deepEqual(list.map((m) => `${m.name}@${m.version}:${m.active}`), ['a@1:false', 'a@2:false', 'b@1:true']);
  assert.deepEqual((await store.listModels('a')).map((m) => m.params), [{ k: 1 }, { k: 2 }]);
  assert.equal((await store.getModel('a'))!.version, 2, 'latest by default');
  assert.deepEqual(Array.from((await store.getModel('a', 1))!.artifact), Array.from(bytes(1)));
  assert.equal((await store.activeModel())!.name, 'b');
  assert.ok(Math.abs(a1.created - Date.now() / 1000) < 60);

  // Flip one byte of a stored artifact behind the store's back: loading it must fail loudly.
  store.db.prepare(`UPDATE models SET artifact = ? WHERE name = 'a' AND version = 1`).run(Buffer.from(bytes(9)));
  await assert.rejects(store.getModel('a', 1), /damaged: its artifact does not match its sha256 checksum/);
  await store.close();

  // Everything is in the one file: a new connection sees it.
  const reopened = new SqliteStore(path);
  assert.equal((await reopened.activeModel())!.name, 'b');
  assert.equal((await reopened.counts()).models, 3);
  assert.equal(reopened.db.pragma('journal_mode', { simple: true }), 'wal');
  await reopened.close();
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
