import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite.js';

test("a user's history is newest first by time, whatever order the events were logged in", async () => {
  const store = new SqliteStore(':memory:');
  try {
    // As an import of a file not sorted by time would log them; then one event without a time.
    await store.appendEvents([
      { user: 'u', item: 'mid', ts: 200 },
      { user: 'u', item: 'new', ts: 300 },
      { user: 'u', item: 'old', ts: 100 },
      { user: 'u', item: 'tie-first', ts: 250 },
      { user: 'u', item: 'tie-second', ts: 250 },
    ]);
    const history = await store.userHistory('u', 10);
    assert.deepEqual(history!.map((e) => e.item), ['new', 'tie-second', 'tie-first', 'mid', 'old']);
    assert.deepEqual((await store.userHistory('u', 2))!.map((e) => e.item), ['new', 'tie-second'], 'the limit keeps the latest by time');
  } finally {
    await store.close();
  }
});
