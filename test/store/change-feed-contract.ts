import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Store } from '../../src/store/store.js';

/**
 * What every Store promises about its change log, run against each implementation: every committed
 * write is in the feed after the snapshot's cursor, in commit order, and replaying it is enough to
 * follow the store without reading it whole again.
 */
export function changeFeedContract(name: string, open: () => Promise<Store>, options: { skip?: false | string } = {}): void {
  const skip = options.skip ?? false;
  test(`${name}: the change feed replays every write after a snapshot's cursor, in order`, { skip }, async () => {
    const store = await open();
    try {
      await store.appendEvents([{ user: 'u1', item: 'a' }]);
      const snap = await store.snapshot();
      assert.equal(snap.interactions.length, 1);
      const empty = await store.changesSince(snap.cursor);
      assert.deepEqual(empty.changes, [], 'nothing after the snapshot yet');
      assert.equal(empty.cursor, snap.cursor);

      await store.appendEvents([
        { user: 'u2', item: 'a', value: 4, ts: 1000 },
        { user: 'u2', item: 'b', key: 'k' },
      ]);
      await store.appendEvents([{ user: 'u2', item: 'b', key: 'k' }]); // a duplicate: no change
      await store.putItem('c', { title: 'C' });
      await store.deleteItem('a');
      await store.putUser('u3', { age: 30 });
      await store.deleteUser('u1');
      const feed = await store.changesSince(snap.cursor);
      assert.equal(feed.more, false);
      const summary = feed.changes.map((c) => {
        switch (c.type) {
          case 'event':
            return `event ${c.event.user} ${c.event.item} ${c.event.value}`;
          case 'item':
            return `item ${c.id} ${c.deleted ? 'deleted' : JSON.stringify(c.attributes)}`;
          case 'user':
            return `user ${c.id} ${JSON.stringify(c.attributes)}`;
          case 'user-deleted':
            return `user-deleted ${c.id}`;
          case 'model':
            return `model ${c.name}@${c.version}`;
        }
      });
      assert.deepEqual(summary, [
        'event u2 a 4',
        'event u2 b 1',
        'item c {"title":"C"}',
        'item a deleted',
        'user u3 {"age":30}',
        'user-deleted u1',
      ]);
      const ev = feed.changes[0]!;
      assert.ok(ev.type === 'event' && ev.event.ts === 1000 && ev.event.seq > 0);

      // a later snapshot starts where the feed ended
      const later = await store.snapshot();
      assert.equal(later.cursor, feed.cursor);
      assert.deepEqual((await store.changesSince(feed.cursor)).changes, []);

      const info = await store.saveModel({ name: 'm', params: {}, metrics: {}, trainedThroughSeq: later.seq, artifact: new Uint8Array([1, 2, 3]) });
      assert.deepEqual((await store.changesSince(feed.cursor)).changes, [], 'registering a model changes nothing served');
      await store.activateModel('m', info.version);
      assert.deepEqual((await store.changesSince(feed.cursor)).changes, [{ type: 'model', name: 'm', version: info.version }]);
    } finally {
      await store.close();
    }
  });

  test(`${name}: a limited feed is read in pages without splitting a batch of events`, { skip }, async () => {
    const store = await open();
    try {
      const start = (await store.snapshot()).cursor;
      await store.appendEvents([{ user: 'p', item: 'x' }, { user: 'p', item: 'y' }, { user: 'p', item: 'z' }]);
      await store.putItem('x', { n: 1 });
      await store.putItem('y', { n: 2 });
      const first = await store.changesSince(start, 2);
      assert.equal(first.more, true);
      assert.equal(first.changes.length, 3, 'the three events of one batch come together');
      const second = await store.changesSince(first.cursor, 2);
      assert.deepEqual(second.changes.map((c) => c.type), ['item', 'item']);
      assert.equal((await store.changesSince(second.cursor, 2)).more, false);
    } finally {
      await store.close();
    }
  });
}
