import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTrainData } from '../../src/data/dataset.js';
import { plantedTaste } from '../../src/data/planted-taste.js';
import { topK } from '../../src/math/topk.js';
import { createModel, loadModel, withRetrievalParams } from '../../src/models/index.js';
import type { Recommender } from '../../src/models/recommender.js';
import { decodeAll, vectorsFromArrays } from '../../src/retrieval/stores.js';

/** Planted clusters: 1500 users, 2000 items, enough structure for the factor models to learn. */
const planted = plantedTaste({ users: 1500, items: 2000, dim: 16, clusters: 10, eventsPerUser: 25, seed: 7 });
const train = makeTrainData(planted.events, 1500, 2000, { hasRatings: false });
const ctx = { seed: 1, threads: 1 };
const cases: [string, Record<string, unknown>][] = [
  ['als', { factors: 16, iterations: 5 }],
  ['bpr', { factors: 16, epochs: 5 }],
  ['mf', { factors: 16, epochs: 5 }],
];

/** The user's train items as a mask, and how many. */
function seen(u: number): [Uint8Array, number] {
  const m = new Uint8Array(train.nItems);
  for (const i of train.byUser.rowIndices(u)) m[i] = 1;
  return [m, train.byUser.rowLength(u)];
}

/** Share of the exact top-10 (topK of scoreUser, seen items excluded) that retrieve returns. */
function recallVsScores(model: Recommender, users: number): number {
  const scores = new Float32Array(train.nItems);
  let hit = 0;
  for (let u = 0; u < users; u++) {
    const [mask, n] = seen(u);
    model.scoreUser(u, scores);
    const want = new Set(topK(scores, 10, mask).indices);
    const got = model.retrieve!(u, 10, mask, n);
    assert.equal(got.indices.length, 10);
    for (const i of got.indices) {
      assert.equal(mask[i], 0, `${model.name}: seen item ${i} retrieved for user ${u}`);
      if (want.has(i)) hit++;
    }
  }
  return hit / (10 * users);
}

for (const [name, params] of cases) {
  test(`${name}: retrieval "exact" returns the top-k of scoreUser; "hnsw" nearly so; seen items never`, async () => {
    const exact = createModel(name, params);
    await exact.fit(train, ctx);
    assert.equal(recallVsScores(exact, 100), 1);
    const hnsw = createModel(name, { ...params, retrieval: 'hnsw' });
    await hnsw.fit(train, ctx);
    // same factors (the index changes nothing in training), approximate lists
    assert.deepEqual(hnsw.save().arrays.itemFactors, exact.save().arrays.itemFactors);
    const r = recallVsScores(hnsw, 200);
    assert.ok(r >= 0.95, `${name} hnsw recall@10 ${r}`);
  });

  test(`${name}: int8 and float16 vectors survive save/load (graph included) and shrink the artifact`, async () => {
    const base = createModel(name, params);
    await base.fit(train, ctx);
    // bytes of the factor arrays (float32 `*Factors`, or the stored forms), graph and history aside
    const vectorBytes = (m: Recommender) =>
      Object.entries(m.save().arrays).reduce((s, [k, a]) => s + (/^(user|item)Factors$|^(users|items)(F16|I8|I8Scale)$/.test(k) ? a.byteLength : 0), 0);
    for (const vectors of ['int8', 'float16'] as const) {
      const model = createModel(name, { ...params, vectors, retrieval: 'hnsw' });
      await model.fit(train, ctx);
      const artifact = model.save();
      assert.equal(artifact.arrays.itemFactors, undefined);
      const back = loadModel(structuredClone(artifact));
      const [x, y] = [new Float32Array(train.nItems), new Float32Array(train.nItems)];
      for (let u = 0; u < 1500; u += 97) {
        model.scoreUser(u, x);
        back.scoreUser(u, y);
        assert.deepEqual(y, x);
        const [mask, n] = seen(u);
        assert.deepEqual(back.retrieve!(u, 10, mask, n), model.retrieve!(u, 10, mask, n));
      }
      const r = recallVsScores(model, 200);
      assert.ok(r >= 0.9, `${name} ${vectors} hnsw recall@10 ${r}`);
      // 16 dimensions: int8 is (16 + 4) / 64 of float32 per row, float16 half
      const ratio = vectorBytes(model) / vectorBytes(base);
      assert.ok(Math.abs(ratio - (vectors === 'int8' ? 20 / 64 : 0.5)) < 1e-9, `${name} ${vectors} vector bytes ratio ${ratio}`);
    }
  });
}

test('als: a history (fold-in) is retrieved as foldIn scores it', async () => {
  const model = createModel('als', { factors: 16, iterations: 5, retrieval: 'hnsw' });
  await model.fit(train, ctx);
  const scores = new Float32Array(train.nItems);
  let hit = 0;
  for (let u = 0; u < 50; u++) {
    const history = { items: train.byUser.rowIndices(u) };
    const [mask, n] = seen(u);
    model.foldIn!(history, scores);
    const want = new Set(topK(scores, 10, mask).indices);
    for (const i of model.retrieve!(history, 10, mask, n).indices) hit += want.has(i) ? 1 : 0;
  }
  assert.ok(hit / 500 >= 0.95, `fold-in recall@10 ${hit / 500}`);
});

for (const [name, params] of cases) {
  test(`${name}: items added to and removed from the item index are retrieved / never returned, without a refit`, async () => {
    const model = createModel(name, { ...params, retrieval: 'hnsw' });
    await model.fit(train, ctx);
    const index = model.itemIndex!();
    const u = 3;
    const user = (model.save().arrays.userFactors as Float32Array).subarray(u * 16, (u + 1) * 16);
    // a new item that matches user 3 better than anything: their own factor, scaled up
    const id = index.add(Float32Array.from(user, (x) => x * 1000), 0);
    assert.equal(id, train.nItems);
    const [mask, n] = seen(u);
    assert.equal(model.retrieve!(u, 10, mask, n).indices[0], id);
    const before = model.retrieve!(u, 10, mask, n).indices;
    for (const i of before) index.remove(i);
    for (const i of model.retrieve!(u, 10, mask, n).indices) assert.ok(!before.includes(i), `${name}: removed item ${i} returned`);
  });
}

test('withRetrievalParams: a float32 exact artifact served with hnsw / int8 (graph built at load); other models unchanged', async () => {
  const model = createModel('als', { factors: 16, iterations: 5 });
  await model.fit(train, ctx);
  const artifact = model.save();
  const hnsw = loadModel(withRetrievalParams(artifact, { retrieval: 'hnsw', vectors: 'int8' }));
  assert.equal(hnsw.params.retrieval, 'hnsw');
  assert.ok(hnsw.itemIndex!().index, 'a graph was built at load');
  assert.equal(hnsw.itemIndex!().store.kind, 'int8');
  assert.ok(recallVsScores(hnsw, 100) >= 0.9);
  // a saved graph of other params is not reused
  const other = withRetrievalParams(hnsw.save(), { hnswSpace: 'mips' });
  assert.equal(other.arrays.itemsHnsw, undefined);
  const pop = createModel('popularity');
  await pop.fit(train, ctx);
  const a = pop.save();
  assert.equal(withRetrievalParams(a, { retrieval: 'hnsw' }), a);
});

for (const [name, params] of cases) {
  test(`${name} with int8 / float16 vectors keeps only the stored item vectors resident; fold-in, explanations and similar items read them as the decoded float32 rows`, async () => {
    for (const vectors of ['int8', 'float16'] as const) {
      const model = createModel(name, { ...params, vectors });
      await model.fit(train, ctx);
      const artifact = model.save();
      // the same model with the decoded rows as plain float32 factors: the reference arithmetic
      const items = decodeAll(model.itemIndex!().store);
      const users = decodeAll(vectorsFromArrays(artifact.arrays, 'users', 1500, 16)!);
      if (name === 'als') assert.deepEqual((model as unknown as { itemEmbeddings(): { vectors: Float32Array } }).itemEmbeddings().vectors, items, 'decoded on demand');
      const back = loadModel(structuredClone(artifact));
      for (const m of [model, back]) {
        // no float32 row per item is kept (nItems x 16 floats), only the stored form in the retrieval
        const fields = Object.values(m as unknown as Record<string, unknown>);
        const nested = fields.flatMap((v) => (v && typeof v === 'object' && !ArrayBuffer.isView(v) ? Object.values(v) : [])); // e.g. mf's `fitted`
        const rows = [...fields, ...nested].filter((v) => v instanceof Float32Array && v.length === train.nItems * 16);
        assert.equal(rows.length, 0, `${name} ${vectors}: no float32 item rows resident`);
      }
      const ref = loadModel({
        ...artifact,
        params: { ...artifact.params, vectors: 'float32' },
        arrays: { ...Object.fromEntries(Object.entries(artifact.arrays).filter(([k]) => !/^(items|users)(F16|I8|I8Scale)$/.test(k))), itemFactors: items, userFactors: users },
      });
      const close = (x: number, y: number) => Math.abs(x - y) <= 1e-5 + 1e-4 * Math.abs(y);
      const [a, b] = [new Float32Array(train.nItems), new Float32Array(train.nItems)];
      for (let u = 0; u < 30; u++) {
        const history = { items: train.byUser.rowIndices(u) };
        model.foldIn!(history, a);
        ref.foldIn!(history, b);
        for (let i = 0; i < a.length; i++) assert.ok(close(a[i]!, b[i]!), `${name} ${vectors} fold-in user ${u} item ${i}: ${a[i]} vs ${b[i]}`);
        const item = topK(b, 1).indices[0]!;
        const [ra, rb] = [model.explain!(u, item, 3), ref.explain!(u, item, 3)];
        assert.deepEqual(ra.map((r) => r.id), rb.map((r) => r.id));
        for (const [t, r] of ra.entries()) assert.ok(close(r.weight, rb[t]!.weight), `${name} ${vectors} explain ${r.weight} vs ${rb[t]!.weight}`);
        assert.deepEqual(model.similarItems!(u, 5).indices, ref.similarItems!(u, 5).indices);
        if (model.predictRating) assert.ok(close(model.predictRating(u, item), ref.predictRating!(u, item)));
      }
      if (model.scoreUsers) {
        // batch scoring (evaluation) agrees with one user at a time
        const block = new Float32Array(3 * train.nItems);
        model.scoreUsers(Int32Array.of(0, 1, 2), block);
        model.scoreUser(1, a);
        for (let i = 0; i < a.length; i++) assert.ok(close(block[train.nItems + i]!, a[i]!));
      }
    }
  });
}
