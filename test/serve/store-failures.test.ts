import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { storeFailure } from '../../src/serve/store-errors.js';
import { json, openApp, shopStore, tempDir, type TestApp } from './fixture.js';

// Issue 20 #7: a full disk is a 507 and a read-only or failing disk a 503, each with the reason and a
// Retry-After, never a 500; nothing of the request is stored; reads go on; writes work again once the
// cause is gone. The failures are real SQLite errors: max_page_count makes the file "full" (SQLITE_FULL)
// and query_only makes it read-only (SQLITE_READONLY), on this connection, without root or a small disk.

const tmp = tempDir('unirec-store-failures-');
let t: TestApp;

before(async () => {
  t = await openApp(await shopStore(join(tmp.dir, 'failures.db'), { model: 'itemknn' }));
});
after(async () => {
  await t.close();
  tmp.cleanup();
});

const batch = (tag: string, n: number) => Array.from({ length: n }, (_, i) => ({ user: `${tag}-user-${i % 50}`, item: `sku-00${10 + (i % 40)}`, key: `${tag}-${i}-${'x'.repeat(200)}` }));

test('disk full: 507 with the reason, nothing stored, reads go on; writes work again when space returns', async () => {
  const before = await t.store.counts();
  const pages = (t.store.db.pragma('page_count') as { page_count: number }[])[0]!.page_count;
  t.store.db.pragma(`max_page_count = ${pages}`);
  try {
    const full = await t.app.inject({ method: 'POST', url: '/events', payload: batch('full', 2000) });
    assert.equal(full.statusCode, 507, full.body);
    assert.match(json(full).message, /out of disk space: nothing of this request was stored; retry when space is freed/);
    assert.equal(full.headers['retry-after'], '5');
    assert.deepEqual(await t.store.counts(), before);
    assert.equal((await t.app.inject({ method: 'GET', url: '/recommend/user-0001' })).statusCode, 200, 'reads go on');
    assert.equal((await t.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  } finally {
    t.store.db.pragma('max_page_count = 4294967294');
  }
  const again = await t.app.inject({ method: 'POST', url: '/events', payload: batch('full', 2000) });
  assert.equal(again.statusCode, 200, again.body);
  assert.equal(json(again).stored, 2000);
  assert.equal((await t.store.counts()).events, before.events + 2000);
  assert.equal(t.service.catalog.events, before.events + 2000, 'the served state follows the store');
});

test('read-only store: 503 with the reason on every write route; writes work again when it is writable', async () => {
  const before = await t.store.counts();
  t.store.db.pragma('query_only = ON');
  try {
    for (const [method, url, payload] of [
      ['POST', '/events', [{ user: 'ro-user', item: 'sku-0001' }]],
      ['PUT', '/items/ro-item', { title: 'x' }],
      ['PUT', '/users/ro-user', { age: 3 }],
      ['DELETE', '/items/sku-0002', undefined],
    ] as const) {
      const res = await t.app.inject({ method, url, ...(payload === undefined ? {} : { payload }) });
      assert.equal(res.statusCode, 503, `${method} ${url}: ${res.body}`);
      assert.match(json(res).message, /the store is read-only .*nothing of this request was stored/, `${method} ${url}`);
    }
    assert.deepEqual(await t.store.counts(), before);
    assert.equal((await t.app.inject({ method: 'GET', url: '/items/sku-0002' })).statusCode, 200, 'the failed delete did not happen in memory either');
  } finally {
    t.store.db.pragma('query_only = OFF');
  }
  assert.equal((await t.app.inject({ method: 'POST', url: '/events', payload: [{ user: 'ro-user', item: 'sku-0001' }] })).statusCode, 200);
});

test('SQLite and system error codes map to 507 and 503; others are not storage failures', () => {
  assert.equal(storeFailure({ code: 'SQLITE_FULL' })?.statusCode, 507);
  assert.equal(storeFailure({ code: 'ENOSPC' })?.statusCode, 507);
  assert.equal(storeFailure({ code: 'SQLITE_READONLY_DBMOVED' })?.statusCode, 503);
  assert.match(storeFailure({ code: 'SQLITE_IOERR_FSYNC' })?.message ?? '', /disk I\/O error \(SQLITE_IOERR_FSYNC\)/);
  assert.equal(storeFailure({ code: 'SQLITE_BUSY' })?.statusCode, 503);
  assert.equal(storeFailure({ code: 'SQLITE_CONSTRAINT' }), undefined);
  assert.equal(storeFailure({}), undefined);
});
