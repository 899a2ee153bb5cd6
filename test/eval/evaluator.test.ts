import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeTrainData } from '../../src/data/dataset.js';
import { Interactions } from '../../src/data/interactions.js';
import { evaluateRanking, evaluateRatings, SAMPLED_WARNING } from '../../src/eval/evaluator.js';
import { Rng } from '../../src/math/rng.js';
import { createModel } from '../../src/pipeline/index.js';
import type { ModelArtifact, Recommender } from '../../src/models/recommender.js';

const close = (actual: number, expected: number, what: string): void =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} != ${expected}`);

function pairs(rows: [number, number, number?][]): Interactions {
  return new Interactions(
    Int32Array.from(rows, (r) => r[0]),
    Int32Array.from(rows, (r) => r[1]),
    Float32Array.from(rows, (r) => r[2] ?? 1),
    new Float64Array(rows.length),
  );
}

/** A model that returns a fixed score table (and predicts rating = user + item). */
class FixedScores implements Recommender {
  readonly name = 'fixed-scores-test';
  readonly params = {};
  constructor(private readonly table: number[][]) {}
  async fit(): Promise<void> {}
  scoreUser(user: number, out: Float32Array): void {
    out.set(this.table[user]!);
  }
  predictRating(user: number, item: number): number {
    return user + item;
  }
  save(): ModelArtifact {
    return { model: this.name, version: 1, params: {}, meta: {}, arrays: {} };
  }
}

// 3 users x 6 items. Train: u0 {0,1}, u1 {2}, u2 {0}. Valid (excluded): u0 {2}. Test: u0 {3,5}, u1 {0}.
const train = makeTrainData(pairs([[0, 0], [0, 1], [1, 2], [2, 0]]), 3, 6);
const valid = pairs([[0, 2]]);
const testSet = pairs([[0, 3], [0, 5], [1, 0]]);
const model = new FixedScores([
  [9, 8, 7, 1, 5, 3], // candidates 3 (1), 4 (5), 5 (3) -> ranking 4 5 3; items 0 1 2 score higher but are excluded
  [4, 0, 9, 2, 1, 3], // candidates 0 1 3 4 5 -> ranking 0 5 3 4 1
  [1, 1, 1, 1, 1, 1], // no test item: not evaluated
]);

test('evaluateRanking on a hand-made case: exclusion, every metric, slices', async () => {
  const r = await evaluateRanking(model, { train, test: testSet, exclude: [valid], ks: [2, 1] });
  assert.equal(r.users, 2);
  assert.deepEqual(r.warnings, []);
  const m = r.metrics;
  // u0: top 4 5 (relevant 3, 5): K=1 nothing; K=2 one hit at rank 2. u1: hit at rank 1.
  const ndcgU0 = 1 / Math.log2(3) / (1 + 1 / Math.log2(3));
  const expected: Record<string, number> = {
    'recall@1': 0.5, 'precision@1': 0.5, 'ndcg@1': 0.5, 'map@1': 0.5, 'mrr@1': 0.5, 'hit@1': 0.5,
    'recall@2': (1 / 2 + 1) / 2,
    'precision@2': (1 / 2 + 1 / 2) / 2,
    'ndcg@2': (ndcgU0 + 1) / 2,
    'map@2': (1 / 4 + 1) / 2,
    'mrr@2': (1 / 2 + 1) / 2,
    'hit@2': 1,
    // u0: negative 4 beats both positives -> 0; u1: 1. gauc weights by test items (2 and 1).
    auc: 0.5,
    gauc: 1 / 3,
    'coverage@1': 2 / 6, // {4, 0}
    'coverage@2': 3 / 6, // {4, 5, 0}
    // exposures at K=2: item 0 once, 4 once, 5 twice -> sorted 0 0 0 1 1 2
    'gini@2': (1 * 1 + 3 * 1 + 5 * 2) / (6 * 4),
    // train pop 2 1 1 0 0 0 -> percentiles 1, .7, .7, .2, .2, .2
    'popularity@2': (0.2 + (1 + 0.2) / 2) / 2,
    // nUsers 3: item 4 (pop 0 -> 1) and item 0 (pop 2)
    'novelty@1': (Math.log2(3) - Math.log2(2 / 3)) / 2,
    // recommended items share no train user: every pair at distance 1
    'diversity@2': 1,
  };
  for (const [key, value] of Object.entries(expected)) close(m[key]!, value, key);

  const byName = Object.fromEntries(r.slices.map((s) => [s.name, s]));
  // activity: u1 has 1 train event, u0 has 2
  assert.equal(byName['users 1 train events']?.users, 1);
  close(byName['users 1 train events']!.metrics['recall@2']!, 1, 'u1 slice');
  close(byName['users 2 train events']!.metrics['recall@2']!, 1 / 2, 'u0 slice');
  // popularity buckets: head = item 0 (2 of 4 train events), mid = item 1, tail = items 2..5
  const head = r.slices.find((s) => s.name.startsWith('head'))!;
  const tail = r.slices.find((s) => s.name.startsWith('tail'))!;
  assert.equal(head.items, 1);
  assert.equal(tail.items, 4);
  assert.equal(head.users, 1); // u1's test item 0
  close(head.metrics['recall@1']!, 1, 'head recall@1');
  close(head.metrics['share@1']!, 1 / 2, 'head share@1'); // recs at 1: 4, 0
  close(head.metrics['share@2']!, 1 / 4, 'head share@2'); // 4 5 0 5
  close(tail.metrics['recall@1']!, 0, 'tail recall@1');
  close(tail.metrics['recall@2']!, 1 / 2, 'tail recall@2'); // u0 finds 5 of {3, 5}
  close(tail.metrics['hit@2']!, 1, 'tail hit@2');
  close(tail.metrics['share@2']!, 3 / 4, 'tail share@2');
});

test('a test item already in train is not relevant; a user left with none is not evaluated', async () => {
  const t = pairs([[0, 0], [1, 0]]); // item 0 is in u0's train
  const r = await evaluateRanking(model, { train, test: t, ks: [1] });
  assert.equal(r.users, 1);
  assert.match(r.warnings[0]!, /1 users/);
});

test('sampled mode: warns, never scores below full ranking, equals full ranking when all negatives are drawn', async () => {
  const full = await evaluateRanking(model, { train, test: testSet, exclude: [valid], ks: [1, 2] });
  const few = await evaluateRanking(model, { train, test: testSet, exclude: [valid], ks: [1, 2], sampled: { n: 1, seed: 5 } });
  assert.ok(few.warnings.some((w) => w.startsWith(SAMPLED_WARNING)));
  for (const key of ['recall@1', 'recall@2', 'ndcg@2', 'hit@1']) assert.ok(few.metrics[key]! >= full.metrics[key]!, key);
  const all = await evaluateRanking(model, { train, test: testSet, exclude: [valid], ks: [1, 2], sampled: { n: 100 } });
  for (const key of ['recall@1', 'recall@2', 'ndcg@2', 'map@2', 'auc', 'gauc']) close(all.metrics[key]!, full.metrics[key]!, key);
});

test('evaluateRatings: rmse and mae of predictRating', () => {
  // predictions user + item: 3, 5, 1 vs ratings 4, 5, 3 -> errors -1, 0, -2
  const r = evaluateRatings(model, pairs([[0, 3, 4], [0, 5, 5], [1, 0, 3]]));
  close(r.rmse, Math.sqrt(5 / 3), 'rmse');
  close(r.mae, 1, 'mae');
});

/** A seeded random dataset split into train / valid / test rows. */
function randomSplit(nUsers: number, nItems: number, seed: number) {
  const rng = new Rng(seed);
  const parts: [number, number][][] = [[], [], []];
  for (let u = 0; u < nUsers; u++) {
    for (let i = 0; i < nItems; i++) {
      // a popularity skew so that head/mid/tail and knn neighbourhoods mean something
      if (rng.next() < 0.3 * Math.exp(-i / (nItems / 3))) {
        const x = rng.next();
        parts[x < 0.8 ? 0 : x < 0.9 ? 1 : 2]!.push([u, i]);
      }
    }
  }
  return { train: makeTrainData(pairs(parts[0]!), nUsers, nItems), valid: pairs(parts[1]!), test: pairs(parts[2]!) };
}

test('worker threads give exactly the in-process result', async () => {
  const data = randomSplit(240, 150, 9);
  for (const name of ['itemknn', 'random']) {
    const m = createModel(name, {});
    await m.fit(data.train, { seed: 1, threads: 1 });
    for (const sampled of [undefined, { n: 10, seed: 3 }]) {
      const opts = { train: data.train, test: data.test, exclude: [data.valid], ks: [5, 10], sampled };
      const here = await evaluateRanking(m, { ...opts, threads: 1 });
      let ticks = 0;
      const progress = { start: () => ({ tick: (n = 1) => void (ticks += n), done() {} }) };
      const there = await evaluateRanking(m, { ...opts, threads: 2, workerThreshold: 0, progress });
      assert.deepEqual(there, here, `${name} sampled=${sampled !== undefined}`);
      assert.equal(ticks, data.test.countByUser(240).filter((c) => c > 0).length);
      assert.ok(here.metrics['auc']! > 0 && here.metrics['coverage@10']! > 0);
    }
  }
});

test('worker threads give exactly the in-process result for a re-ranked pipeline (valid items stay out of its pools)', async () => {
  const data = randomSplit(240, 150, 9);
  const m = createModel('pipeline', { retrievers: [{ model: 'itemknn' }], fusion: 'weighted', rerank: [{ type: 'mmr', similarity: 'interactions', lambda: 0.5, pool: 20 }] });
  await m.fit(data.train, { seed: 1, threads: 1, valid: data.valid });
  const opts = { train: data.train, test: data.test, exclude: [data.valid], ks: [5, 10] };
  assert.deepEqual(await evaluateRanking(m, { ...opts, threads: 2, workerThreshold: 0 }), await evaluateRanking(m, { ...opts, threads: 1 }));
});

test('an aborted signal stops the evaluation, in process and on workers', async () => {
  const data = randomSplit(60, 40, 2);
  const m = createModel('popularity', {});
  await m.fit(data.train, { seed: 1, threads: 1 });
  const signal = AbortSignal.abort(new Error('stop'));
  const opts = { train: data.train, test: data.test, signal };
  await assert.rejects(evaluateRanking(m, opts), /stop/);
  await assert.rejects(evaluateRanking(m, { ...opts, threads: 2, workerThreshold: 0 }), /stop/);
});
