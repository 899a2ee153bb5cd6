import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { clientSchemaSource, openapiDocument } from '../../scripts/openapi-client.js';
import { createClient } from '../../src/client/index.js';
import { buildApp } from '../../src/serve/app.js';
import { parseApiKeys } from '../../src/serve/auth.js';
import { RecommenderService } from '../../src/serve/service.js';
import { shopStore } from '../serve/fixture.js';

test('every operation of the OpenAPI document has a unique operationId', async () => {
  const doc = (await openapiDocument()) as { paths: Record<string, Record<string, { operationId?: string }>> };
  const ids = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => [`${method} ${path}`, op.operationId] as const));
  assert.ok(ids.length >= 20);
  for (const [where, id] of ids) assert.match(id ?? '', /^[a-z][A-Za-z]+$/, `${where} has operationId ${id}`);
  assert.equal(new Set(ids.map(([, id]) => id)).size, ids.length, 'operationIds are unique');
});

test('src/client/schema.ts is what the OpenAPI document generates (run npm run gen:client when this fails)', async () => {
  assert.equal(readFileSync('src/client/schema.ts', 'utf8'), await clientSchemaSource());
});

test('the typed client talks to a running server: events in, recommendations out, errors typed', async () => {
  const store = await shopStore(':memory:', { model: 'itemknn' });
  const service = await RecommenderService.open(store, { warn: () => {} });
  const app = await buildApp({ service, keys: parseApiKeys([], 'read:reader-key-0123456789,write:writer-key-0123456789') });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const api = createClient({ baseUrl: address, apiKey: 'writer-key-0123456789' });
    const user = (await store.snapshot()).users.external(0);
    const rec = await api.GET('/recommend/{user}', { params: { path: { user }, query: { k: 3, explain: true } } });
    assert.equal(rec.response.status, 200);
    // The route schemas do not mark fields required, so the generated types have them optional.
    assert.equal(rec.data!.items!.length, 3);
    assert.equal(rec.data!.fallback, false);
    const top = rec.data!.items![0]!.id!;
    const posted = await api.POST('/events', { body: { events: [{ user, item: top }] } });
    assert.equal(posted.response.status, 200, JSON.stringify(posted.error));
    const again = await api.GET('/recommend/{user}', { params: { path: { user }, query: { k: 3 } } });
    assert.ok(!again.data!.items!.some((i) => i.id === top), 'the item just consumed is gone');
    const missing = await api.GET('/similar/{item}', { params: { path: { item: 'no-such-item' } } });
    assert.equal(missing.response.status, 404);
    assert.match(missing.error!.message ?? '', /no-such-item/);
    const anonymous = await createClient({ baseUrl: address }).GET('/health');
    assert.equal(anonymous.response.status, 200);
  } finally {
    await app.close();
    await service.close();
    await store.close();
  }
});
