import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, closeSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite.js';

// Issue 20 #5: a damaged file is refused at open with the way out; a copy of a live store made without
// its -wal file is detected and refused (it silently lacked acknowledged events and reused their
// sequence numbers); `backup` copies a live store consistently, and the copy opens and holds everything.

const dir = mkdtempSync(join(tmpdir(), 'unirec-integrity-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function filled(path: string, n: number): Promise<SqliteStore> {
  const store = new SqliteStore(path, { synchronous: 'normal' });
  for (let b = 0; b < n / 100; b++) {
    await store.appendEvents(Array.from({ length: 100 }, (_, i) => ({ user: `user-${(b * 100 + i) % 97}`, item: `item-${i}`, key: `k-${b}-${i}` })));
  }
  return store;
}

test('a file that fails SQLite\'s integrity check is refused, with the way out; so is one that is not a database', async () => {
  const path = join(dir, 'damaged.db');
  await (await filled(path, 3000)).close();
  const pages = statSync(path).size / 4096;
  assert.ok(pages > 10);
  // Scribble over a few pages in the middle of the file (b-tree pages of the events and their indexes).
  const fd = openSync(path, 'r+');
  for (const page of [Math.floor(pages / 3), Math.floor(pages / 2), Math.floor((2 * pages) / 3)]) writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, page * 4096 + 100);
  closeSync(fd);
  assert.throws(() => new SqliteStore(path), (err: Error) => {
    assert.match(err.message, /the store .*damaged\.db is damaged \(SQLite: .+\); unirec will not serve it or write into it/);
    assert.match(err.message, /unirec backup/);
    assert.match(err.message, /sqlite3 .*damaged\.db \.recover \| sqlite3 recovered\.db/);
    return true;
  });
  const junk = join(dir, 'junk.db');
  writeFileSync(junk, 'this is not a database, but it is long enough to have a header...'.repeat(100));
  assert.throws(() => new SqliteStore(junk), /junk\.db is damaged \(SQLite: file is not a database\)/);
});

test('a copy of a live store without its -wal file is refused; --accept-missing-wal opens it anyway', async () => {
  const live = await filled(join(dir, 'live.db'), 1000);
  // Events acknowledged after the last checkpoint live in the -wal file until the next one.
  await live.appendEvents([{ user: 'late', item: 'late-item', key: 'late' }]);
  const copy = join(dir, 'copy.db');
  copyFileSync(live.path, copy);
  assert.ok(!existsSync(`${copy}-wal`));
  assert.throws(() => new SqliteStore(copy), (err: Error) => {
    assert.match(err.message, /was in use when it was copied, and its write-ahead log .*copy\.db-wal is missing/);
    assert.match(err.message, /--accept-missing-wal/);
    assert.match(err.message, /unirec backup --db PATH --out FILE/);
    return true;
  });
  const accepted = new SqliteStore(copy, { acceptMissingWal: true });
  await accepted.close();
  const again = new SqliteStore(copy);
  await again.close();
  await live.close();
});

test('no false alarm: a store that crashed with its -wal file, or was closed, or is open twice, opens', async () => {
  const path = join(dir, 'crash.db');
  const first = await filled(path, 500);
  // A crash leaves the main file and its -wal: copying both is what a SIGKILL leaves on disk.
  const crashed = join(dir, 'crashed.db');
  copyFileSync(path, crashed);
  copyFileSync(`${path}-wal`, `${crashed}-wal`);
  const recovered = new SqliteStore(crashed);
  assert.equal((await recovered.counts()).events, 500);
  await recovered.close();
  const reopened = new SqliteStore(crashed);
  await reopened.close();
  // A second connection while the first is open (a training worker), then both closed in any order.
  const second = new SqliteStore(path);
  await first.close();
  await second.close();
  const third = new SqliteStore(path);
  assert.equal((await third.counts()).events, 500);
  await third.close();
});

test('backup copies a live store with SQLite\'s online backup: the copy opens and holds every acknowledged event', async () => {
  const live = await filled(join(dir, 'source.db'), 2000);
  await live.putItem('item-1', { title: 'One' });
  const writes = live.appendEvents([{ user: 'during', item: 'item-2', key: 'during' }]);
  const out = join(dir, 'backup.db');
  await live.backup(out);
  await writes;
  assert.ok(!existsSync(`${out}-wal`) || statSync(`${out}-wal`).size === 0);
  const restored = new SqliteStore(out);
  assert.deepEqual(await restored.counts(), await live.counts());
  assert.deepEqual(await restored.getItem('item-1'), { title: 'One' });
  const snapshot = await restored.snapshot();
  assert.equal(snapshot.seq, (await live.snapshot()).seq, 'the same log position: no sequence number will be handed out twice');
  await restored.appendEvents([{ user: 'after-restore', item: 'item-3' }]);
  await restored.close();
  await live.close();
});
