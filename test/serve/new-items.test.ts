import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { json, openAppAt, shopStore, tempDir } from './fixture.js';

const tmp = tempDir('unirec-new-items-');
after(() => tmp.cleanup());

const SHOP = { users: 300, items: 200, eventsPerUser: 15, seed: 3 };

for (const retrieval of ['exact', 'hnsw'] as const) {
  test(`hybrid-mf (${retrieval}): an item put through the API is recommended to a user whose taste it matches, without retraining; deleted, it is gone; put back, it returns`, async () => {
    const path = join(tmp.dir, `${retrieval}.db`);
    // a features-only hybrid (itemIdWeight 0): an item's vector is its attributes', whether it was trained on or not
    const store = await shopStore(path, { shop: SHOP, model: 'hybrid-mf', params: { factors: 16, epochs: 10, itemIdWeight: 0, retrieval } });
    await store.close();
    let s = await openAppAt(path);
    try {
      const user = 'user-0007';
      const before = await s.ids(user);
      const model = s.service.live!.label;
      // a new item with the attributes of the user's best match (same category, brand, price, tags, words)
      const best = json(await s.app.inject({ url: `/items/${before[0]}` })).attributes;
      assert.ok(!before.includes('sku-new'));
      const put = await s.app.inject({ method: 'PUT', url: '/items/sku-new', payload: { ...best, title: `${best.title} (new edition)` } });
      assert.equal(put.statusCode, 200, put.body);
      assert.deepEqual(json(put), { id: 'sku-new', created: true, placed: true }, 'the answer says it is recommendable now');
      const after = await s.ids(user);
      assert.ok(after.includes('sku-new'), `the new item is in ${user}'s top 10: ${after.join(', ')}`);
      assert.equal(s.service.live!.label, model, 'no retraining, no new model');
      const body = json(await s.app.inject({ url: `/recommend/${user}?k=10` }));
      assert.equal(body.fallback, false);
      assert.ok(body.items.find((i: { id: string }) => i.id === 'sku-new').title.endsWith('(new edition)'));
      // filters hold for it: its category lets it through, another category keeps it out
      assert.ok((await s.ids(user, `&filter=category:${encodeURIComponent(best.category)}`)).includes('sku-new'));
      const other = best.category === 'shoes' ? 'books' : 'shoes';
      assert.ok(!(await s.ids(user, `&filter=category:${other}`)).includes('sku-new'));
      // its neighbours come from the same vectors
      const similarRes = await s.app.inject({ url: `/similar/sku-new?k=5` });
      assert.equal(similarRes.statusCode, 200, similarRes.body);
      const similar = json(similarRes);
      assert.equal(similar.fallback, false);
      assert.ok(similar.items.some((i: { id: string }) => i.id === before[0]), `the item it copies is among its neighbours: ${JSON.stringify(similar.items)}`);
      // once the user has it, it is not recommended to them again
      await s.app.inject({ method: 'POST', url: '/events', payload: { events: [{ user: 'user-0008', item: 'sku-new' }] } });
      assert.ok(!(await s.ids('user-0008')).includes('sku-new'));

      assert.equal((await s.app.inject({ method: 'DELETE', url: '/items/sku-new' })).statusCode, 200);
      assert.ok(!(await s.ids(user)).includes('sku-new'), 'a deleted item disappears');
      assert.ok(s.service.live!.model.itemIndex!().isRemoved(s.service.live!.items.get('sku-new')), 'and is marked deleted in the index');
      await s.app.inject({ method: 'PUT', url: '/items/sku-new', payload: { ...best, title: `${best.title} (new edition)` } });
      assert.ok((await s.ids(user)).includes('sku-new'), 'put back, it returns');

      // a restarted server serves the same stored model with the item added at load
      await s.close();
      s = await openAppAt(path);
      assert.ok((await s.ids(user)).includes('sku-new'), 'added again when the model is loaded');
      // ... and linked to its catalogue entry like any other item: explained, excluded once seen, deleted, put back once
      const explained = await s.app.inject({ url: `/recommend/${user}?k=10&explain=true` });
      assert.equal(explained.statusCode, 200, explained.body);
      const reasons = json(explained).items.find((i: { id: string }) => i.id === 'sku-new').reasons as string[];
      assert.match(reasons.join(' '), /placed by its attributes/);
      await s.app.inject({ method: 'POST', url: '/events', payload: { events: [{ user, item: 'sku-new' }] } });
      assert.ok(!(await s.ids(user)).includes('sku-new'), 'seen after the restart: not recommended again');
      const live = s.service.live!;
      const n = live.model.itemIndex!().n;
      assert.equal((await s.app.inject({ method: 'DELETE', url: '/items/sku-new' })).statusCode, 200);
      assert.ok(live.model.itemIndex!().isRemoved(live.items.get('sku-new')), 'deleted after the restart: marked removed');
      await s.app.inject({ method: 'PUT', url: '/items/sku-new', payload: { ...best, title: `${best.title} (new edition)` } });
      assert.equal(live.model.itemIndex!().n, n, 'put back: restored, not added twice');
      assert.equal(live.items.size, n);
      // an item whose attributes name nothing the model knows cannot be placed: stored, never recommended, and the answer says why
      const blank = await s.app.inject({ method: 'PUT', url: '/items/sku-blank', payload: { colour: 'ultraviolet' } });
      assert.equal(blank.statusCode, 200);
      assert.equal(json(blank).created, true);
      assert.equal(json(blank).placed, false);
      assert.match(json(blank).reason, /^none of its attributes names a feature hybrid-mf@1 knows \(its vector would be empty\)/);
      assert.deepEqual(json(await s.app.inject({ url: '/items/sku-blank' })).attributes, { colour: 'ultraviolet' });
      assert.ok(!(await s.ids(user)).includes('sku-blank'));
    } finally {
      await s.close();
    }
  });
}
