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

test('every object in an answer of the OpenAPI document lists the fields it always has (so the generated types are exact)', async () => {
  const doc = (await openapiDocument()) as { paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema: unknown }> }> }>> };
  const loose: string[] = [];
  const walk = (schema: unknown, where: string): void => {
    if (schema === null || typeof schema !== 'object') return;
    const s = schema as { properties?: Record<string, unknown>; required?: string[]; items?: unknown; anyOf?: unknown[]; additionalProperties?: unknown };
    if (s.properties) {
      if (!s.required?.length) loose.push(where);
      for (const r of s.required ?? []) assert.ok(r in s.properties, `${where}: required "${r}" is not a property`);
      for (const [name, sub] of Object.entries(s.properties)) walk(sub, `${where}.${name}`);
    }
    walk(s.items, `${where}[]`);
    s.anyOf?.forEach((sub, i) => walk(sub, `${where}|${i}`));
    walk(s.additionalProperties, `${where}{}`);
  };
  let answers = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        const schema = response.content?.['application/json']?.schema;
        if (schema) {
          answers++;
          walk(schema, `${method.toUpperCase()} ${path} ${status}`);
        }
      }
    }
  }
  assert.ok(answers >= 20);
  assert.deepEqual(loose, [], 'objects without a required list');
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
    // The route schemas list the fields always sent as required, so the generated types need no `!` past data.
    assert.equal(rec.data!.items.length, 3);
    assert.equal(rec.data!.fallback, false);
    assert.ok(rec.data!.items.every((i) => i.reasons.length > 0), 'explained');
    const top = rec.data!.items[0]!.id;
    const posted = await api.POST('/events', { body: { events: [{ user, item: top }] } });
    assert.equal(posted.response.status, 200, JSON.stringify(posted.error));
    const again = await api.GET('/recommend/{user}', { params: { path: { user }, query: { k: 3 } } });
    assert.ok(!again.data!.items.some((i) => i.id === top), 'the item just consumed is gone');
    const missing = await api.GET('/similar/{item}', { params: { path: { item: 'no-such-item' } } });
    assert.equal(missing.response.status, 404);
    assert.match(missing.error!.message, /no-such-item/);
    const anonymous = await createClient({ baseUrl: address }).GET('/health');
    assert.equal(anonymous.response.status, 200);
  } finally {
    await app.close();
    await service.close();
    await store.close();
  }
});
