import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cleanDataset } from '../../src/data/clean.js';
import { loadDataset } from '../../src/data/load.js';
import { trainFromStore } from '../../src/serve/training.js';
import { importDataset } from '../../src/store/import.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { SHARED_DATA } from '../helpers/shared-data.js';
import { json, openAppAt, tempDir } from './fixture.js';

const ML100K = join(SHARED_DATA, 'ml-100k');
const skip = !existsSync(ML100K) && 'shared data absent';
const tmp = tempDir('unirec-new-items-tt-');
after(() => tmp.cleanup());

/** ml-100k's first 300 users' events (about a third), every movie in the catalogue with its genres, year and title. */
async function storeWithTwoTower(path: string, retrieval: 'exact' | 'hnsw'): Promise<void> {
  const ds = await loadDataset(ML100K);
  const x = ds.interactions;
  const rows = Array.from({ length: x.length }, (_, r) => r).filter((r) => x.user[r]! < 300);
  const store = new SqliteStore(path, { synchronous: 'normal' });
  try {
    await importDataset(store, cleanDataset({ ...ds, interactions: x.select(rows), folds: undefined }));
    const info = await trainFromStore(store, 'two-tower', { dim: 32, hidden: 64, epochs: 3, batchSize: 512, textEncoder: 'none', retrieval });
    await store.activateModel(info.name, info.version);
  } finally {
    await store.close();
  }
}

for (const retrieval of ['exact', 'hnsw'] as const) {
  test(`two-tower (${retrieval}) on ml-100k: a movie put through the API is recommended to a user whose taste it matches, without retraining; deleted, it is gone`, { skip }, async () => {
    const path = join(tmp.dir, `${retrieval}.db`);
    await storeWithTwoTower(path, retrieval);
    let s = await openAppAt(path);
    try {
      const model = s.service.live!.label;
      // a slasher copy that none of these users' tops are made of: new items do not float to the top by themselves
      const horror = { year: 1996, genres: ['Horror', 'Thriller'], title: 'Scream of the Night (1996)' };
      assert.equal((await s.app.inject({ method: 'PUT', url: '/items/new-horror', payload: horror })).statusCode, 200);
      // users 7 (musicals, romance) and 42 (family animation): a new movie with the genres, year and title
      // words of their best match enters their top 10 from those attributes alone (no events, no id)
      for (const user of ['7', '42']) {
        const before = await s.ids(user);
        const best = json(await s.app.inject({ url: `/items/${before[0]}` })).attributes;
        const put = await s.app.inject({ method: 'PUT', url: `/items/new-${user}`, payload: best });
        assert.equal(put.statusCode, 200, put.body);
        assert.equal(json(put).placed, true, put.body);
        const after = await s.ids(user);
        assert.ok(after.includes(`new-${user}`), `user ${user}: the new copy of ${before[0]} (${JSON.stringify(best)}) in the top 10: ${after.join(', ')}`);
        assert.ok(!after.includes('new-horror'), `user ${user}: the new horror movie is not in the top 10: ${after.join(', ')}`);
      }
      assert.equal(s.service.live!.label, model, 'no retraining, no new model');
      const body = json(await s.app.inject({ url: '/recommend/7?k=10' }));
      assert.equal(body.fallback, false);

      assert.equal((await s.app.inject({ method: 'DELETE', url: '/items/new-7' })).statusCode, 200);
      assert.ok(!(await s.ids('7')).includes('new-7'), 'a deleted item disappears');
      assert.ok(s.service.live!.model.itemIndex!().isRemoved(s.service.live!.items.get('new-7')), 'and is marked deleted in the index');

      // a restarted server adds the items put since training to the stored model at load
      await s.close();
      s = await openAppAt(path);
      assert.ok((await s.ids('42')).includes('new-42'), 'added again when the model is loaded');
      assert.ok(!(await s.ids('7')).includes('new-7'), 'the deleted one stays out');
    } finally {
      await s.close();
    }
  });
}
