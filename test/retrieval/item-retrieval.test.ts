import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plantedTaste } from '../../src/data/planted-taste.js';
import { topK } from '../../src/math/topk.js';
import { ItemRetrieval } from '../../src/retrieval/item-retrieval.js';
import { DEFAULT_HNSW } from '../../src/retrieval/hnsw-index.js';
import type { RetrievalOptions } from '../../src/retrieval/options.js';
import { Float32Store } from '../../src/retrieval/float32-store.js';
import { queryOf } from '../../src/retrieval/vector-store.js';

const N = 3000;
const DIM = 24;
const data = plantedTaste({ users: 200, items: N, dim: DIM, seed: 11 });
const opts = (o: Partial<RetrievalOptions> & { space?: 'mips' | 'ip' } = {}): RetrievalOptions => ({
  retrieval: o.retrieval ?? 'hnsw',
  vectors: o.vectors ?? 'float32',
  rerank: o.rerank ?? 4,
  hnsw: { ...DEFAULT_HNSW, m: 12, efConstruction: 100, ef: 50, space: o.space ?? 'mips' },
});

/** Exact top-k by float32 inner product (the reference). */
function exact(u: number, k: number, exclude?: Uint8Array): Int32Array {
  const scores = new Float32Array(N);
  new Float32Store(data.itemVectors, N, DIM).scoreAll(queryOf(data.userVectors, u * DIM, DIM), scores);
  return topK(scores, k, exclude).indices;
}

function recall(r: ItemRetrieval, k: number, excludeOf?: (u: number) => Uint8Array): number {
  let hit = 0;
  for (let u = 0; u < 200; u++) {
    const ex = excludeOf?.(u);
    const want = new Set(exact(u, k, ex));
    const got = r.top(data.userVectors, u * DIM, k, ex).indices;
    assert.equal(got.length, k);
    for (const i of got) if (want.has(i)) hit++;
  }
  return hit / (200 * k);
}

test('hnsw recall@10 against the exact inner-product top-10 on planted vectors, both inner-product spaces', () => {
  const mips = ItemRetrieval.build(opts({ space: 'mips' }), data.itemVectors, N, DIM);
  const ip = ItemRetrieval.build(opts({ space: 'ip' }), data.itemVectors, N, DIM);
  const rm = recall(mips, 10);
  const ri = recall(ip, 10);
  assert.ok(rm >= 0.95, `mips recall@10 ${rm}`);
  assert.ok(ri >= 0.9, `ip recall@10 ${ri}`);
  // the exact index is exact
  assert.equal(recall(ItemRetrieval.build(opts({ retrieval: 'exact' }), data.itemVectors, N, DIM), 10), 1);
});

test('exclusions hold: no excluded item comes back, and recall holds with over-fetch', () => {
  const r = ItemRetrieval.build(opts(), data.itemVectors, N, DIM);
  // exclude each user's own exact top-30: the hardest case for a graph search (its best region is gone)
  const excl = (u: number) => {
    const m = new Uint8Array(N);
    for (const i of exact(u, 30)) m[i] = 1;
    return m;
  };
  for (let u = 0; u < 200; u += 7) {
    const ex = excl(u);
    for (const got of [r.top(data.userVectors, u * DIM, 10, ex, 30), r.top(data.userVectors, u * DIM, 10, ex), r.topFilteredInGraph(data.userVectors, u * DIM, 10, ex)]) {
      assert.equal(got.indices.length, 10);
      for (const i of got.indices) assert.equal(ex[i], 0, `user ${u} got excluded item ${i}`);
    }
  }
  const rc = recall(r, 10, excl);
  assert.ok(rc >= 0.9, `recall@10 with the top-30 excluded: ${rc}`);
  // a filter that rejects almost everything falls back to a scan and is exact
  const allow = new Uint8Array(N).fill(1);
  for (let i = 0; i < N; i += 100) allow[i] = 0;
  const got = r.top(data.userVectors, 0, 10, allow);
  assert.deepEqual(got.indices, exact(0, 10, allow));
});

test('int8 with re-rank and float16: lists close to exact, scores are the stored rows dot the query', () => {
  for (const vectors of ['int8', 'float16'] as const) {
    const r = ItemRetrieval.build(opts({ retrieval: 'exact', vectors }), data.itemVectors, N, DIM);
    const rc = recall(r, 10);
    assert.ok(rc >= 0.97, `${vectors} recall@10 ${rc}`);
    const got = r.top(data.userVectors, 3 * DIM, 10);
    const q = queryOf(data.userVectors, 3 * DIM, DIM);
    for (let t = 0; t < 10; t++) assert.ok(Math.abs(got.scores[t]! - r.store.dot(q, got.indices[t]!)) < 1e-5);
    for (let t = 1; t < 10; t++) assert.ok(got.scores[t - 1]! >= got.scores[t]!);
  }
});

test('save/load: the saved graph and a rebuilt one give the lists the built index gives', () => {
  for (const vectors of ['float32', 'int8'] as const) {
    const r = ItemRetrieval.build(opts({ vectors }), data.itemVectors, N, DIM);
    r.remove(5);
    const arrays = structuredClone(r.arrays('items'));
    const meta = structuredClone(r.meta('items'));
    const saved = ItemRetrieval.load(r.options, arrays, meta, 'items', N, DIM, vectors === 'float32' ? undefined : data.itemVectors);
    const { itemsHnsw: _drop, ...withoutGraph } = arrays;
    const rebuilt = ItemRetrieval.load(r.options, withoutGraph, {}, 'items', N, DIM, data.itemVectors);
    assert.ok(saved.isRemoved(5) && rebuilt.isRemoved(5));
    for (let u = 0; u < 200; u += 9) {
      const want = r.top(data.userVectors, u * DIM, 10);
      assert.deepEqual(saved.top(data.userVectors, u * DIM, 10), want);
      if (vectors === 'float32') assert.deepEqual(rebuilt.top(data.userVectors, u * DIM, 10), want); // same seed, same insertion order
    }
  }
});

test('items added after the build are retrievable; removed items never come back', () => {
  for (const retrieval of ['hnsw', 'exact'] as const) {
    const r = ItemRetrieval.build(opts({ retrieval }), data.itemVectors.slice(0, (N - 1) * DIM), N - 1, DIM);
    // a new item that is the best match of user 0: their own vector, longer than anything
    const v = Float32Array.from(data.userVectors.subarray(0, DIM), (x) => x * 10);
    const id = r.add(v);
    assert.equal(id, N - 1);
    assert.equal(r.top(data.userVectors, 0, 5).indices[0], id);
    // a caller's mask made before the item existed does not hide it
    assert.equal(r.top(data.userVectors, 0, 5, new Uint8Array(N - 1), 0).indices[0], id);
    const before = r.top(data.userVectors, 0, 10).indices;
    for (const i of before) r.remove(i);
    const after = r.top(data.userVectors, 0, 10).indices;
    assert.equal(after.length, 10);
    for (const i of after) assert.ok(!before.includes(i), `${retrieval}: removed item ${i} returned`);
    assert.throws(() => r.remove(N + 5), RangeError);
  }
});
