import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Recommender } from '../../src/api.js';
import { makeTrainData } from '../../src/data/dataset.js';
import { syntheticShop } from '../../src/data/synthetic.js';
import { IdMap } from '../../src/data/idmap.js';
import { Interactions } from '../../src/data/interactions.js';
import { createModel } from '../../src/pipeline/index.js';
import { Catalog } from '../../src/serve/catalog.js';
import { buildLiveModel } from '../../src/serve/live-model.js';
import { recommend } from '../../src/serve/recommend.js';
import { encodeArtifact } from '../../src/store/artifact-codec.js';

test('ALS and itemknn explain a folded-in user by their own items, as they explain a trained one', async () => {
  const ds = syntheticShop({ users: 120, items: 80, seed: 3 });
  const train = makeTrainData(ds.interactions, ds.users.size, ds.items.size);
  for (const [name, params] of [['als', { factors: 8, iterations: 4 }], ['itemknn', {}]] as const) {
    const model = createModel(name, params);
    await model.fit(train, { seed: 1, threads: 1 });
    const user = 5;
    const history = { items: train.byUser.rowIndices(user), values: train.byUser.rowData(user) };
    const scores = new Float32Array(ds.items.size);
    model.scoreUser(user, scores);
    const item = scores.indexOf(Math.max(...scores.filter((_, i) => !history.items.includes(i))));
    const trained = model.explain!(user, item, 3);
    const folded = model.explainHistory!(history, item, 3);
    assert.ok(folded.length > 0, `${name}: reasons after a fold-in`);
    assert.deepEqual(folded.map((r) => r.id), trained.map((r) => r.id), `${name}: the same items named`);
    for (const r of folded) assert.ok(history.items.includes(r.id!), `${name}: a reason names one of the user's items`);
  }
});

test("the façade's visitor gets reasons naming the items they interacted with", async () => {
  const events = [];
  for (let u = 0; u < 12; u++) for (const item of u % 2 ? ['a', 'b', 'c'] : ['x', 'y', 'z']) events.push({ user: `u${u}`, item });
  const rec = await Recommender.train({ model: 'als', params: { factors: 4, iterations: 5, regularization: 0.1 }, events });
  const r = rec.recommend({ events: [{ item: 'a' }, { item: 'b' }] }, { k: 1, explain: true });
  assert.equal(r.items[0]!.id, 'c');
  assert.ok(r.items[0]!.reasons!.some((x) => x.kind === 'item' && (x.id === 'a' || x.id === 'b')), JSON.stringify(r.items[0]!.reasons));
});

test('the server names the items behind a folded-in recommendation, after saying it was folded in', async () => {
  // Two tastes; the model is trained on u0..u11, then a new user's two events arrive.
  const users = new IdMap();
  const items = new IdMap();
  const rows: [number, number][] = [];
  for (let u = 0; u < 12; u++) for (const item of u % 2 ? ['a', 'b', 'c'] : ['x', 'y', 'z']) rows.push([users.add(`u${u}`), items.add(item)]);
  const x = new Interactions(Int32Array.from(rows, (r) => r[0]), Int32Array.from(rows, (r) => r[1]), new Float32Array(rows.length).fill(1), new Float64Array(rows.length).fill(Number.NaN));
  const model = createModel('als', { factors: 4, iterations: 5, regularization: 0.1 });
  await model.fit(makeTrainData(x, users.size, items.size), { seed: 1, threads: 1 });
  const artifact = encodeArtifact(model.save(), { users: users.toArray(), items: items.toArray() });
  const catalog = new Catalog();
  let seq = 0;
  catalog.addEvents(rows.map(([u, i]) => ({ seq: ++seq, user: users.external(u), item: items.external(i), value: 1, ts: 0, kind: 'interaction' })));
  const info = { name: 'als', version: 1, params: {}, metrics: {}, checksum: '', created: 0, active: true, trainedThroughSeq: seq, bytes: artifact.length };
  const live = buildLiveModel({ ...info, artifact }, catalog);
  catalog.addEvents([{ seq: ++seq, user: 'new', item: 'a', value: 1, ts: 0, kind: 'interaction' }, { seq: ++seq, user: 'new', item: 'b', value: 1, ts: 0, kind: 'interaction' }]);
  const r = recommend(catalog, live, 'new', { k: 1, explain: true });
  assert.equal(r.items[0]!.id, 'c');
  assert.match(r.items[0]!.reasons[0]!, /scored from your 2 events/);
  assert.ok(r.items[0]!.reasons.slice(1).some((t) => /: (a|b)$/.test(t)), JSON.stringify(r.items[0]!.reasons));
});
