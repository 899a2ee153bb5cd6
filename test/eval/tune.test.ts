import assert from 'node:assert/strict';
import { test } from 'node:test';
import { syntheticShop } from '../../src/data/synthetic.js';
import { Rng } from '../../src/math/rng.js';
import { parseSpace, sampleParams, tune } from '../../src/eval/tune.js';
import { runEvaluation } from '../../src/eval/runner.js';

test('sampleParams stays in the space, is seeded, and honours int and log scales', () => {
  const space = parseSpace({ k: [10, 20], shrink: { min: 0, max: 5, int: true }, reg: { min: 0.001, max: 1, log: true } });
  const a = new Rng(1);
  const b = new Rng(1);
  const logs: number[] = [];
  for (let t = 0; t < 200; t++) {
    const p = sampleParams(space, a);
    assert.deepEqual(p, sampleParams(space, b));
    assert.ok(p.k === 10 || p.k === 20);
    assert.ok(Number.isInteger(p.shrink) && (p.shrink as number) >= 0 && (p.shrink as number) <= 5);
    assert.ok((p.reg as number) >= 0.001 && (p.reg as number) <= 1);
    logs.push(Math.log10(p.reg as number));
  }
  // log-uniform: about a third of the draws fall in each decade
  const below = logs.filter((l) => l < -2).length / logs.length;
  assert.ok(below > 0.2 && below < 0.5, `share in [0.001, 0.01): ${below}`);
});

test('parseSpace rejects bad spaces with the name of the dimension', () => {
  assert.throws(() => parseSpace({ k: [] }), /--space: k/);
  assert.throws(() => parseSpace({ reg: { min: 0, max: 1, log: true } }), /reg: need min <= max and min > 0/);
  assert.throws(() => parseSpace({ reg: { min: 2, max: 1 } }), /reg/);
});

test('tune scores trials on valid and measures the best once on test', async () => {
  const dataset = syntheticShop({ users: 200, items: 120, seed: 3 });
  const report = await tune({
    dataset,
    model: 'itemknn',
    space: { k: [5, 50], shrink: [0, 20] },
    trials: 3,
    metric: 'ndcg@10',
    protocol: 'ratio',
    seed: 42,
    ks: [10],
    threads: 1,
  });
  assert.equal(report.trials.length, 3);
  assert.equal(report.best.value, Math.max(...report.trials.map((t) => t.value)));
  const onValid = await runEvaluation({ dataset, model: 'itemknn', params: report.best.params, protocol: 'ratio', seed: 42, ks: [10], on: 'valid' });
  assert.equal(onValid.metrics['ndcg@10'], report.best.value, 'trials are measured on valid');
  assert.notEqual(report.test.metrics['ndcg@10'], report.best.value, 'the final figure comes from test');
  assert.deepEqual(report.test.params, { ...report.test.params, ...report.best.params });
});
