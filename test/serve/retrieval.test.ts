import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { listsFromIndex } from '../../src/models/factor-retrieval.js';
import { buildApp } from '../../src/serve/app.js';
import { RecommenderService, type ServiceOptions } from '../../src/serve/service.js';
import type { SqliteStore } from '../../src/store/sqlite.js';
import { json, shopStore, tempDir } from './fixture.js';

const tmp = tempDir('unirec-serve-retrieval-');
after(() => tmp.cleanup());

async function lists(store: SqliteStore, options: ServiceOptions, users: string[]) {
  const service = await RecommenderService.open(store, { ...options, warn: () => {} });
  const app = await buildApp({ service });
  try {
    const out: string[][] = [];
    for (const u of users) out.push(json(await app.inject({ url: `/recommend/${u}?k=10` })).items.map((i: { id: string }) => i.id));
    return { out, indexed: listsFromIndex(service.live!.model), params: service.live!.model.params };
  } finally {
    await app.close();
    await service.close();
  }
}

test('a model serving from HNSW answers /recommend from its index: the exact lists, never a seen or deleted item, folded-in visitors too', async () => {
  const store = await shopStore(join(tmp.dir, 'hnsw.db'), { model: 'als', params: { factors: 16, retrieval: 'hnsw' } });
  try {
    await store.appendEvents([{ user: 'visitor', item: 'sku-0003' }, { user: 'visitor', item: 'sku-0007' }]);
    await store.deleteItem('sku-0011');
    const users = ['user-0001', 'user-0002', 'user-0050', 'visitor'];
    const hnsw = await lists(store, {}, users);
    assert.equal(hnsw.indexed, true);
    const exact = await lists(store, { retrieval: { retrieval: 'exact' } }, users);
    assert.equal(exact.indexed, false, 'serve --retrieval exact overrides what the model was trained with');
    assert.deepEqual(hnsw.out, exact.out, 'on 60 items the graph finds the exact top 10');
    for (const [r, u] of users.entries()) {
      const seen = new Set((await store.userHistory(u, 1000))!.map((e) => e.item));
      assert.equal(hnsw.out[r]!.length, 10);
      for (const id of hnsw.out[r]!) {
        assert.ok(!seen.has(id), `${u} is not shown ${id}, which they have`);
        assert.notEqual(id, 'sku-0011', 'a deleted item is never shown');
      }
    }
    const int8 = await lists(store, { retrieval: { retrieval: 'exact', vectors: 'int8' } }, users);
    assert.equal(int8.indexed, true, 'compressed vectors serve through the index too');
    assert.equal(int8.params.vectors, 'int8');
  } finally {
    await store.close();
  }
});

test('serve --retrieval hnsw / --vectors int8 over a hybrid-mf trained exact: its item vectors (sums of feature embeddings) are indexed at load, the lists hold', async () => {
  const store = await shopStore(join(tmp.dir, 'hybrid.db'), { model: 'hybrid-mf', params: { factors: 16, epochs: 5 } });
  try {
    const users = ['user-0001', 'user-0002', 'user-0050'];
    const exact = await lists(store, {}, users);
    assert.equal(exact.indexed, false);
    const hnsw = await lists(store, { retrieval: { retrieval: 'hnsw' } }, users);
    assert.equal(hnsw.indexed, true);
    assert.equal(hnsw.params.retrieval, 'hnsw');
    assert.deepEqual(hnsw.out, exact.out, 'on 60 items the graph finds the exact top 10');
    const int8 = await lists(store, { retrieval: { vectors: 'int8' } }, users);
    assert.equal(int8.params.vectors, 'int8');
    let same = 0;
    for (const [r, list] of int8.out.entries()) same += list.filter((id) => exact.out[r]!.includes(id)).length;
    assert.ok(same >= 27, `int8 lists keep ${same} of the 30 exact items`);
  } finally {
    await store.close();
  }
});
