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
