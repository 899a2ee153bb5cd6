import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadDataset } from '../../src/data/load.js';
import { runEvaluation } from '../../src/eval/runner.js';

const dir = path.resolve(process.cwd(), '../shared/data/ml-100k');

test('on ml-100k (ratio, seed 42) ease and als beat itemknn on NDCG@10', { skip: !existsSync(dir) && 'ml-100k not found' }, async () => {
  const dataset = await loadDataset(dir);
  const ndcg: Record<string, number> = {};
  for (const model of ['itemknn', 'ease', 'als']) {
    const report = await runEvaluation({ dataset, model, protocol: 'ratio', seed: 42, ks: [10], threads: 2 });
    ndcg[model] = report.metrics['ndcg@10']!;
  }
  assert.ok(ndcg.ease! > ndcg.itemknn! + 0.02, JSON.stringify(ndcg));
  assert.ok(ndcg.als! > ndcg.itemknn! + 0.02, JSON.stringify(ndcg));
});

test('on ml-100k (ratio, seed 42) bpr beats popularity on NDCG@10', { skip: !existsSync(dir) && 'ml-100k not found' }, async () => {
  const dataset = await loadDataset(dir);
  const run = async (model: string, params = {}) =>
    (await runEvaluation({ dataset, model, params, protocol: 'ratio', seed: 42, ks: [10], threads: 2 })).metrics['ndcg@10']!;
  const popularity = await run('popularity');
  const bpr = await run('bpr', { epochs: 20 });
  assert.ok(bpr > 1.5 * popularity, `bpr ${bpr} vs popularity ${popularity}`);
});

test('on ml-100k (ratio, seed 42) mf and svdpp predict ratings better than the bias baseline', { skip: !existsSync(dir) && 'ml-100k not found' }, async () => {
  const dataset = await loadDataset(dir);
  const rmse = async (model: string, params = {}) =>
    (await runEvaluation({ dataset, model, params, protocol: 'ratio', seed: 42, ks: [10], threads: 1 })).metrics.rmse!;
  const bias = await rmse('bias');
  const mf = await rmse('mf', { factors: 50, epochs: 30 });
  const svdpp = await rmse('svdpp');
  assert.ok(mf < bias - 0.01, `mf ${mf} vs bias ${bias}`);
  assert.ok(svdpp < bias - 0.01, `svdpp ${svdpp} vs bias ${bias}`);
});
