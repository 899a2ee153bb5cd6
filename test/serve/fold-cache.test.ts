import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FoldCache } from '../../src/serve/fold-cache.js';
import type { LiveModel } from '../../src/serve/live-model.js';
import { json, openApp, shopStore, tempDir } from './fixture.js';

const tmp = tempDir('unirec-foldcache-');
after(() => tmp.cleanup());

test('FoldCache: a hit needs the same model and the same last event; least recently used go first', () => {
  const a = {} as LiveModel;
  const b = {} as LiveModel;
  const cache = new FoldCache(3 * 400); // room for three arrays of 100 floats
  const scores = (v: number) => new Float32Array(100).fill(v);
  cache.set('u1', a, 5, scores(1));
  assert.equal(cache.get('u1', a, 5)![0], 1);
  assert.equal(cache.get('u1', a, 6), undefined, 'a newer event');
  assert.equal(cache.get('u1', b, 5), undefined, 'another model');
  cache.set('u2', a, 1, scores(2));
  cache.set('u3', a, 1, scores(3));
  cache.get('u1', a, 5); // u1 is now the most recently used
  cache.set('u4', a, 1, scores(4));
  assert.equal(cache.size, 3);
  assert.equal(cache.get('u2', a, 1), undefined, 'u2 was the least recently used');
  assert.ok(cache.get('u1', a, 5) && cache.get('u3', a, 1) && cache.get('u4', a, 1));
});

test('folded users are solved once per new event: the next request reuses it, the next event replaces it', async () => {
  const t = await openApp(await shopStore(join(tmp.dir, 'fold.db'), { model: 'als', params: { factors: 8, iterations: 3 } }));
  try {
    const rec = async () => json(await t.app.inject({ method: 'GET', url: '/recommend/user-0020?k=5' }));
    const post = (item: string) => t.app.inject({ method: 'POST', url: '/events', payload: { user: 'user-0020', item } });
    const before = await rec();
    await post(before.items[0].id);
    const first = await rec();
    assert.equal(t.service.foldCache.size, 1);
    assert.deepEqual(await rec(), first, 'same answer from the cache');
    await post(first.items[0].id);
    const second = await rec();
    assert.ok(!second.items.some((i: { id: string }) => i.id === first.items[0].id), 'the newest event counts at once');
    await t.app.inject({ method: 'POST', url: '/models/als/activate', payload: { version: 1 } });
    assert.equal(t.service.foldCache.size, 0, 'an activation empties the cache');
  } finally {
    await t.close();
  }
});
