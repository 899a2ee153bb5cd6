import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildApp } from '../../src/serve/app.js';
import { RecommenderService } from '../../src/serve/service.js';
import { json, shopStore, tempDir } from './fixture.js';

const tmp = tempDir('unirec-unknown-items-');
after(() => tmp.cleanup());

test('--unknown-items refuse: a batch naming an item the catalogue lacks is a 400 and stores nothing; once put, it is taken', async () => {
  const store = await shopStore(join(tmp.dir, 'refuse.db'), { model: 'itemknn' });
  const service = await RecommenderService.open(store, { unknownItems: 'refuse', warn: () => {} });
  const app = await buildApp({ service });
  try {
    const before = (await store.counts()).events;
    const refused = await app.inject({ method: 'POST', url: '/events', payload: { events: [{ user: 'user-0001', item: 'sku-0002' }, { user: 'user-0001', item: 'not-in-catalogue' }] } });
    assert.equal(refused.statusCode, 400);
    assert.match(json(refused).message, /not in the catalogue \("not-in-catalogue"\)/);
    assert.equal((await store.counts()).events, before, 'the whole batch was refused');
    assert.equal((await app.inject({ method: 'PUT', url: '/items/not-in-catalogue', payload: { title: 'Now known' } })).statusCode, 200);
    const taken = await app.inject({ method: 'POST', url: '/events', payload: { events: [{ user: 'user-0001', item: 'not-in-catalogue' }] } });
    assert.equal(taken.statusCode, 200, taken.body);
  } finally {
    await app.close();
    await service.close();
    await store.close();
  }
});
