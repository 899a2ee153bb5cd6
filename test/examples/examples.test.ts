import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { Recommender } from '../../src/api.js';
import { buildApp } from '../../src/serve/app.js';
import { RecommenderService } from '../../src/serve/service.js';
import { shopStore } from '../serve/fixture.js';

/**
 * The examples/ programs, compiled as a user would compile them (importing 'unirec' and
 * 'unirec/client' by name, through this package's exports) and run as processes.
 */
const dist = resolve('dist/examples');
const dir = mkdtempSync(join(tmpdir(), 'unirec-examples-'));

before(() => {
  execFileSync(process.execPath, [resolve('node_modules/typescript/bin/tsc'), '-p', 'examples'], { encoding: 'utf8' });
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Starts a long-running example, resolves with its first stdout line (its URL) and a stop function. */
function start(script: string, args: string[] = []): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [join(dist, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (b) => (err += b));
  return new Promise((ok, fail) => {
    child.stdout.on('data', (b) => {
      out += b;
      if (out.includes('\n')) ok({ url: out.split('\n')[0]!, stop: () => child.kill() });
    });
    child.on('exit', (code) => fail(new Error(`${script} exited with ${code}: ${err}`)));
  });
}

test('shop-fastify: picks for a customer, similar products, picks for a cart, 404 for an unknown product', async () => {
  const shop = await start('shop-fastify.js');
  try {
    const picks = (await (await fetch(`${shop.url}/users/ann/picks`)).json()) as { items: { id: string; reasons: unknown[] }[]; fallback: boolean };
    assert.equal(picks.fallback, false);
    const ids = picks.items.map((i) => i.id);
    assert.ok(ids.includes('stove'), `ann (boots, tent) gets the stove: ${ids}`);
    assert.ok(!ids.includes('boots') && !ids.includes('tent') && !ids.includes('sandals'), 'not what she has, nor out of stock');
    const similar = (await (await fetch(`${shop.url}/products/tent/similar`)).json()) as { items: { id: string }[] };
    assert.ok(similar.items.some((i) => i.id === 'stove'));
    const cart = await fetch(`${shop.url}/cart/picks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cart: ['stove'] }) });
    const cartPicks = (await cart.json()) as { items: { id: string }[] };
    assert.ok(cartPicks.items.some((i) => i.id === 'tent'));
    assert.equal((await fetch(`${shop.url}/products/nothing/similar`)).status, 404);
  } finally {
    shop.stop();
  }
});

test('nightly-batch: trains from a CSV export and a JSONL catalogue, writes a model file the shop loads', async () => {
  const events = ['user,item,ts'];
  for (let u = 0; u < 40; u++) for (let j = 0; j < 5; j++) events.push(`c${u},${u % 2 ? 'hat' : 'shoe'}-${(u + j) % 8},${1_700_000_000 + u * 100 + j}`);
  writeFileSync(join(dir, 'events.csv'), `${events.join('\n')}\n`);
  const products = [];
  for (let i = 0; i < 8; i++) for (const kind of ['hat', 'shoe']) products.push(JSON.stringify({ id: `${kind}-${i}`, title: `${kind} ${i}`, tags: [kind] }));
  writeFileSync(join(dir, 'products.jsonl'), products.join('\n'));
  const model = join(dir, 'shop.unirec');
  const out = execFileSync(process.execPath, [join(dist, 'nightly-batch.js'), join(dir, 'events.csv'), join(dir, 'products.jsonl'), model], { encoding: 'utf8' });
  const summary = JSON.parse(out) as { model: string; users: number; items: number };
  assert.deepEqual([summary.model, summary.users, summary.items], ['als', 40, 16]);
  const rec = await Recommender.load(model);
  const picks = rec.recommend('c1', { k: 3 });
  assert.equal(picks.fallback, false);
  for (const item of picks.items) assert.ok(item.id.startsWith('hat-'), `a hat person gets hats: ${item.id}`);
  // The shop example serves the nightly file.
  const shop = await start('shop-fastify.js', [model]);
  try {
    const served = (await (await fetch(`${shop.url}/users/c1/picks`)).json()) as { items: { id: string }[] };
    assert.deepEqual(served.items.map((i) => i.id), picks.items.map((i) => i.id));
  } finally {
    shop.stop();
  }
});

test('api-client: posts events and reads recommendations from a running server with the typed client', async () => {
  const store = await shopStore(':memory:', { model: 'itemknn' });
  const service = await RecommenderService.open(store, { warn: () => {} });
  const app = await buildApp({ service });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const run = spawn(process.execPath, [join(dist, 'api-client.js'), url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    run.stdout.on('data', (b) => (out += b));
    run.stderr.on('data', (b) => (err += b));
    const code = await new Promise((ok) => run.on('exit', ok));
    assert.equal(code, 0, err);
    const r = JSON.parse(out) as { clicked: string[]; next: { id: string }[]; fallback: boolean; model: string };
    assert.equal(r.clicked.length, 2);
    assert.equal(r.fallback, false, 'after two clicks the model folds the visitor in');
    assert.equal(r.model, 'itemknn@1');
    for (const c of r.clicked) assert.ok(!r.next.some((i) => i.id === c), 'clicked items are not recommended back');
  } finally {
    await app.close();
    await service.close();
    await store.close();
  }
});
