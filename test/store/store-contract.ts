import assert from 'node:assert/strict';
import { test } from 'node:test';
import { concatBytes } from '../../src/store/artifact-bytes.js';
import type { EventInput, Store } from '../../src/store/store.js';

/** How the contract reaches one Store implementation. */
export interface StoreHarness {
  /** a new, empty store (`artifactChunkBytes`: its artifact chunk size, small in tests) */
  open(options?: { artifactChunkBytes?: number }): Promise<Store>;
  /** a second handle on the same store (a new connection, as another process would have) */
  reopen(store: Store): Promise<Store>;
  /** overwrites chunk `chunk` of a stored artifact behind the store's back */
  corruptChunk(store: Store, name: string, version: number, chunk: number, bytes: Uint8Array): Promise<void>;
  /** the number of artifact chunk rows the store holds, all models together */
  countChunks(store: Store): Promise<number>;
  /** `skip` for every test (a service that is not there) */
  skip?: false | string;
}

/**
 * What every Store promises, run against each implementation (SQLite, PostgreSQL): log order, keys stored
 * once, all-or-nothing batches, the catalogue, snapshots, the model registry and its checksums.
 */
export function storeContract(name: string, h: StoreHarness): void {
  const skip = h.skip ?? false;
  const withStore = (title: string, body: (store: Store) => Promise<void>, options?: { artifactChunkBytes?: number }) =>
    test(`${name}: ${title}`, { skip }, async () => {
      const store = await h.open(options);
      try {
        await body(store);
      } finally {
        await store.close();
      }
    });

  withStore('events append in log order; users and items are created on first sight', async (store) => {
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
    assert.deepEqual((await store.userHistory('u1', 1))!.map((e) => e.item), ['b'], 'limit');
    assert.equal(await store.userHistory('nobody', 10), undefined);
    const nan = await store.appendEvents([{ user: 'u3', item: 'a', ts: NaN }]);
    assert.ok(Number.isNaN((await store.userHistory('u3', 1))![0]!.ts), 'a NaN time reads back as NaN');
    assert.equal(nan.stored[0]!.seq, 4);
    // by time, not by log position; events without a time last, in log order
    await store.appendEvents([{ user: 'u4', item: 'x', ts: 300 }, { user: 'u4', item: 'y', ts: 100 }, { user: 'u4', item: 'z', ts: NaN }, { user: 'u4', item: 'w', ts: 200 }]);
    assert.deepEqual((await store.userHistory('u4', 10))!.map((e) => e.item), ['x', 'w', 'y', 'z'], 'newest first by time');
  });

  withStore('an idempotency key is acknowledged again but stored once, across batches and within one', async (store) => {
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
  });

  withStore('a batch is all or nothing: one bad event leaves the store as it was', async (store) => {
    await store.appendEvents([{ user: 'u', item: 'a' }]);
    const before = await store.counts();
    const bad = [{ user: 'v', item: 'b' }, { user: 'w', item: 'c', value: Infinity }] as EventInput[];
    await assert.rejects(store.appendEvents(bad), /event 1: value must be a finite number/);
    const wrongType = [{ user: 'v', item: 'b' }, { user: 'w', item: 7 }] as unknown as EventInput[];
    await assert.rejects(store.appendEvents(wrongType), /event 1: item must be a string of well-formed Unicode/);
    assert.deepEqual(await store.counts(), before, 'no event, user or item of the failed batch remains');
    assert.equal(await store.userHistory('v', 10), undefined);
  });

  withStore('items and users: put, get, replace, delete; deleting a user forgets their events', async (store) => {
    assert.equal(await store.putItem('a', { title: 'Alpha', tags: ['x', 'y'], price: 3.5, new: true }), true);
    assert.deepEqual(await store.getItem('a'), { title: 'Alpha', tags: ['x', 'y'], price: 3.5, new: true });
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
    assert.deepEqual(await store.getUser('v'), {}, 'a user known from events only has no attributes');
    assert.equal(await store.deleteUser('u'), true);
    assert.equal(await store.getUser('u'), undefined);
    assert.equal(await store.userHistory('u', 10), undefined);
    assert.equal(await store.deleteUser('u'), false);
    assert.equal((await store.counts()).events, 1, "v's event stays");
  });

  withStore('putItems and putUsers: many at once, a repeated id keeps its last attributes', async (store) => {
    await store.putItems([
      { id: 'i1', attributes: { n: 1 } },
      { id: 'i2', attributes: { n: 2 } },
      { id: 'i1', attributes: { n: 3 } },
    ]);
    await store.deleteItem('i2');
    await store.putItems([{ id: 'i2', attributes: { n: 4 } }]);
    assert.deepEqual(await store.getItem('i1'), { n: 3 });
    assert.deepEqual(await store.getItem('i2'), { n: 4 }, 'putItems brings a deleted item back');
    await store.putUsers([{ id: 'a', attributes: { g: 'x' } }, { id: 'a', attributes: { g: 'y' } }]);
    assert.deepEqual(await store.getUser('a'), { g: 'y' });
    await store.putItems([]);
    assert.deepEqual(await store.counts(), { events: 0, users: 1, items: 2, models: 0 });
  });

  withStore('a snapshot has dense ids in store order, the events over them, deleted items and attributes', async (store) => {
    await store.putItems([{ id: 'i1', attributes: { title: 'One' } }, { id: 'i2', attributes: {} }]);
    await store.putUsers([{ id: 'u2', attributes: { age: 7 } }]);
    await store.appendEvents([
      { user: 'u1', item: 'i2', value: 4, ts: 10, kind: 'rating' },
      { user: 'u2', item: 'i3', value: 1, ts: 20, kind: 'click' },
      { user: 'u1', item: 'i1', value: 3, ts: 30, kind: 'rating' },
      { user: 'u3', item: 'i3', value: 0.5, ts: NaN, kind: 'view' },
    ]);
    await store.deleteItem('i1');
    await store.deleteUser('u3');
    const snap = await store.snapshot();
    assert.deepEqual(snap.items.toArray(), ['i1', 'i2', 'i3']);
    assert.deepEqual(snap.users.toArray(), ['u2', 'u1']);
    assert.deepEqual(Array.from(snap.interactions.user), [1, 0, 1]);
    assert.deepEqual(Array.from(snap.interactions.item), [1, 2, 0]);
    assert.deepEqual(Array.from(snap.interactions.value), [4, 1, 3]);
    assert.deepEqual(Array.from(snap.interactions.ts), [10, 20, 30]);
    assert.deepEqual(Array.from(snap.seqs), [1, 2, 3]);
    assert.deepEqual(Array.from(snap.kind, (k) => snap.kinds[k]), ['rating', 'click', 'rating']);
    assert.deepEqual(Array.from(snap.deletedItems), [1, 0, 0]);
    assert.deepEqual(snap.itemAttributes[0], { title: 'One' });
    assert.deepEqual(snap.userAttributes, [{ age: 7 }, undefined]);
    assert.equal(snap.seq, 4, "the log's high-water mark, though the newest event went with its user");
  });

  withStore('an empty store snapshots to nothing', async (store) => {
    const snap = await store.snapshot();
    assert.equal(snap.interactions.length, 0);
    assert.equal(snap.seq, 0);
    assert.equal(snap.cursor, 0);
    assert.equal(snap.users.size + snap.items.size, 0);
    assert.deepEqual(await store.changesSince(0), { cursor: 0, changes: [], more: false });
  });

  withStore('model registry: versions count up per name, one model is active, checksums guard the bytes', async (store) => {
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
    assert.deepEqual(list.map((m) => [m.bytes, m.trainedThroughSeq]), [[64, 5], [64, 6], [64, 6]]);
    assert.equal((await store.getModel('a'))!.version, 2, 'latest by default');
    assert.equal(await store.getModel('nope'), undefined);
    assert.deepEqual(Array.from(concatBytes((await store.getModel('a', 1))!.artifact)), Array.from(bytes(1)));
    assert.equal((await store.activeModel())!.name, 'b');
    assert.ok(Math.abs(a1.created - Date.now() / 1000) < 60);

    // Change the stored bytes behind the store's back: loading them must fail loudly.
    await h.corruptChunk(store, 'a', 1, 0, bytes(9));
    await assert.rejects(store.getModel('a', 1), /model a@1 is damaged: its artifact does not match its sha256 checksum/);

    // Everything is in the store: a new connection sees it.
    const other = await h.reopen(store);
    try {
      assert.equal((await other.activeModel())!.name, 'b');
      assert.equal((await other.counts()).models, 3);
    } finally {
      await other.close();
    }
  });

  withStore('a reserved version number: saved with it, given to no one else, and deletable whether saved or not', async (store) => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => i);
    const model = { name: 'r', params: {}, metrics: {}, trainedThroughSeq: 0, artifact: bytes };
    const reserved = await store.reserveModelVersion('r');
    assert.equal(reserved, 1);
    assert.equal((await store.saveModel(model)).version, 2, 'the next save without a reservation skips the reserved number');
    assert.equal(await store.reserveModelVersion('r'), 3);
    assert.equal(await store.deleteModel('r', 1), false, 'reserved, not yet saved: nothing to delete');
    const saved = await store.saveModel({ ...model, version: reserved });
    assert.equal(saved.version, 1);
    assert.deepEqual((await store.listModels('r')).map((m) => m.version), [1, 2]);
    await assert.rejects(store.saveModel({ ...model, version: 1 }), /r@1 was not reserved .* or is already saved/);
    await assert.rejects(store.saveModel({ ...model, version: 4 }), /r@4 was not reserved/);
    await assert.rejects(store.saveModel({ ...model, name: 'other', version: 1 }), /other@1 was not reserved/);
    assert.equal(await store.deleteModel('r', 1), true);
    assert.deepEqual((await store.listModels('r')).map((m) => m.version), [2]);
    assert.equal(await store.reserveModelVersion('r'), 4, 'numbers are never handed out again');
  });

  withStore(
    'an artifact bigger than one chunk is stored in chunks, read back whole, checked, and deleted with its model',
    async (store) => {
      // 1,000 bytes in 64-byte chunks: 15 full chunks and one of 40, written from three pieces whose
      // boundaries fall inside chunks (as encodeArtifactPieces hands them over).
      const whole = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7 + 3) & 255);
      const pieces = [whole.subarray(0, 10), whole.subarray(10, 700), whole.subarray(700)];
      const big = await store.saveModel({ name: 'big', params: {}, metrics: {}, trainedThroughSeq: 0, artifact: pieces });
      const small = await store.saveModel({ name: 'small', params: {}, metrics: {}, trainedThroughSeq: 0, artifact: whole.subarray(0, 64) });
      const empty = await store.saveModel({ name: 'empty', params: {}, metrics: {}, trainedThroughSeq: 0, artifact: new Uint8Array(0) });
      assert.equal(big.bytes, 1000);
      assert.equal(await h.countChunks(store), 16 + 1, 'one row per 64 bytes, and an empty artifact has none');
      assert.deepEqual((await store.listModels()).map((m) => [m.name, m.bytes]), [['big', 1000], ['empty', 0], ['small', 64]]);
      const back = await store.getModel('big', 1);
      assert.equal(back!.checksum, big.checksum);
      assert.deepEqual(Array.from(concatBytes(back!.artifact)), Array.from(whole));
      assert.equal(concatBytes((await store.getModel('empty'))!.artifact).length, 0);
      assert.equal(empty.bytes, 0);

      // Activation serves the chunked artifact whole, from this connection and from another.
      await store.activateModel('big', 1);
      assert.deepEqual(Array.from(concatBytes((await store.activeModel())!.artifact)), Array.from(whole));
      const other = await h.reopen(store);
      try {
        assert.deepEqual(Array.from(concatBytes((await other.activeModel())!.artifact)), Array.from(whole));
      } finally {
        await other.close();
      }

      // One damaged chunk in the middle is caught by the checksum over the whole.
      await h.corruptChunk(store, 'big', 1, 7, new Uint8Array(64).fill(1));
      await assert.rejects(store.getModel('big', 1), /model big@1 is damaged: its artifact does not match its sha256 checksum/);
      await assert.rejects(store.activeModel(), /model big@1 is damaged/);

      // The active model cannot be deleted; another can, with its chunks; deleting twice says no.
      await assert.rejects(store.deleteModel('big', 1), /model big@1 is the active model; activate another before deleting it/);
      await store.activateModel('small', 1);
      assert.equal(await store.deleteModel('big', 1), true);
      assert.equal(await store.deleteModel('big', 1), false);
      assert.equal(await store.deleteModel('nope', 1), false);
      assert.equal(await h.countChunks(store), 1, "only the small model's chunk is left");
      assert.equal(await store.getModel('big'), undefined);
      assert.deepEqual((await store.listModels()).map((m) => m.name), ['empty', 'small']);
      assert.equal((await store.counts()).models, 2);
      // A version number never names two artifacts: the next 'big' is version 2, though 1 is gone.
      assert.equal((await store.saveModel({ name: 'big', params: {}, metrics: {}, trainedThroughSeq: 0, artifact: pieces })).version, 2);
      assert.deepEqual(Array.from(concatBytes((await store.getModel('big'))!.artifact)), Array.from(whole));
    },
    { artifactChunkBytes: 64 },
  );
}
