import assert from 'node:assert/strict';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { unirec } from '../helpers/cli.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { shopStore, tempDir } from '../serve/fixture.js';

// Issue 20 #5: `unirec backup` copies a store that is in use (here held open with writes in its -wal
// file), and a server opens the copy with every acknowledged event; a plain file copy is refused.

const tmp = tempDir('unirec-backup-');
after(() => tmp.cleanup());

test('unirec backup --db PATH --out FILE copies a live store; the copy restores everything; a file copy is refused', async () => {
  const db = join(tmp.dir, 'live.db');
  const live = await shopStore(db, { model: 'popularity' });
  try {
    await live.appendEvents([{ user: 'late-user', item: 'sku-0001', key: 'late' }]);
    assert.ok(existsSync(`${db}-wal`), 'the store is in use: recent writes are in its -wal file');
    const out = join(tmp.dir, 'backup.db');
    const r = unirec('backup', '--db', db, '--out', out);
    assert.equal(r.code, 0, r.stderr);
    const counts = await live.counts();
    assert.match(r.stdout, new RegExp(`^backed up .*live\\.db to .*backup\\.db: ${counts.events} events, ${counts.users} users, ${counts.items} items, 1 models \\(checked`));

    const restored = new SqliteStore(out);
    assert.deepEqual(await restored.counts(), counts);
    assert.equal((await restored.userHistory('late-user', 10))?.[0]?.key, 'late');
    assert.equal((await restored.activeModel())?.name, 'popularity');
    await restored.close();

    const again = unirec('backup', '--db', db, '--out', out);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /backup\.db exists; unirec backup does not overwrite/);

    // The unsafe way: the main file alone, while the store is in use.
    const copied = join(tmp.dir, 'copied.db');
    copyFileSync(db, copied);
    const served = unirec('backup', '--db', copied, '--out', join(tmp.dir, 'from-copy.db'));
    assert.notEqual(served.code, 0);
    assert.match(served.stderr, /write-ahead log .*copied\.db-wal is missing/);
    assert.doesNotMatch(served.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    await live.close();
  }
});
