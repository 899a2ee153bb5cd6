import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openApp, shopStore, tempDir } from './fixture.js';

const tmp = tempDir('unirec-hotswap-');
after(() => tmp.cleanup());

test('requests during a background retrain and two activations all succeed, and see whole models', async () => {
  const store = await shopStore(join(tmp.dir, 'hotswap.db'), { shop: { users: 1500, items: 600, eventsPerUser: 30, seed: 11 }, model: 'itemknn' });
  const t = await openApp(store);
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  try {
    let stop = false;
    const failures: string[] = [];
    const labels = new Set<string>();
    let inFlightDuringTraining = 0;
    let training = false;
    let n = 0;
    // Four clients: recommendations for trained users, new users and a stream of events.
    const client = async (c: number) => {
      while (!stop) {
        const i = n++;
        const user = i % 5 === 0 ? `swap-new-${c}` : `user-${String((i % 1500) + 1).padStart(4, '0')}`;
        const res =
          i % 7 === 0
            ? await fetch(`${base}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ user, item: `sku-${String((i % 600) + 1).padStart(4, '0')}` }]) })
            : await fetch(`${base}/recommend/${user}?k=10`);
        const text = await res.text();
        if (res.status !== 200) failures.push(`${res.status} ${text}`);
        else if (i % 7 !== 0) {
          const body = JSON.parse(text) as { model: string; items: unknown[] };
          if (body.items.length !== 10) failures.push(`short list: ${text}`);
          labels.add(body.model);
        }
        if (training) inFlightDuringTraining++;
      }
    };
    const clients = [0, 1, 2, 3].map(client);

    const post = async (url: string, body: object) => {
      const res = await fetch(`${base}${url}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as Record<string, unknown>;
    };
    await new Promise((r) => setTimeout(r, 200));
    training = true;
    const job = await post('/models/als/train', { params: { factors: 32, iterations: 8 }, wait: true });
    training = false;
    assert.equal(job.status, 'done');
    assert.equal(job.activated, true);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await post('/models/itemknn/activate', { version: 1 })).active, true);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await post('/models/als/activate', {})).version, 1);
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await Promise.all(clients);

    assert.deepEqual(failures, []);
    assert.ok(n > 100, `only ${n} requests`);
    assert.ok(inFlightDuringTraining > 10, `requests kept being answered while training (${inFlightDuringTraining})`);
    assert.ok(labels.has('itemknn@1') && labels.has('als@1'), `both models served: ${[...labels].join(', ')}`);
    const health = (await (await fetch(`${base}/health`)).json()) as { model: string };
    assert.equal(health.model, 'als@1');
  } finally {
    await t.close();
  }
});
