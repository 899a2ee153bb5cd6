import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dataset } from '../../src/data/dataset.js';
import { IdMap } from '../../src/data/idmap.js';
import { Interactions } from '../../src/data/interactions.js';
import { runEvaluation, type EvaluationReport } from '../../src/eval/runner.js';
import { Rng } from '../../src/math/rng.js';
import { syntheticShop } from '../../src/data/synthetic.js';

/** 80 users x 50 items, popularity-skewed, ratings 1..5 with a per-item quality, times in order. */
function synthetic(seed: number): Dataset {
  const rng = new Rng(seed);
  const user: number[] = [];
  const item: number[] = [];
  const value: number[] = [];
  const ts: number[] = [];
  for (let u = 0; u < 80; u++) {
    for (let i = 0; i < 50; i++) {
      if (rng.next() < 0.5 * Math.exp(-i / 20)) {
        user.push(u);
        item.push(i);
        value.push(Math.min(5, Math.max(1, Math.round(3 + (i % 3) - 1 + rng.normal() * 0.5))));
        ts.push(ts.length);
      }
    }
  }
  return {
    name: 'synthetic-eval',
    source: 'synthetic',
    users: IdMap.from(Array.from({ length: 80 }, (_, u) => `u${u}`)),
    items: IdMap.from(Array.from({ length: 50 }, (_, i) => `i${i}`)),
    interactions: new Interactions(Int32Array.from(user), Int32Array.from(item), Float32Array.from(value), Float64Array.from(ts)),
    hasRatings: true,
    hasTime: true,
    notes: [],
  };
}

const timeless = (r: EvaluationReport) => ({ ...r, fit_seconds: 0, eval_seconds: 0 });

test('runEvaluation returns the DESIGN contract and is deterministic for a seed', async () => {
  const dataset = synthetic(1);
  const opts = { dataset, model: 'itemknn', params: { k: 20 }, protocol: 'ratio' as const, seed: 42, ks: [5, 10] };
  const a = await runEvaluation(opts);
  const b = await runEvaluation(opts);
  assert.deepEqual(timeless(a), timeless(b));
  for (const key of ['model', 'params', 'protocol', 'seed', 'data', 'metrics', 'fit_seconds', 'eval_seconds']) {
    assert.ok(key in a, key);
  }
  assert.equal(a.model, 'itemknn');
  assert.equal(a.params['k'], 20);
  assert.equal(a.params['shrink'], 10); // defaults filled in
  assert.deepEqual(a.data, { users: 80, items: 50, interactions: dataset.interactions.length });
  for (const m of ['auc', 'gauc', 'recall@10', 'precision@5', 'ndcg@10', 'map@10', 'mrr@10', 'hit@10', 'coverage@10', 'novelty@10', 'diversity@10', 'popularity@10', 'gini@10']) {
    assert.ok(Number.isFinite(a.metrics[m]), m);
  }
  assert.ok(a.metrics['auc']! > 0.5, 'itemknn beats random on skewed data');
  assert.ok(a.slices!.some((s) => s.group === 'user activity') && a.slices!.some((s) => s.group === 'item popularity'));
  assert.equal(a.warnings, undefined);
  JSON.parse(JSON.stringify(a));
  const other = await runEvaluation({ ...opts, seed: 7 });
  assert.notDeepEqual(timeless(other).metrics, a.metrics);
});

test('kfold averages over 5 folds with _std, rmse/mae for a rating model', async () => {
  const r = await runEvaluation({ dataset: synthetic(2), model: 'bias', protocol: 'kfold', seed: 3, ks: [10] });
  assert.equal(r.folds, 5);
  for (const m of ['rmse', 'mae', 'recall@10', 'auc']) {
    assert.ok(Number.isFinite(r.metrics[m]), m);
    assert.ok(r.metrics[`${m}_std`]! >= 0, `${m}_std`);
  }
  assert.ok(r.metrics['rmse']! < 1.5, `rmse ${r.metrics['rmse']}`);
});

test('loo with sampled negatives carries the bias warning', async () => {
  const r = await runEvaluation({ dataset: synthetic(3), model: 'popularity', protocol: 'loo', seed: 1, ks: [10], sampled: 20 });
  assert.ok(r.warnings?.some((w) => /biased/.test(w) && /Krichene/.test(w)));
  assert.ok(Number.isFinite(r.metrics['ndcg@10']));
});

test('an epoch-based model\'s report carries its training log: epochs run, best epoch, per-epoch loss and valid metric', async () => {
  const dataset = syntheticShop({ users: 200, items: 120, seed: 3 });
  const report = await runEvaluation({ dataset, model: 'bpr', params: { factors: 8, epochs: 12, validateEvery: 1, patience: 3 }, protocol: 'ratio', seed: 42, ks: [10] });
  const t = report.training!;
  assert.ok(t.epochs_run >= 1 && t.epochs_run <= 12 && t.epochs.length === t.epochs_run);
  assert.ok(t.best_epoch >= 0 && t.best_epoch < t.epochs_run);
  assert.ok(t.epochs.every((e, n) => e.epoch === n && Number.isFinite(e.loss) && e.valid !== undefined && e.seconds >= 0));
  const knn = await runEvaluation({ dataset, model: 'itemknn', protocol: 'ratio', seed: 42, ks: [10] });
  assert.equal(knn.training, undefined, 'models without epochs report none');
});
