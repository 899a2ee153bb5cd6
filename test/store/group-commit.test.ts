import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { EventInput } from '../../src/store/store.js';

// Issue 20 #2: concurrent appends share one transaction and one sync of the log; each batch stays all
// or nothing (a savepoint of its own), a bad batch fails alone, and each batch is one change-log row.

const dir = mkdtempSync(join(tmpdir(), 'unirec-group-commit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

for (const writerThread of [false, true]) {
test(`concurrent batches are committed together; a bad one fails alone; one change row per stored batch (${writerThread ? 'writer thread' : 'event loop'})`, async () => {
  const path = join(dir, `group-${writerThread}.db`);
  const store = new SqliteStore(path, { writerThread });
  const before = { ...store.groupCommits };
  const batches: EventInput[][] = Array.from({ length: 20 }, (_, b) => [
    { user: `u${b}`, item: 'a', key: `b${b}-0` },
    { user: `u${b}`, item: 'b', key: `b${b}-1` },
  ]);
  batches[7] = [{ user: 'bad', item: 'x' }, { user: 'bad', item: 'y', value: Number.NaN }];
  batches[12] = [{ user: 'u0', item: 'a', key: 'b0-0' }]; // a duplicate key: acknowledged, not stored
  const settled = await Promise.allSettled(batches.map((b) => store.appendEvents(b)));

  assert.equal(store.groupCommits.commits - before.commits, 1, 'one transaction, one sync');
  assert.equal(store.groupCommits.batches - before.batches, 20);
  assert.equal(settled[7]!.status, 'rejected');
  assert.match(String((settled[7] as PromiseRejectedResult).reason), /event 1: value must be a finite number/);
  for (const [i, s] of settled.entries()) if (i !== 7) assert.equal(s.status, 'fulfilled', `batch ${i}`);
  assert.equal((settled[12] as PromiseFulfilledResult<{ duplicates: number }>).value.duplicates, 1);

  // The bad batch left nothing (not even its user); each stored batch has its own change row and seq range.
  assert.equal((store.db.prepare(`SELECT count(*) AS n FROM users WHERE id = 'bad'`).get() as { n: number }).n, 0);
  const counts = await store.counts();
  assert.equal(counts.events, 18 * 2);
  const changes = store.db.prepare(`SELECT lo, hi FROM changes WHERE type = 'events' ORDER BY cursor`).all() as { lo: number; hi: number }[];
  assert.equal(changes.length, 18, 'one row per batch that stored events');
  for (const c of changes) assert.equal(c.hi - c.lo, 1, 'a batch is a contiguous seq range');
  const feed = await store.changesSince(0);
  assert.equal(feed.changes.length, 36);

  // Sequential appends (an import) still work one after another.
  await store.appendEvents([{ user: 'later', item: 'a' }]);
  assert.equal((await store.counts()).events, 37);
  await store.close();

  // What was acknowledged is in the file.
  const reopened = new SqliteStore(path);
  assert.equal((await reopened.counts()).events, 37);
  await reopened.close();
});
}

test('a batch appended just before close is committed, not dropped (on the event loop and on the writer thread)', async () => {
  for (const writerThread of [false, true]) {
    const path = join(dir, `close-${writerThread}.db`);
    const store = new SqliteStore(path, { writerThread });
    const pending = store.appendEvents([{ user: 'u', item: 'i' }]);
    await store.close();
    assert.equal((await pending).stored.length, 1);
    const reopened = new SqliteStore(path);
    assert.equal((await reopened.counts()).events, 1);
    await reopened.close();
  }
});

test('lone surrogates and blank ids are refused by the store itself (two would merge into one after a restart)', async () => {
  const store = new SqliteStore(join(dir, 'ids.db'));
  // (on the writer thread: the store's default with synchronous 'full'; its errors come back as the store's own)
  await assert.rejects(store.appendEvents([{ user: 'sur\ud800', item: 'i' }]), /event 0: user must be a string of well-formed Unicode/);
  await assert.rejects(store.appendEvents([{ user: 'u', item: '\udbff' }]), /item must be a string of well-formed Unicode/);
  await assert.rejects(store.appendEvents([{ user: ' \t ', item: 'i' }]), /not empty or only whitespace/);
  await assert.rejects(store.appendEvents([{ user: 'u', item: 'i', key: 'k\udc00' }]), /key must be a non-empty string of well-formed Unicode/);
  await store.appendEvents([{ user: 'emoji \ud83d\ude00', item: 'i' }]);
  assert.equal((await store.counts()).users, 1, 'a surrogate pair is a character like any other');
  await store.close();
});
