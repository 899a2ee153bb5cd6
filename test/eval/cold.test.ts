import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dataset } from '../../src/data/dataset.js';
import { makeTrainData } from '../../src/data/dataset.js';
import { IdMap } from '../../src/data/idmap.js';
import { Interactions } from '../../src/data/interactions.js';
import { evaluateRanking } from '../../src/eval/evaluator.js';
import { runEvaluation } from '../../src/eval/runner.js';
import { Rng } from '../../src/math/rng.js';
import { createModel } from '../../src/models/index.js';
import type { History, ModelArtifact, Recommender } from '../../src/models/recommender.js';

function pairs(rows: [number, number, number?][]): Interactions {
  return new Interactions(
    Int32Array.from(rows, (r) => r[0]),
    Int32Array.from(rows, (r) => r[1]),
    Float32Array.from(rows, (r) => r[2] ?? 1),
    Float64Array.from(rows, (_, k) => k),
  );
}

class FixedScores implements Recommender {
  readonly name = 'fixed-scores-cold-test';
  readonly params = {};
  readonly folded: History[] = [];
  constructor(
    private readonly table: number[][],
    private readonly fold?: (h: History) => number[],
  ) {}
  async fit(): Promise<void> {}
  scoreUser(user: number, out: Float32Array): void {
    out.set(this.table[user]!);
  }
  save(): ModelArtifact {
    return { model: this.name, version: 1, params: {}, meta: {}, arrays: {} };
  }
}

function withFoldIn(table: number[][], fold: (h: History) => number[]): FixedScores & Required<Pick<Recommender, 'foldIn'>> {
  const m = new FixedScores(table) as FixedScores & Required<Pick<Recommender, 'foldIn'>>;
  m.foldIn = (h, out) => {
    m.folded.push({ ...h, items: Int32Array.from(h.items) });
    out.set(fold(h));
  };
  return m;
}

// 3 users x 6 items; train u0 {0, 1}, u1 {2}, u2 {0, 1, 2}
const train = makeTrainData(pairs([[0, 0], [0, 1], [1, 2], [2, 0], [2, 1], [2, 2]]), 3, 6);

test('candidates: only those items are ranked, and only they count as relevant', async () => {
  const model = new FixedScores([
    [9, 9, 1, 2, 8, 3],
    [9, 9, 9, 2, 1, 3],
    [0, 0, 0, 0, 0, 0],
  ]);
  const test = pairs([[0, 3], [0, 5], [1, 4]]);
  // candidates 3 and 4: u0 ranks 4 then 3 (relevant 3; 5 is not a candidate), u1 ranks 3 then 4 (relevant 4)
  const r = await evaluateRanking(model, { train, test, candidates: Int32Array.of(3, 4), ks: [1, 2] });
  assert.equal(r.users, 2);
  assert.equal(r.metrics['hit@1'], 0);
  assert.equal(r.metrics['recall@2'], 1);
  assert.equal(r.metrics['ndcg@2'], 1 / Math.log2(3));
  assert.equal(r.metrics['auc'], 0);
  // sampled mode draws its negatives among the candidates only: with enough of them it equals full ranking
  const s = await evaluateRanking(model, { train, test, candidates: Int32Array.of(3, 4), ks: [1, 2], sampled: { n: 10, seed: 1 } });
  assert.equal(s.metrics['ndcg@2'], r.metrics['ndcg@2']);
  assert.equal(s.metrics['auc'], 0);
});

test('foldIn: cold users are scored from their events and id; their events are not candidates', async () => {
  // u1 is cold: given item 4 first, test item 5
  const model = withFoldIn(
    [
      [0, 0, 0, 1, 2, 3],
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0],
    ],
    () => [0, 0, 0, 1, 9, 8],
  );
  const coldTrain = makeTrainData(pairs([[0, 0], [0, 1], [2, 0]]), 3, 6);
  const test = pairs([[0, 5], [1, 5]]);
  const events = new Interactions(Int32Array.of(1), Int32Array.of(4), Float32Array.of(4), Float64Array.of(7));
  const r = await evaluateRanking(model, { train: coldTrain, test, foldIn: { users: Int32Array.of(1), events }, ks: [1] });
  assert.equal(model.folded.length, 1);
  assert.deepEqual(Array.from(model.folded[0]!.items), [4]);
  assert.deepEqual(Array.from(model.folded[0]!.values!), [4]);
  assert.deepEqual(Array.from(model.folded[0]!.ts!), [7]);
  assert.equal(model.folded[0]!.user, 1);
  // u0: 5 first (hit); u1: 4 would be first but is a fold-in event, so 5 (hit)
  assert.equal(r.metrics['hit@1'], 1);
});

test('foldIn: a model without foldIn, or with flat fold-in scores, falls back to train popularity', async () => {
  const flat = withFoldIn([[], [], []], () => [1, 1, 1, 1, 1, 1]);
  const none = new FixedScores([[], [], []]);
  // popularity in train: item 0 (2 users) > 1 = 2 (1 user); cold users 0 and 1
  const popTrain = makeTrainData(pairs([[2, 0], [2, 1], [3, 0], [3, 2]]), 4, 6);
  const test = pairs([[0, 0], [1, 3]]);
  for (const model of [flat, none]) {
    const r = await evaluateRanking(model, { train: popTrain, test, foldIn: { users: Int32Array.of(0, 1), events: Interactions.empty() }, ks: [1] });
    assert.equal(r.metrics['hit@1'], 0.5, model === flat ? 'flat' : 'no foldIn');
  }
});

/** A dataset with attributes, for the runner and the thread-count check. */
function shop(): Dataset {
  const rng = new Rng(5);
  const u: number[] = [];
  const i: number[] = [];
  for (let user = 0; user < 120; user++) {
    for (let item = 0; item < 60; item++) if (rng.next() < 0.25 * Math.exp(-item / 30)) u.push(user), i.push(item);
  }
  return {
    name: 'cold-shop',
    source: 'synthetic',
    users: IdMap.from(Array.from({ length: 120 }, (_, k) => `u${k}`)),
    items: IdMap.from(Array.from({ length: 60 }, (_, k) => `i${k}`)),
    interactions: new Interactions(Int32Array.from(u), Int32Array.from(i), new Float32Array(u.length).fill(1), Float64Array.from(u, (_, k) => k)),
    hasRatings: false,
    hasTime: true,
    notes: [],
  };
}

test('runEvaluation: cold protocols report what was held out', async () => {
  const ds = shop();
  const items = await runEvaluation({ dataset: ds, model: 'popularity', protocol: 'cold-items', seed: 1, ks: [5] });
  assert.deepEqual(items.cold, { items: 6 });
  assert.equal(items.protocol, 'cold-items');
  const users = await runEvaluation({ dataset: ds, model: 'itemknn', protocol: 'cold-users', seed: 1, ks: [5], coldEvents: 2 });
  assert.deepEqual(users.cold, { users: 12, events: 2 });
  assert.ok(users.metrics['ndcg@5']! > 0);
});

test('cold protocols give the same numbers on worker threads as on one thread', async () => {
  const ds = shop();
  const x = ds.interactions;
  const model = createModel('itemknn', { k: 20 });
  // cold users 0..9 with their first 2 events given; cold items 50..59 as the candidates
  const cold = new Uint8Array(120).fill(0, 0, 120);
  for (let k = 0; k < 10; k++) cold[k] = 1;
  const trainRows: number[] = [];
  const foldRows: number[] = [];
  const testRows: number[] = [];
  const seen = new Int32Array(120);
  for (let r = 0; r < x.length; r++) {
    if (!cold[x.user[r]!]) (x.item[r]! >= 50 ? testRows : trainRows).push(r);
    else (seen[x.user[r]!]!++ < 2 ? foldRows : testRows).push(r);
  }
  const trainData = makeTrainData(x.select(trainRows), 120, 60);
  await model.fit(trainData, { seed: 1, threads: 1 });
  const opts = {
    train: trainData,
    test: x.select(testRows),
    foldIn: { users: Int32Array.from({ length: 10 }, (_, k) => k), events: x.select(foldRows) },
    ks: [5, 10],
  };
  const one = await evaluateRanking(model, { ...opts, threads: 1 });
  const two = await evaluateRanking(model, { ...opts, threads: 2, workerThreshold: 0 });
  assert.deepEqual(two.metrics, one.metrics);
  const cand = { ...opts, foldIn: undefined, candidates: Int32Array.from({ length: 10 }, (_, k) => 50 + k) };
  const c1 = await evaluateRanking(model, { ...cand, threads: 1 });
  const c2 = await evaluateRanking(model, { ...cand, threads: 2, workerThreshold: 0 });
  assert.deepEqual(c2.metrics, c1.metrics);
  assert.ok(c1.metrics['coverage@10']! <= 10 / 60 + 1e-9, 'only candidates recommended');
});
