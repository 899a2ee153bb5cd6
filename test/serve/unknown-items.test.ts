import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTrainData } from '../../src/data/dataset.js';
import { IdMap } from '../../src/data/idmap.js';
import { Interactions } from '../../src/data/interactions.js';
import { UnirecError } from '../../src/errors.js';
import { createModel } from '../../src/pipeline/index.js';
import { Catalog, type UnknownItemPolicy } from '../../src/serve/catalog.js';
import { buildLiveModel } from '../../src/serve/live-model.js';
import { recommend, similar } from '../../src/serve/recommend.js';
import { encodeArtifact } from '../../src/store/artifact-codec.js';
import type { StoredEvent } from '../../src/store/store.js';

/**
 * A catalogue of a, b, c (put), and events that also name "ghost", which nobody put: everyone who
 * has a also has ghost, so any model would recommend it.
 */
async function shop(policy: UnknownItemPolicy, putAny = true) {
  const catalog = new Catalog({ unknownItems: policy });
  if (putAny) for (const id of ['a', 'b', 'c']) catalog.putItem(id, { title: id.toUpperCase() });
  const events: StoredEvent[] = [];
  let seq = 0;
  for (let u = 0; u < 6; u++) {
    for (const item of u < 3 ? ['a', 'ghost', 'b'] : ['c', 'b']) events.push({ seq: ++seq, user: `u${u}`, item, value: 1, ts: seq, kind: 'interaction' });
  }
  catalog.addEvents(events);
  const users = new IdMap();
  const items = new IdMap();
  const x = new Interactions(
    Int32Array.from(events, (e) => users.add(e.user)),
    Int32Array.from(events, (e) => items.add(e.item)),
    new Float32Array(events.length).fill(1),
    Float64Array.from(events, (e) => e.ts),
  );
  const model = createModel('itemknn');
  await model.fit(makeTrainData(x, users.size, items.size), { seed: 1, threads: 1 });
  const artifact = encodeArtifact(model.save(), { users: users.toArray(), items: items.toArray() });
  const info = { name: 'itemknn', version: 1, params: {}, metrics: {}, checksum: '', created: 0, active: true, trainedThroughSeq: seq, bytes: artifact.length };
  return { catalog, live: buildLiveModel({ ...info, artifact }, catalog) };
}

const ids = (r: { items: { id: string }[] } | undefined) => r!.items.map((i) => i.id);

test("default 'hide': an item known only from events is learnt from but never listed until the catalogue has it", async () => {
  const { catalog, live } = await shop('hide');
  assert.equal(catalog.unknownItems, 'hide');
  assert.ok(!ids(recommend(catalog, live, 'u3', { k: 5 })).includes('ghost'));
  assert.ok(!ids(recommend(catalog, live, 'nobody', { k: 5 })).includes('ghost'), 'not in the popular fallback either');
  assert.ok(!ids(similar(catalog, live, 'a', 5)).includes('ghost'));
  catalog.putItem('ghost', { title: 'Ghost' });
  assert.equal(ids(recommend(catalog, live, 'u3', { k: 1 }))[0], 'a', 'put, it is listed (a, then ghost, co-occur with b)');
  assert.ok(ids(recommend(catalog, live, 'u3', { k: 5 })).includes('ghost'));
});

test("'accept' lists such items at once; a store with no catalogue at all lists every item under 'hide'", async () => {
  const accept = await shop('accept');
  assert.ok(ids(recommend(accept.catalog, accept.live, 'u3', { k: 5 })).includes('ghost'));
  const bare = await shop('hide', false);
  assert.ok(ids(recommend(bare.catalog, bare.live, 'u3', { k: 5 })).includes('ghost'));
});

test("'refuse' rejects a batch with an event for an item the catalogue does not have, and says which", async () => {
  const { catalog } = await shop('refuse');
  assert.doesNotThrow(() => catalog.checkEvents([{ user: 'u', item: 'a' }]));
  assert.throws(() => catalog.checkEvents([{ user: 'u', item: 'a' }, { user: 'u', item: 'ghost' }, { user: 'u', item: 'new' }]), (e: unknown) => e instanceof UnirecError && /2 items not in the catalogue \("ghost", "new"\)/.test(e.message));
  const hide = await shop('hide');
  assert.doesNotThrow(() => hide.catalog.checkEvents([{ user: 'u', item: 'new' }]));
});
