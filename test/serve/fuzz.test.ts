import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { Rng } from '../../src/math/rng.js';
import { json, openApp, shopStore, tempDir, type TestApp } from './fixture.js';

// Every endpoint against malformed JSON, wrong types, huge bodies, unknown ids and injection strings:
// always a 4xx with a reason (never a 500), the server keeps answering, and a rejected batch of events
// leaves the store exactly as it was.

const tmp = tempDir('unirec-fuzz-');
let t: TestApp;

before(async () => {
  t = await openApp(await shopStore(join(tmp.dir, 'fuzz.db'), { model: 'itemknn' }), { bodyLimit: 256 * 1024 });
});
after(async () => {
  await t.close();
  tmp.cleanup();
});

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

const BODY_ROUTES: [Method, string][] = [
  ['POST', '/events'],
  ['PUT', '/items/sku-0001'],
  ['PUT', '/users/user-0001'],
  ['POST', '/models/popularity/train'],
  ['POST', '/models/itemknn/activate'],
];

async function storeState() {
  const counts = await t.store.counts();
  return { ...counts, live: t.service.catalog.events };
}

async function call(options: InjectOptions): Promise<LightMyRequestResponse> {
  return t.app.inject(options);
}

/** A 4xx with a JSON reason. */
function assertRejected(res: LightMyRequestResponse, context: string, status?: number): void {
  assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${context}: expected a 4xx, got ${res.statusCode} ${res.body.slice(0, 300)}`);
  if (status !== undefined) assert.equal(res.statusCode, status, `${context}: ${res.body.slice(0, 300)}`);
  const body = json(res);
  assert.equal(typeof body.message, 'string', context);
  assert.ok(body.message.length > 0, context);
}

/** Sends one request; a rejected POST /events must leave the store as it was. */
async function rejects(options: InjectOptions, context: string, status?: number): Promise<void> {
  const before = await storeState();
  const res = await call(options);
  assertRejected(res, context, status);
  assert.deepEqual(await storeState(), before, `${context}: a rejected request changed the store`);
}

const rawJson = (method: Method, url: string, payload: string): InjectOptions => ({ method, url, payload, headers: { 'content-type': 'application/json' } });

test('malformed JSON is a 400 on every route that takes a body', async () => {
  const bodies = [
    '{',
    '{"events":',
    '[1, 2',
    'nul',
    "{'user': 'a'}",
    '{"user":"a","item":"b",}',
    '\u0000',
    'NaN',
    '{"user":"u","item":"i"} trailing',
    '[{"user":"u","item":"i"}]]',
    '\ufeff{"user":"u","item":"i"',
    '{"__proto__": {"polluted": true}, "user": "u", "item": "i"}',
    '{"constructor": {"prototype": {"polluted": true}}, "user": "u", "item": "i"}',
    '"\\ud800 unpaired"x',
  ];
  for (const [method, url] of BODY_ROUTES) {
    for (const body of bodies) await rejects(rawJson(method, url, body), `${method} ${url} ${JSON.stringify(body)}`, 400);
    await rejects(rawJson(method, url, ''), `${method} ${url} empty JSON body`, 400);
    await rejects({ method, url, payload: '{"user":"u","item":"i"}', headers: { 'content-type': 'text/plain' } }, `${method} ${url} text/plain`, 415);
    await rejects({ method, url, payload: 'user=u&item=i', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, `${method} ${url} form`, 415);
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype pollution');
});

test('wrong types and shapes in POST /events are a 400 naming the field, and nothing is stored', async () => {
  const ok = { user: 'u-ok', item: 'sku-0001' };
  const cases: [unknown, RegExp][] = [
    [[{ user: 1, item: 'a' }], /events\/0\/user must be string/],
    [[{ user: 'a' }], /must have required property 'item'/],
    [[ok, { user: 'a', item: 'b', value: '5' }], /events\/1\/value must be number/],
    [[{ ...ok, value: null }], /value must be number/],
    [[{ ...ok, value: true }], /value must be number/],
    [[{ ...ok, value: 1e300 }], /value must be <= 1000000000/],
    [[{ ...ok, ts: {} }], /ts must be number,string/],
    [[ok, ok, ok, { ...ok, ts: 'not a date' }], /events\/3\/ts must be Unix seconds \(a number\) or an ISO 8601 date/],
    // Issue 20 #8: Date.parse reads "1" as the year 2001; a number in a string is refused, not guessed at.
    [[{ ...ok, ts: '1' }], /events\/0\/ts must be Unix seconds .*send Unix seconds as a JSON number/],
    [[{ ...ok, ts: '1700000000' }], /as a JSON number/],
    [[{ ...ok, ts: 'May 1, 2024' }], /ISO 8601/],
    // Issue 20 #4: timestamps are bounded to 1970..3000.
    [[{ ...ok, ts: 1e15 }], /events\/0\/ts must be between 0 \(1970-01-01\) and 32503680000 \(3000-01-01\)/],
    [[{ ...ok, ts: 1.7e12 }], /looks like milliseconds/],
    [[{ ...ok, ts: -1 }], /must be between/],
    [[{ ...ok, ts: '+275760-09-13T00:00:00Z' }], /ISO 8601/],
    [[{ ...ok, ts: '3001-01-01T00:00:00Z' }], /must be between/],
    [[{ ...ok, kind: 5 }], /kind must be string/],
    [[{ ...ok, kind: '' }], /kind must NOT have fewer than 1 characters/],
    [[{ ...ok, kind: 'drop table' }], /kind must match pattern/],
    [[{ ...ok, key: '' }], /key must NOT have fewer than 1/],
    [[{ ...ok, key: ['k'] }], /key must be string/],
    [[{ ...ok, extra: 1 }], /must NOT have additional properties/],
    [[{ ...ok, user: '' }], /user must NOT have fewer than 1 characters/],
    [[{ ...ok, user: 'x'.repeat(257) }], /user must NOT have more than 256 characters/],
    [[{ ...ok, item: 'tab\there' }], /item must match pattern/],
    // Issue 20 #3 and #8: lone surrogates (one user in memory, merged after a restart) and blank ids.
    [[{ ...ok, user: 'sur\ud800' }], /events\/0\/user must match pattern/],
    [[{ ...ok, user: '\udc00' }], /user must match pattern/],
    [[{ ...ok, item: 'x\udbffy' }], /item must match pattern/],
    [[{ ...ok, key: 'k\ud800' }], /key must match pattern/],
    [[{ ...ok, user: '   ' }], /user must match pattern/],
    [[{ ...ok, user: '\u00a0\u2003' }], /user must match pattern/],
    [[{ ...ok, user: 'c1\u0085' }], /user must match pattern/],
    [{ events: {} }, /events must be array/],
    [{ events: [] }, /events must NOT have fewer than 1 items/],
    [{ events: 'x' }, /events must be array/],
    [{ events: [ok], extra: 1 }, /must NOT have additional properties/],
    [[], /events must NOT have fewer than 1 items/],
    [[[ok]], /events\/0 must be object/],
    [12, /body must be object/],
    ['a string', /body must be object/],
    [true, /body must be object/],
    [null, /body must be object/],
    [{}, /must have required property 'events'/],
  ];
  for (const [payload, reason] of cases) {
    const before = await storeState();
    const res = await call(rawJson('POST', '/events', JSON.stringify(payload)));
    assertRejected(res, JSON.stringify(payload).slice(0, 80), 400);
    assert.match(json(res).message, reason, JSON.stringify(payload).slice(0, 80));
    assert.deepEqual(await storeState(), before, `${JSON.stringify(payload).slice(0, 80)} changed the store`);
  }
});

test('wrong types for items, users, training and activation are a 400', async () => {
  const attributeCases: unknown[] = [
    [],
    'str',
    5,
    null,
    { nested: { a: 1 } },
    { list: [{ a: 1 }] },
    { list: [[1]] },
    { '': 1 },
    { long: 'x'.repeat(10_001) },
    Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`a${i}`, i])),
  ];
  for (const url of ['/items/sku-0001', '/users/user-0001', '/items/brand-new', '/users/brand-new']) {
    for (const payload of attributeCases) await rejects(rawJson('PUT', url, JSON.stringify(payload)), `PUT ${url} ${JSON.stringify(payload).slice(0, 60)}`, 400);
  }
  assert.equal((await call({ method: 'GET', url: '/items/brand-new' })).statusCode, 404, 'a rejected PUT creates nothing');
  for (const payload of [{ params: 'x' }, { activate: 'yes' }, { wait: 1 }, { extra: 1 }, [], 5, { params: { k: -1 } }, { params: { bogus: 1 } }]) {
    await rejects(rawJson('POST', '/models/itemknn/train', JSON.stringify(payload)), `train ${JSON.stringify(payload)}`, 400);
  }
  for (const payload of [{ version: 'one' }, { version: 0 }, { version: 1.5 }, { v: 1 }, [], 'x']) {
    await rejects(rawJson('POST', '/models/itemknn/activate', JSON.stringify(payload)), `activate ${JSON.stringify(payload)}`, 400);
  }
  assert.equal((await t.service.jobs.list()).length, 0, 'no rejected request started a job');
});

test('bad query strings and paths are a 4xx', async () => {
  const urls = [
    '/recommend/user-0001?k=0',
    '/recommend/user-0001?k=-1',
    '/recommend/user-0001?k=1001',
    '/recommend/user-0001?k=abc',
    '/recommend/user-0001?k=1.5',
    '/recommend/user-0001?k=',
    '/recommend/user-0001?k=1&k=2',
    '/recommend/user-0001?k=99999999999999999999',
    // Issue 20 #8: numbers in query strings are plain decimals (Ajv alone reads 0x10 as 16).
    '/recommend/user-0001?k=0x10',
    '/recommend/user-0001?k=1e1',
    '/recommend/user-0001?k=0b11',
    '/recommend/user-0001?k=%205',
    '/recommend/user-0001?k=Infinity',
    '/similar/sku-0001?k=0x10',
    '/users/user-0001/history?limit=0x10',
    // Issue 20 #1: k is capped, and lower with explain.
    '/recommend/user-0001?k=201',
    '/recommend/user-0001?k=21&explain=true',
    '/similar/sku-0001?k=201',
    '/recommend/user-0001?filter=nocolon',
    '/recommend/user-0001?filter=a:b,,c:d',
    `/recommend/user-0001?filter=a:${'x'.repeat(2000)}`,
    '/recommend/user-0001?explain=maybe',
    '/similar/sku-0001?k=0',
    '/similar/sku-0001?k=x',
    '/users/user-0001/history?limit=0',
    '/users/user-0001/history?limit=10001',
    '/users/user-0001/history?limit=x',
    '/recommend/%01control',
    '/recommend/%E0%A4%A',
    `/recommend/${'x'.repeat(257)}`,
    `/recommend/${'x'.repeat(400)}`,
    '/models/jobs/abc',
    '/models/jobs/0',
    '/nope',
    '/recommend/',
  ];
  for (const url of urls) await rejects({ method: 'GET', url }, `GET ${url.slice(0, 80)}`);
  await rejects({ method: 'POST', url: '/models/itemknn/activate?version=x' }, 'activate ?version=x', 400);
  await rejects({ method: 'POST', url: '/models/bad%20name!/train' }, 'bad model name', 400);
  await rejects({ method: 'PATCH', url: '/events', payload: { user: 'u', item: 'i' } }, 'PATCH /events', 404);
  await rejects({ method: 'PUT', url: '/items/%00', payload: {} }, 'PUT /items/NUL', 400);
});

test('unknown ids are a 404 with the id in the reason', async () => {
  const cases: [Method, string][] = [
    ['DELETE', '/items/no-such-item'],
    ['DELETE', '/users/no-such-user'],
    ['GET', '/items/no-such-item'],
    ['GET', '/users/no-such-user'],
    ['GET', '/similar/no-such-item'],
    ['GET', '/users/no-such-user/history'],
    ['POST', '/models/no-such-model/train'],
    ['POST', '/models/no-such-model/activate'],
    ['POST', '/models/ease/activate'],
    ['GET', '/models/jobs/12345'],
  ];
  for (const [method, url] of cases) {
    const res = await call({ method, url });
    assertRejected(res, `${method} ${url}`, 404);
    assert.match(json(res).message, /no-such|ease|12345/);
  }
  await rejects(rawJson('POST', '/models/itemknn/activate', '{"version": 999}'), 'activate a version that does not exist', 404);
});

test('huge bodies are a 413, oversized batches a 400, deep nesting a 400; none is stored', async () => {
  const big = JSON.stringify({ events: [{ user: 'u', item: 'i', key: 'x'.repeat(300 * 1024) }] });
  for (const [method, url] of BODY_ROUTES) await rejects(rawJson(method, url, big), `${method} ${url} 300 KiB`, 413);
  const many = JSON.stringify(Array.from({ length: 10_001 }, (_, i) => ({ user: 'u', item: `${i}` })));
  const res = await call({ ...rawJson('POST', '/events', many) });
  // 10,001 small events fit in neither the batch limit nor (here) the body limit: either way, a 4xx.
  assertRejected(res, 'batch of 10,001');
  const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
  await rejects(rawJson('POST', '/events', deep), 'deeply nested arrays', 400);
  await rejects(rawJson('PUT', '/items/deep', `{"a":${deep}}`), 'deeply nested attribute', 400);
});

test('SQL and HTML injection strings are stored and echoed as plain data, never executed', async () => {
  const nasty = [
    "'; DROP TABLE events; --",
    '" OR 1=1 --',
    "Robert'); DELETE FROM items WHERE ('1'='1",
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '../../etc/passwd',
    '${process.exit(1)}',
    '%00%27',
    '{{7*7}}',
    'ünïcödé 🎬',
  ];
  const before = await t.store.counts();
  for (const [i, s] of nasty.entries()) {
    let res = await call({ method: 'POST', url: '/events', payload: [{ user: s, item: s, key: `inj-${i}-${s}` }] });
    assert.equal(res.statusCode, 200, `${s}: ${res.body}`);
    res = await call({ method: 'GET', url: `/users/${encodeURIComponent(s)}/history` });
    assert.equal(res.statusCode, 200, s);
    assert.equal(json(res).items[0].id, s);
    assert.equal(json(res).items[0].key, `inj-${i}-${s}`);
    res = await call({ method: 'GET', url: `/recommend/${encodeURIComponent(s)}?k=3&filter=${encodeURIComponent(`title:${s}`)}` });
    assert.equal(res.statusCode, 200, s);
    assert.match(res.headers['content-type'] as string, /^application\/json/);
    assert.equal(json(res).user, s);
    res = await call({ method: 'PUT', url: `/items/${encodeURIComponent(s)}`, payload: { title: s, tags: [s] } });
    assert.equal(res.statusCode, 200, s);
    assert.deepEqual(json(await call({ method: 'GET', url: `/items/${encodeURIComponent(s)}` })).attributes, { title: s, tags: [s] });
    res = await call({ method: 'GET', url: `/similar/${encodeURIComponent(s)}` });
    assert.ok(res.statusCode === 200, s);
  }
  const counts = await t.store.counts();
  assert.equal(counts.events, before.events + nasty.length, 'every table is still there and counts up');
  assert.equal(counts.users, before.users + nasty.length);
});

/** A random JSON value, small and often nearly right. */
function randomValue(rng: Rng, depth = 0): unknown {
  const pick = rng.int(depth > 2 ? 7 : 10);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return rng.next() < 0.5;
    case 2:
      return [0, -1, 1.5, 1e308, -1e308, 2 ** 53, 1e-320, 1e15, -1e15, 32503680000, 1.7e12][rng.int(11)];
    case 3:
      return [
        '', 'x', 'sku-0001', 'user-0001', "'; DROP TABLE users; --", '<b>', '\u0001', 'x'.repeat(300), '2024-01-01T00:00:00Z', 'now',
        'sur\ud800', '\udfff', '   ', '\u3000', '1', '0x10', '9999-12-31T23:59:59Z', '-000001-01-01T00:00:00Z', '2024-02-30',
      ][rng.int(19)];
    case 4:
      return rng.int(1000);
    case 5:
      return 'user-0001';
    case 6:
      return 'sku-0002';
    case 7:
      return Array.from({ length: rng.int(3) }, () => randomValue(rng, depth + 1));
    default: {
      const keys = ['user', 'item', 'value', 'ts', 'kind', 'key', 'events', 'extra', 'params', 'version'];
      return Object.fromEntries(Array.from({ length: rng.int(4) }, () => [keys[rng.int(keys.length)]!, randomValue(rng, depth + 1)]));
    }
  }
}

test('seeded random bodies on every route: never a 5xx, rejected batches store nothing, accepted ones store what they say', async () => {
  const rng = new Rng(20240601);
  const base = { user: 'fz-user', item: 'sku-0003', value: 1, ts: 1700000000, kind: 'click', key: 'k' };
  let stored = 0;
  const start = await t.store.counts();
  for (let n = 0; n < 400; n++) {
    // Half the time a valid event with one field replaced or dropped, else any value at all.
    let payload: unknown;
    if (rng.next() < 0.5) {
      const fields = Object.keys(base);
      const field = fields[rng.int(fields.length)]!;
      const event: Record<string, unknown> = { ...base, key: `fz-${n}` };
      if (rng.next() < 0.2) delete event[field];
      else event[field] = randomValue(rng);
      payload = rng.next() < 0.5 ? [event] : { events: [event, { ...base, key: `fz-${n}-b` }] };
    } else {
      payload = randomValue(rng);
    }
    const [method, url] = BODY_ROUTES[n % 3]!; // events, items and users (training is covered above)
    const before = await storeState();
    const res = await call({ method, url, payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });
    const context = `${method} ${url} ${JSON.stringify(payload)?.slice(0, 200)}`;
    assert.ok(res.statusCode < 500, `${context}: ${res.statusCode} ${res.body}`);
    if (res.statusCode >= 400) {
      assertRejected(res, context);
      assert.deepEqual(await storeState(), before, `${context}: rejected but the store changed`);
    } else if (url === '/events') {
      const body = json(res);
      stored += body.stored;
      assert.equal((await storeState()).events, before.events + body.stored, context);
    }
  }
  assert.equal((await t.store.counts()).events, start.events + stored);
  assert.ok(stored > 0, 'some random events were valid');
  const health = await call({ method: 'GET', url: '/health' });
  assert.equal(health.statusCode, 200, 'the server still answers');
});

test('seeded random query strings on every read route, then the dashboard: never a 5xx', async () => {
  const rng = new Rng(20261204);
  const values = ['', '0', '1', '5', '-1', '0x10', '1e2', '1.5', '201', '1000', '99999999999999999999', 'abc', '%00', '%20', 'true', 'yes', 'off', 'a:b', 'category:tents,a:'];
  const routes = ['/recommend/user-0001', '/recommend/fz-user', '/recommend/brand-new-user', '/similar/sku-0001', '/users/user-0001/history', '/dashboard/api/users', '/dashboard/api/items', '/dashboard/api/users/user-0001', '/dashboard/api/items/sku-0001'];
  const params = ['k', 'explain', 'filter', 'limit', 'q', 'api_key'];
  for (let n = 0; n < 300; n++) {
    const query = Array.from({ length: 1 + rng.int(3) }, () => `${params[rng.int(params.length)]}=${values[rng.int(values.length)]}`).join('&');
    const url = `${routes[rng.int(routes.length)]}?${query}`;
    const res = await call({ method: 'GET', url });
    assert.ok(res.statusCode < 500, `GET ${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
    if (res.statusCode >= 400) assertRejected(res, `GET ${url}`);
  }
  // Issue 20 #4: whatever times the store holds (here written past the HTTP checks), the overview answers.
  await t.store.appendEvents([
    { user: 'odd-ts', item: 'sku-0001', ts: 1e15 },
    { user: 'odd-ts', item: 'sku-0002', ts: -1e15 },
    { user: 'odd-ts', item: 'sku-0003', ts: 1e300 },
  ]);
  const overview = await call({ method: 'GET', url: '/dashboard/api/overview' });
  assert.equal(overview.statusCode, 200, overview.body.slice(0, 300));
  assert.ok(json(overview).eventStats.undated >= 3, 'times no calendar can show count as undated');
});
