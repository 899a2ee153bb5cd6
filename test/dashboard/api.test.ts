import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/serve/app.js';
import { parseApiKeys } from '../../src/serve/auth.js';
import { RecommenderService } from '../../src/serve/service.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { json, shopStore, tempDir } from '../serve/fixture.js';

// The dashboard's read-only API and how the static app is served (no browser: see browser.test.ts).

const tmp = tempDir('unirec-dash-api-');
const runsDir = join(tmp.dir, 'runs');
const webRoot = join(tmp.dir, 'web');
let store: SqliteStore;
let service: RecommenderService;
let app: FastifyInstance;

const run = (model: string, ndcg: number) => ({
  model,
  params: {},
  protocol: 'ratio',
  seed: 42,
  data: { users: 10, items: 5, interactions: 40 },
  metrics: { 'ndcg@10': ndcg, 'recall@10': ndcg * 2 },
  fit_seconds: 0.5,
  eval_seconds: 0.1,
});

before(async () => {
  mkdirSync(runsDir);
  writeFileSync(join(runsDir, 'a.json'), JSON.stringify({ ...run('als', 0.3), metrics: { 'ndcg@10': 0.3, 'mrr@10': null } }));
  writeFileSync(join(runsDir, 'more.jsonl'), `${JSON.stringify(run('itemknn', 0.25))}\n\n${JSON.stringify(run('itemknn', 0.2))}\n`);
  writeFileSync(join(runsDir, 'bad.jsonl'), `${JSON.stringify(run('ease', 0.2))}\n{"model": "broken"}\n`);
  writeFileSync(join(runsDir, 'notes.json'), '{ not json');
  writeFileSync(join(runsDir, 'ignored.txt'), 'not a result file');
  // A stand-in build: the route serves whatever vite put there.
  mkdirSync(join(webRoot, 'assets'), { recursive: true });
  writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>app</title><div id="root"></div>');
  writeFileSync(join(webRoot, 'assets', 'index-abc.js'), 'console.log(1)');
  store = await shopStore(join(tmp.dir, 'dash.db'), { model: 'itemknn' });
  service = await RecommenderService.open(store, { warn: () => {} });
  app = await buildApp({ service, dashboard: { runsDir, webRoot } });
  await app.ready();
});
after(async () => {
  await app.close();
  await service.close();
  await store.close();
  tmp.cleanup();
});

const get = (url: string) => app.inject({ method: 'GET', url });

test('overview: counts, events per day (summing to the dated events), kinds, top items and users, served model', async () => {
  const res = await get('/dashboard/api/overview');
  assert.equal(res.statusCode, 200);
  const o = json(res);
  const counts = await store.counts();
  assert.equal(o.users, counts.users);
  assert.equal(o.items, counts.items);
  assert.equal(o.events, counts.events);
  assert.equal(o.model, 'itemknn@1');
  assert.equal(o.activeModel.name, 'itemknn');
  assert.equal(typeof o.activeModel.metrics.fit_seconds, 'number');
  const dated = (store.db.prepare('SELECT count(*) AS n FROM events WHERE ts IS NOT NULL').get() as { n: number }).n;
  assert.equal(o.eventStats.perDay.reduce((s: number, d: { events: number }) => s + d.events, 0), dated);
  assert.equal(o.eventStats.undated, counts.events - dated);
  const days = o.eventStats.perDay.map((d: { day: string }) => d.day);
  assert.deepEqual(days, [...days].sort(), 'oldest first');
  assert.match(days[0], /^\d{4}-\d{2}-\d{2}$/);
  // The day of one real event is counted under its UTC date.
  const one = store.db.prepare('SELECT ts FROM events WHERE ts IS NOT NULL LIMIT 1').get() as { ts: number };
  assert.ok(days.includes(new Date(one.ts * 1000).toISOString().slice(0, 10)));
  assert.deepEqual(o.eventStats.kinds.map((k: { kind: string }) => k.kind), ['interaction']);
  assert.equal(o.topItems.length, 10);
  const pop = o.topItems.map((i: { events: number }) => i.events);
  assert.deepEqual(pop, [...pop].sort((a: number, b: number) => b - a));
  const top = store.db.prepare('SELECT i.id, count(*) AS n FROM events e JOIN items i ON i.iid = e.iid GROUP BY e.iid ORDER BY n DESC LIMIT 1').get() as { id: string; n: number };
  assert.equal(o.topItems[0].events, top.n);
  assert.equal(o.topUsers.length, 10);
  assert.ok(o.topUsers[0].events >= o.topUsers[9].events);
});

test('events per day stay right as events arrive and when a user (and their events) is deleted', async () => {
  const before = json(await get('/dashboard/api/overview')).eventStats;
  const day = Date.UTC(2030, 0, 15) / 1000;
  await service.postEvents([
    { user: 'new-user', item: 'sku-0001', ts: day + 100, kind: 'purchase' },
    { user: 'new-user', item: 'sku-0002', ts: day + 200, kind: 'purchase' },
  ]);
  const after = json(await get('/dashboard/api/overview')).eventStats;
  assert.equal(after.total, before.total + 2);
  assert.deepEqual(after.perDay.at(-1), { day: '2030-01-15', events: 2 });
  assert.deepEqual(after.kinds.find((k: { kind: string }) => k.kind === 'purchase'), { kind: 'purchase', events: 2 });
  await service.deleteUser('new-user');
  const gone = json(await get('/dashboard/api/overview')).eventStats;
  assert.deepEqual(gone, before);
});

test('user and item lists: search by id or title, busiest first', async () => {
  const users = json(await get('/dashboard/api/users?q=USER-00&limit=5')).users;
  assert.equal(users.length, 5);
  for (const u of users) assert.match(u.id, /^user-00/);
  const all = json(await get('/dashboard/api/users?limit=500')).users;
  assert.equal(all.length, service.catalog.users.size);
  assert.deepEqual(all.map((u: { events: number }) => u.events), [...all.map((u: { events: number }) => u.events)].sort((a: number, b: number) => b - a));
  const tents = json(await get('/dashboard/api/items?q=tent&limit=500')).items;
  assert.ok(tents.length > 0);
  for (const i of tents) assert.match(i.title, /tent/i);
  assert.deepEqual(json(await get('/dashboard/api/items?q=no-such-thing')).items, []);
  assert.equal((await get('/dashboard/api/items?limit=0')).statusCode, 400);
});

test('user page: attributes, latest events with titles, how the model sees the user; unknown user 404', async () => {
  const u = json(await get('/dashboard/api/users/user-0001'));
  assert.equal(u.id, 'user-0001');
  assert.ok('region' in u.attributes);
  const history = (await store.userHistory('user-0001', 50))!;
  assert.equal(u.events, service.catalog.users.get('user-0001')!.items.length);
  assert.deepEqual(u.history.map((e: { id: string }) => e.id), history.map((e) => e.item));
  assert.equal(typeof u.history[0].title, 'string');
  assert.deepEqual(u.model, { label: 'itemknn@1', trainedOnUser: true, newerEvents: false });
  const missing = await get('/dashboard/api/users/nobody-at-all');
  assert.equal(missing.statusCode, 404);
  assert.match(json(missing).message, /unknown user "nobody-at-all"/);
});

test('item page: attributes, CF neighbours from the served model, content neighbours sharing attributes', async () => {
  const res = await get('/dashboard/api/items/sku-0001?k=5');
  assert.equal(res.statusCode, 200);
  const item = json(res);
  const attributes = (await store.getItem('sku-0001'))!;
  assert.deepEqual(item.attributes, attributes);
  assert.equal(item.cf.model, 'itemknn@1');
  assert.deepEqual(item.cf.items.map((i: { id: string }) => i.id), service.similar('sku-0001', 5).items.map((i) => i.id));
  assert.equal(item.content.length, 5);
  const scores = item.content.map((c: { score: number }) => c.score);
  assert.deepEqual(scores, [...scores].sort((a: number, b: number) => b - a));
  assert.ok(scores[0] > 0 && scores[0] <= 1 + 1e-6);
  // Planted structure: most of the closest items by attributes are of the same category (1 in 12 at
  // random), and those say so.
  let same = 0;
  for (const c of item.content) {
    if ((await store.getItem(c.id))!.category !== attributes.category) continue;
    same++;
    assert.ok(c.shared.some((s: string) => s.includes(String(attributes.category).replace(/s$/, ''))), c.shared.join('; '));
  }
  assert.ok(same >= 3, `${same} of 5 share the category`);
  assert.ok(!item.content.some((c: { id: string }) => c.id === 'sku-0001'), 'never the item itself');
  // A changed attribute is seen at once (the feature matrix is rebuilt after a put).
  const other = item.content[0].id;
  await service.putItem(other, { title: 'something else entirely', category: 'zzz-new' });
  const again = json(await get('/dashboard/api/items/sku-0001?k=5'));
  assert.ok(!again.content.slice(0, 2).some((c: { id: string }) => c.id === other));
  assert.equal((await get('/dashboard/api/items/sku-9999')).statusCode, 404);
});

test('runs: evaluate JSON and JSON lines files are read; other files are reported, not fatal', async () => {
  const body = json(await get('/dashboard/api/runs'));
  assert.equal(body.dir, runsDir);
  assert.deepEqual(body.runs.map((r: { label: string; source: string }) => `${r.label} ${r.source}`), ['als a.json', 'itemknn · more.jsonl:1 more.jsonl:1', 'itemknn · more.jsonl:3 more.jsonl:3']);
  assert.equal(body.runs[0].metrics['ndcg@10'], 0.3);
  assert.equal(body.runs[0].metrics['mrr@10'], null, 'an undefined metric stays null');
  assert.equal(body.runs[1].fit_seconds, 0.5);
  const problems = body.problems.map((p: { source: string; error: string }) => p.error);
  assert.equal(problems.length, 2, problems.join('\n'));
  assert.match(problems[0], /^bad\.jsonl:2: .*field "protocol"/);
  assert.match(problems[1], /^notes\.json: not valid JSON/);
  await assert.rejects(
    buildApp({ service, dashboard: { runsDir: join(tmp.dir, 'nope') } }),
    /--runs .*nope: no such folder/,
  );
});

test('static app under /dashboard/: index for every page path, assets, 404s, redirect; hidden from OpenAPI', async () => {
  const index = await get('/dashboard/');
  assert.equal(index.statusCode, 200);
  assert.match(index.headers['content-type'] as string, /text\/html/);
  assert.match(index.body, /<div id="root">/);
  assert.equal((await get('/dashboard/users/user-0001')).body, index.body, 'a page path answers the app');
  assert.equal((await get('/dashboard/items/sku%2F1')).statusCode, 200);
  const asset = await get('/dashboard/assets/index-abc.js');
  assert.equal(asset.statusCode, 200);
  assert.match(asset.headers['cache-control'] as string, /immutable/);
  assert.equal((await get('/dashboard/assets/missing.js')).statusCode, 404);
  const api404 = await get('/dashboard/api/nothing');
  assert.equal(api404.statusCode, 404);
  assert.match(json(api404).message, /no route/);
  const redirect = await get('/dashboard');
  assert.equal(redirect.statusCode, 302);
  assert.equal(redirect.headers.location, '/dashboard/');
  for (const odd of ['/dashboard/%2e%2e/%2e%2e/package.json', '/dashboard/assets/..%2f..%2findex.html', '/dashboard/%00', '/dashboard/a%2f..%2f..%2f..%2fetc%2fpasswd', "/dashboard/x'%20OR%201=1.js", '/dashboard/api/users/%00']) {
    // Never a file outside the build: a 4xx, or the app's own index for what looks like a page path.
    const res = await get(odd);
    assert.ok(res.statusCode < 500, `${odd}: ${res.statusCode}`);
    if (res.statusCode === 200) assert.equal(res.body, index.body, odd);
    else assert.ok(res.statusCode >= 400, `${odd}: ${res.statusCode}`);
  }
  const doc = json(await get('/openapi.json'));
  for (const path of ['/dashboard/api/overview', '/dashboard/api/users/{id}', '/dashboard/api/items/{id}', '/dashboard/api/runs']) assert.ok(doc.paths[path]?.get, path);
  assert.ok(!Object.keys(doc.paths).some((p) => p.startsWith('/dashboard/{') || p === '/dashboard/*' || p === '/dashboard'), 'static routes are not API');
  // Existing routes are untouched.
  assert.equal((await get('/health')).statusCode, 200);
  assert.equal(json(await get('/nowhere')).statusCode, 404);
});

test('no build: /dashboard/ explains how to build it (503); the API keeps working', async () => {
  const bare = await buildApp({ service, dashboard: { webRoot: join(tmp.dir, 'not-built') } });
  try {
    const res = await bare.inject({ method: 'GET', url: '/dashboard/' });
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /not built/);
    assert.match(res.body, /npm run build/);
    assert.equal((await bare.inject({ method: 'GET', url: '/dashboard/api/overview' })).statusCode, 200);
  } finally {
    await bare.close();
  }
});

test('API keys: the app files are public, its data needs a read key', async () => {
  const secured = await buildApp({ service, keys: parseApiKeys([], 'read:r-key-0123456789abcdef,write:w-key-0123456789abcdef'), dashboard: { webRoot, runsDir } });
  try {
    const call = (url: string, key?: string) => secured.inject({ method: 'GET', url, headers: key ? { 'x-api-key': key } : {} });
    assert.equal((await call('/dashboard/')).statusCode, 200);
    assert.equal((await call('/dashboard/assets/index-abc.js')).statusCode, 200);
    for (const url of ['/dashboard/api/overview', '/dashboard/api/users', '/dashboard/api/items/sku-0001', '/dashboard/api/users/user-0001', '/dashboard/api/runs']) {
      assert.equal((await call(url)).statusCode, 401, url);
      assert.equal((await call(url, 'r-key-0123456789abcdef')).statusCode, 200, url);
    }
  } finally {
    await secured.close();
  }
});
