import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify from 'fastify';
import { parseApiKeys } from '../../src/serve/auth.js';
import { unirecPlugin } from '../../src/serve/plugin.js';
import { RecommenderService } from '../../src/serve/service.js';
import { json, shopStore } from './fixture.js';

test("the API mounts as a Fastify plugin under the application's prefix, its rules staying inside it", async () => {
  const store = await shopStore(':memory:', { model: 'itemknn' });
  const service = await RecommenderService.open(store, { warn: () => {} });
  const app = Fastify();
  app.get('/hello', async () => ({ hello: 'world' }));
  await app.register(unirecPlugin, { prefix: '/reco', service, keys: parseApiKeys([], 'read:reader-key-0123456789,write:writer-key-0123456789') });
  await app.ready();
  try {
    // The application's own route: no API key asked, its own 404s.
    assert.deepEqual(json(await app.inject({ url: '/hello' })), { hello: 'world' });
    const user = (await store.snapshot()).users.external(0);
    const denied = await app.inject({ url: `/reco/recommend/${user}?k=3` });
    assert.equal(denied.statusCode, 401, 'the plugin keeps its API-key check');
    const r = await app.inject({ url: `/reco/recommend/${user}?k=3`, headers: { authorization: 'Bearer reader-key-0123456789' } });
    assert.equal(r.statusCode, 200, r.body);
    const body = json<{ items: unknown[]; fallback: boolean; model: string }>(r);
    assert.equal(body.items.length, 3);
    assert.equal(body.model, 'itemknn@1');
    const bad = await app.inject({ url: `/reco/recommend/${user}?k=zero`, headers: { authorization: 'Bearer reader-key-0123456789' } });
    assert.equal(bad.statusCode, 400, 'validation inside the plugin');
    assert.equal(json<{ error: string }>(bad).error, 'Bad Request');
    assert.equal((await app.inject({ url: '/recommend/x' })).statusCode, 404, 'nothing mounted outside the prefix');
    const doc = await app.inject({ url: '/reco/openapi.json' });
    assert.equal(doc.statusCode, 200);
  } finally {
    await app.close();
    await service.close();
    await store.close();
  }
});
