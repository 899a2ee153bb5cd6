import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadDataset } from '../../src/data/load.js';
import { runEvaluation } from '../../src/eval/runner.js';
import { native, nativeStatus } from '../../src/math/native.js';
import { SHARED_DATA } from '../helpers/shared-data.js';

/**
 * Models on real data with the native core and with the JS reference (UNIREC_NATIVE=0): the same
 * metrics to 1e-4 (they differ only by float rounding: summation order, FMA, float32 scoring).
 */
const dir = path.join(SHARED_DATA, 'ml-100k');
const skip = !existsSync(dir) ? 'ml-100k not found' : native() ? false : `native core not available: ${nativeStatus()}`;

async function bothWays(run: () => Promise<Record<string, number>>): Promise<[Record<string, number>, Record<string, number>]> {
  const withNative = await run();
  process.env.UNIREC_NATIVE = '0';
  try {
    return [withNative, await run()];
  } finally {
    delete process.env.UNIREC_NATIVE;
  }
}

function assertClose(a: Record<string, number>, b: Record<string, number>, keys: string[], tol = 1e-4): void {
  for (const k of keys) assert.ok(Math.abs(a[k]! - b[k]!) <= tol, `${k}: native ${a[k]} vs JS ${b[k]}`);
}

test('ALS, EASE and mf on ml-100k give the same metrics with the native core and with JS (1e-4)', { skip }, async () => {
  const dataset = await loadDataset(dir);
  const ranking = ['ndcg@10', 'recall@10', 'auc'];
  for (const [model, params] of [
    ['als', { iterations: 6 }],
    ['ease', { lambda: 250 }],
  ] as const) {
    const [n, j] = await bothWays(async () => (await runEvaluation({ dataset, model, params, protocol: 'ratio', seed: 42, ks: [10], threads: 2 })).metrics);
    assertClose(n, j, ranking);
  }
  const [n, j] = await bothWays(
    async () => (await runEvaluation({ dataset, model: 'mf', params: { factors: 50, epochs: 10 }, protocol: 'ratio', seed: 42, ks: [10], threads: 1 })).metrics,
  );
  assertClose(n, j, ['rmse', 'mae']);
});
