import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { cleanDataset } from '../../src/data/clean.js';
import type { Dataset } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/load.js';
import { runEvaluation } from '../../src/eval/runner.js';
import { SHARED_DATA } from '../helpers/shared-data.js';

// Each model must learn: on real data (ml-100k, ratio split, seed 42, full ranking) it beats
// Popularity by a margin, and Popularity beats Random.
let ml100k: Dataset | undefined;
async function data(): Promise<Dataset> {
  ml100k ??= cleanDataset(await loadDataset(join(SHARED_DATA, 'ml-100k')));
  return ml100k;
}

async function ndcg(model: string, params: Record<string, unknown> = {}): Promise<number> {
  const r = await runEvaluation({ dataset: await data(), model, params, protocol: 'ratio', seed: 42, ks: [10], threads: 2 });
  return r.metrics['ndcg@10']!;
}

test('on ml-100k: random < popularity < userknn, itemknn (NDCG@10)', async () => {
  const random = await ndcg('random');
  const popularity = await ndcg('popularity');
  const itemknn = await ndcg('itemknn');
  const userknn = await ndcg('userknn');
  const itemknnBm25 = await ndcg('itemknn', { weighting: 'bm25' });
  assert.ok(random < 0.05, `random ${random}`);
  assert.ok(popularity > 2 * random, `popularity ${popularity} vs random ${random}`);
  assert.ok(itemknn > 1.5 * popularity, `itemknn ${itemknn} vs popularity ${popularity}`);
  assert.ok(userknn > 1.3 * popularity, `userknn ${userknn} vs popularity ${popularity}`);
  assert.ok(itemknnBm25 > 1.3 * popularity, `itemknn bm25 ${itemknnBm25} vs popularity ${popularity}`);
});

test('on ml-100k kfold (u1..u5): the bias baseline predicts ratings better than the global mean', async () => {
  const r = await runEvaluation({ dataset: await data(), model: 'bias', protocol: 'kfold', seed: 42, ks: [10], threads: 1 });
  // The global mean scores about 1.12 RMSE on these folds; Surprise's BaselineOnly reports 0.944.
  assert.ok(r.metrics.rmse! < 0.96, `rmse ${r.metrics.rmse}`);
  assert.ok(r.metrics.mae! < 0.77, `mae ${r.metrics.mae}`);
  assert.ok(r.metrics.rmse_std! < 0.05);
});
