import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseApiKeys } from '../../src/serve/auth.js';
import { json, openApp, shopStore, tempDir, type TestApp } from './fixture.js';

const tmp = tempDir('unirec-api-');
let t: TestApp;

before(async () => {
  t = await openApp(await shopStore(join(tmp.dir, 'api.db'), { model: 'itemknn' }));
});
after(async () => {
  await t.close();
  tmp.cleanup();
});

const get = (url: string) => t.app.inject({ method: 'GET', url });
const send = (method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  t.app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });

test('GET /health says what is served', async () => {
  const res = await get('/health');
  assert.equal(res.statusCode, 200);
  const body = json(res);
  assert.equal(body.status, 'ok');
  assert.equal(body.model, 'itemknn@1');
  assert.equal(body.items, 60);
  assert.ok(body.events > 500);
});

test('GET /recommend/:user answers the contract: user, items with id/score/reasons, model, fallback', async () => {
  const res = await get('/recommend/user-0001?k=5');
  assert.equal(res.statusCode, 200);
  const body = json(res);
  assert.deepEqual(Object.keys(body).sort(), ['fallback', 'items', 'model', 'user']);
  assert.equal(body.user, 'user-0001');
  assert.equal(body.model, 'itemknn@1');
  assert.equal(body.fallback, false);
  assert.equal(body.items.length, 5);
  for (const item of body.items) {
    assert.equal(typeof item.id, 'string');
    assert.equal(typeof item.score, 'number');
    assert.ok(Array.isArray(item.reasons));
    assert.equal(typeof item.title, 'string');
  }
  const scores = body.items.map((i: { score: number }) => i.score);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'best first');
  // Never an item the user already has.
  const seen = new Set(json(await get('/users/user-0001/history?limit=1000')).items.map((e: { id: string }) => e.id));
  for (const item of body.items) assert.ok(!seen.has(item.id), `${item.id} was seen`);
  // Default k is 10; explain gives reasons naming the items behind the score.
  assert.equal(json(await get('/recommend/user-0001')).items.length, 10);
  const explained = json(await get('/recommend/user-0001?k=3&explain=true'));
  assert.match(explained.items[0].reasons[0], /similar to an item you interacted with .*: sku-\d+ \(/);
  assert.deepEqual(json(await get('/recommend/user-0001?k=3&explain')).items, explained.items, '?explain alone means true');
});

test('GET /recommend with filter keeps only matching items', async () => {
  const body = json(await get('/recommend/user-0002?k=5&filter=category:tents'));
  assert.ok(body.items.length > 0);
  for (const item of body.items) assert.equal(json(await get(`/items/${item.id}`)).attributes.category, 'tents');
  const tagged = json(await get('/recommend/user-0002?k=3&filter=tags:wool,category:tents'));
  for (const item of tagged.items) {
    const attributes = json(await get(`/items/${item.id}`)).attributes;
    assert.ok(attributes.tags.includes('wool') && attributes.category === 'tents');
  }
  assert.deepEqual(json(await get('/recommend/user-0002?filter=category:nothing-like-this')).items, []);
});

test('an unknown user gets the popularity fallback, flagged, with reasons saying so', async () => {
  const body = json(await get('/recommend/somebody-new?k=4'));
  assert.equal(body.fallback, true);
  assert.equal(body.model, 'popularity@live');
  assert.equal(body.items.length, 4);
  assert.match(body.items[0].reasons.join(' '), /new user .* most popular/);
});

test('GET /similar/:item: neighbours from the model; an unknown item is a 404', async () => {
  const body = json(await get('/similar/sku-0001?k=3'));
  assert.equal(body.item, 'sku-0001');
  assert.equal(body.fallback, false);
  assert.equal(body.items.length, 3);
  assert.ok(!body.items.some((i: { id: string }) => i.id === 'sku-0001'));
  const missing = await get('/similar/no-such-item');
  assert.equal(missing.statusCode, 404);
  assert.match(json(missing).message, /unknown item "no-such-item"/);
});

test('GET /users/:id/history: events newest first, limit, 404 for an unknown user', async () => {
  const all = json(await get('/users/user-0003/history?limit=1000'));
  assert.equal(all.user, 'user-0003');
  assert.ok(all.items.length > 0);
  const first = all.items[0];
  assert.equal(typeof first.id, 'string');
  assert.equal(typeof first.seq, 'number');
  assert.equal(first.kind, 'interaction');
  const seqs = all.items.map((e: { seq: number }) => e.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a));
  assert.equal(json(await get('/users/user-0003/history?limit=1')).items.length, 1);
  assert.equal((await get('/users/nobody/history')).statusCode, 404);
});

test('POST /events takes {events}, a bare array or one event; keys make retries harmless', async () => {
  let res = await send('POST', '/events', { events: [{ user: 'api-u1', item: 'sku-0001', value: 2, ts: 1700000000, kind: 'rating', key: 'api-1' }] });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual({ ...json<Record<string, number>>(res), lastSeq: 0 }, { accepted: 1, stored: 1, duplicates: 0, lastSeq: 0 });
  res = await send('POST', '/events', [{ user: 'api-u1', item: 'sku-0002', ts: '2024-01-02T03:04:05Z' }, { user: 'api-u1', item: 'sku-0001', key: 'api-1' }]);
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(json(res).stored, 1);
  assert.equal(json(res).duplicates, 1);
  res = await send('POST', '/events', { user: 'api-u1', item: 'sku-0003', kind: 'purchase' });
  assert.equal(res.statusCode, 200, res.body);
  const history = json(await get('/users/api-u1/history')).items;
  assert.deepEqual(history.map((e: { id: string }) => e.id), ['sku-0003', 'sku-0002', 'sku-0001']);
  assert.equal(history[1].ts, Date.parse('2024-01-02T03:04:05Z') / 1000);
  assert.equal(history[2].value, 2);
  assert.equal(history[2].key, 'api-1');
  assert.equal(history[0].kind, 'purchase');
});

test('PUT, GET, DELETE /items/:id; a deleted item is never recommended', async () => {
  let res = await send('PUT', '/items/new-item', { title: 'Brand new', category: 'tents', tags: ['a', 'b'], price: 12.5, stock: null, featured: true });
  assert.equal(res.statusCode, 200, res.body);
  // stored either way; itemknn places only the items it was trained on, and the answer says so
  const reason = /^itemknn@1 places only the items it was trained on \(it has no attribute encoder for new ones\): it can be recommended once a model trained after it is served$/;
  assert.deepEqual({ ...json<Record<string, unknown>>(res), reason: undefined }, { id: 'new-item', created: true, placed: false, reason: undefined });
  assert.match(json(res).reason, reason);
  res = await send('PUT', '/items/new-item', { title: 'Renamed' });
  assert.deepEqual([json(res).created, json(res).placed], [false, false]);
  assert.match(json(res).reason, reason);
  // an item the model was trained on is placed
  const trained = json(await get('/items/sku-0001')).attributes;
  assert.deepEqual(json(await send('PUT', '/items/sku-0001', trained)), { id: 'sku-0001', created: false, placed: true });
  assert.deepEqual(json(await get('/items/new-item')), { id: 'new-item', attributes: { title: 'Renamed' } });

  const top = json(await get('/recommend/user-0004?k=1')).items[0].id;
  res = await send('DELETE', `/items/${top}`);
  assert.equal(res.statusCode, 200);
  assert.deepEqual(json(res), { id: top, deleted: true });
  assert.equal((await get(`/items/${top}`)).statusCode, 404);
  assert.equal((await send('DELETE', `/items/${top}`)).statusCode, 404, 'already deleted');
  for (const user of ['user-0004', 'user-0005', 'nobody-at-all']) {
    const ids = json(await get(`/recommend/${user}?k=60`)).items.map((i: { id: string }) => i.id);
    assert.ok(!ids.includes(top), `${user} got deleted item ${top}`);
  }
  assert.equal((await get(`/similar/${top}`)).statusCode, 404);
  assert.ok(!json(await get('/similar/sku-0002?k=60')).items.some((i: { id: string }) => i.id === top));
  // Putting it back makes it recommendable again.
  await send('PUT', `/items/${top}`, { title: 'back' });
  assert.equal((await get(`/items/${top}`)).statusCode, 200);
});

test('PUT, GET, DELETE /users/:id; a deleted user is forgotten', async () => {
  assert.deepEqual(json(await send('PUT', '/users/user-0006', { age: 33, gender: 'F' })), { id: 'user-0006', created: false });
  assert.deepEqual(json(await get('/users/user-0006')).attributes, { age: 33, gender: 'F' });
  assert.deepEqual(json(await send('PUT', '/users/fresh', { age: 20 })), { id: 'fresh', created: true });
  const res = await send('DELETE', '/users/user-0006');
  assert.equal(res.statusCode, 200);
  assert.equal((await get('/users/user-0006')).statusCode, 404);
  assert.equal((await get('/users/user-0006/history')).statusCode, 404);
  assert.equal(json(await get('/recommend/user-0006')).fallback, true, 'no history left: cold start');
  assert.equal((await send('DELETE', '/users/user-0006')).statusCode, 404);
});

test('POST /models/:name/train (wait) registers, activates and serves a new version; GET /models lists it', async () => {
  const res = await send('POST', '/models/popularity/train', { wait: true });
  assert.equal(res.statusCode, 200, res.body);
  const job = json(res);
  assert.equal(job.status, 'done');
  assert.equal(job.model, 'popularity');
  assert.equal(job.version, 1);
  assert.equal(job.activated, true);
  assert.equal(json(await get('/recommend/user-0007')).model, 'popularity@1');
  const models = json(await get('/models'));
  assert.equal(models.active, 'popularity@1');
  assert.deepEqual(models.models.map((m: { name: string; version: number; active: boolean }) => `${m.name}@${m.version}:${m.active}`), ['itemknn@1:false', 'popularity@1:true']);
  assert.match(models.models[0].checksum, /^[0-9a-f]{64}$/);
  assert.ok(models.available.includes('itemknn'));
  assert.deepEqual(json(await get(`/models/jobs/${job.id}`)).status, 'done');
  assert.equal((await get('/models/jobs/999')).statusCode, 404);

  // Without wait: 202 and the job; a second job while one runs is a 409.
  const started = await send('POST', '/models/itemknn/train', { params: { k: 20 }, activate: false });
  assert.equal(started.statusCode, 202, started.body);
  assert.equal(json(started).status, 'running');
  const busy = await send('POST', '/models/itemknn/train');
  assert.equal(busy.statusCode, 409);
  for (let i = 0; i < 200 && json(await get(`/models/jobs/${json(started).id}`)).status === 'running'; i++) await new Promise((r) => setTimeout(r, 25));
  const finished = json(await get(`/models/jobs/${json(started).id}`));
  assert.equal(finished.status, 'done');
  assert.equal(finished.version, 2);
  assert.equal(json(await get('/health')).model, 'popularity@1', 'activate: false leaves the served model alone');
});

test('POST /models/:name/activate: by body, by query, latest by default; unknown ones are 404', async () => {
  let res = await send('POST', '/models/itemknn/activate', { version: 1 });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(json(res).version, 1);
  assert.equal(json(res).active, true);
  assert.equal(json(await get('/health')).model, 'itemknn@1');
  res = await send('POST', '/models/itemknn/activate?version=2');
  assert.equal(json(res).version, 2);
  assert.equal(json(await get('/recommend/user-0001')).model, 'itemknn@2');
  res = await send('POST', '/models/itemknn/activate', { version: 1 });
  res = await send('POST', '/models/itemknn/activate');
  assert.equal(json(res).version, 2, 'latest');
  assert.equal((await send('POST', '/models/itemknn/activate', { version: 99 })).statusCode, 404);
  assert.equal((await send('POST', '/models/ease/activate')).statusCode, 404, 'never trained');
  assert.equal((await send('POST', '/models/nope/activate')).statusCode, 404);
  assert.equal((await send('POST', '/models/nope/train')).statusCode, 404);
  const badParams = await send('POST', '/models/itemknn/train', { params: { k: 'many' } });
  assert.equal(badParams.statusCode, 400);
  assert.match(json(badParams).message, /param "k"/);
  assert.equal((await t.store.counts()).models, 3);
});

test('GET /metrics is Prometheus text; GET /openapi.json documents every route', async () => {
  const metrics = await get('/metrics');
  assert.equal(metrics.statusCode, 200);
  assert.match(metrics.headers['content-type'] as string, /^text\/plain/);
  assert.match(metrics.body, /unirec_http_requests_total\{method="GET",route="\/recommend\/:user",status="200"\} \d+/);
  assert.match(metrics.body, /unirec_http_request_duration_seconds_bucket/);
  assert.match(metrics.body, /unirec_events_total\{result="stored"\} \d+/);
  assert.match(metrics.body, /unirec_model_version\{model="itemknn"\} 2/);
  const doc = json(await get('/openapi.json'));
  assert.equal(doc.openapi, '3.1.0');
  const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${path}`));
  for (const route of [
    'POST /events',
    'PUT /items/{id}',
    'DELETE /items/{id}',
    'PUT /users/{id}',
    'DELETE /users/{id}',
    'GET /recommend/{user}',
    'GET /similar/{item}',
    'GET /users/{id}/history',
    'POST /models/{name}/train',
    'POST /models/{name}/activate',
    'GET /health',
    'GET /metrics',
  ]) {
    assert.ok(routes.includes(route), `${route} in ${routes.join(', ')}`);
  }
  assert.ok(doc.paths['/events'].post.requestBody, 'request bodies are described');
});

test('API keys: read and write scopes, Bearer or X-API-Key; /health stays open', async () => {
  const keys = parseApiKeys(['admin-key-0123456789'], 'read:reader-key-0123456789,write:writer-key-0123456789');
  const store = await shopStore(':memory:');
  const secured = await openApp(store, { keys });
  try {
    const call = (method: 'GET' | 'POST', url: string, headers: Record<string, string> = {}, payload?: object) =>
      secured.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
    const event = { user: 'k-user', item: 'sku-0001' };
    assert.equal((await call('GET', '/health')).statusCode, 200);
    const anonymous = await call('GET', '/recommend/user-0001');
    assert.equal(anonymous.statusCode, 401);
    assert.match(json(anonymous).message, /API key is required/);
    assert.equal((await call('GET', '/recommend/user-0001', { 'x-api-key': 'wrong' })).statusCode, 401);
    assert.equal((await call('GET', '/recommend/user-0001', { 'x-api-key': 'reader-key-0123456789' })).statusCode, 200);
    assert.equal((await call('GET', '/metrics', { authorization: 'Bearer reader-key-0123456789' })).statusCode, 200);
    const readOnly = await call('POST', '/events', { authorization: 'Bearer reader-key-0123456789' }, event);
    assert.equal(readOnly.statusCode, 403);
    assert.match(json(readOnly).message, /needs a write key/);
    assert.equal((await call('POST', '/events', { authorization: 'Bearer writer-key-0123456789' }, event)).statusCode, 200);
    assert.equal((await call('POST', '/events', { 'x-api-key': 'admin-key-0123456789' }, event)).statusCode, 200);
    assert.equal((await call('GET', '/users/k-user/history', { 'x-api-key': 'writer-key-0123456789' })).statusCode, 200, 'write implies read');
    assert.throws(() => parseApiKeys([], 'admin:x'), /UNIREC_API_KEYS/);
  } finally {
    await secured.close();
  }
});

test('no trained model: popularity from the store events, flagged as a fallback', async () => {
  const bare = await openApp(await shopStore(':memory:'));
  try {
    const body = json(await bare.app.inject({ method: 'GET', url: '/recommend/user-0001?k=3' }));
    assert.equal(body.fallback, true);
    assert.equal(body.model, 'popularity@live');
    assert.equal(body.items.length, 3);
    assert.match(body.items[0].reasons[0], /no model is trained yet/);
    const sims = json(await bare.app.inject({ method: 'GET', url: '/similar/sku-0001?k=3' }));
    assert.equal(sims.fallback, true);
    // The counts are live: posting events moves an item up.
    const last = json(await bare.app.inject({ method: 'GET', url: '/recommend/nobody?k=60' })).items.at(-1).id;
    const burst = Array.from({ length: 50 }, (_, i) => ({ user: `fan-${i}`, item: last }));
    await bare.app.inject({ method: 'POST', url: '/events', payload: burst });
    assert.equal(json(await bare.app.inject({ method: 'GET', url: '/recommend/nobody?k=1' })).items[0].id, last);
  } finally {
    await bare.close();
  }
});

test('a damaged artifact is refused: activation is a 409, and a server starting on it serves the fallback', async () => {
  const store = await shopStore(':memory:', { model: 'itemknn' });
  assert.equal(store.db.prepare(`UPDATE artifact_chunks SET bytes = zeroblob(64) WHERE name = 'itemknn' AND chunk = 0`).run().changes, 1);
  const warnings: string[] = [];
  const { RecommenderService } = await import('../../src/serve/service.js');
  const service = await RecommenderService.open(store, { warn: (m) => warnings.push(m) });
  assert.equal(service.live, undefined);
  assert.match(warnings.join('\n'), /active model could not be loaded .*damaged/);
  assert.equal(service.recommend('user-0001', { k: 3 }).fallback, true);
  await assert.rejects(service.activate('itemknn', 1), (err: Error & { statusCode?: number }) => err.statusCode === 409 && /damaged/.test(err.message));
  await service.close();
  await store.close();
});

test('a training job that fails is a 422 when waited for, and a warning in the server log', async () => {
  const { SqliteStore } = await import('../../src/store/sqlite.js');
  const { RecommenderService } = await import('../../src/serve/service.js');
  const { buildApp } = await import('../../src/serve/app.js');
  const store = new SqliteStore(':memory:');
  const warnings: string[] = [];
  const service = await RecommenderService.open(store, { warn: (m) => warnings.push(m) });
  const app = await buildApp({ service });
  try {
    const res = await app.inject({ method: 'POST', url: '/models/itemknn/train', payload: { wait: true } });
    assert.equal(res.statusCode, 422);
    assert.match(json(res).message, /training itemknn failed: .*no events to train on/);
    assert.match(warnings.join('\n'), /training job 1 \(itemknn\) failed/);
    assert.equal(json(await app.inject({ method: 'GET', url: '/health' })).model, null);
  } finally {
    await app.close();
    await service.close();
    await store.close();
  }
});
