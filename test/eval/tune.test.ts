import assert from 'node:assert/strict';
import { test } from 'node:test';
import { syntheticShop } from '../../src/data/synthetic.js';
import { Rng } from '../../src/math/rng.js';
import { parseSpace, sampleParams, tune } from '../../src/eval/tune.js';
import { runEvaluation } from '../../src/eval/runner.js';
import { tpeSample, type Observation } from '../../src/eval/tpe.js';

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
  assert.equal(report.trials.length, 4, 'the defaults, then 3 draws');
  assert.deepEqual(report.trials[0]!.params, {}, 'trial 0 is the defaults');
  assert.equal(report.best.value, Math.max(...report.trials.map((t) => t.value)));
  const onValid = await runEvaluation({ dataset, model: 'itemknn', params: report.best.params, protocol: 'ratio', seed: 42, ks: [10], on: 'valid' });
  assert.equal(onValid.metrics['ndcg@10'], report.best.value, 'trials are measured on valid');
  assert.notEqual(report.test.metrics['ndcg@10'], report.best.value, 'the final figure comes from test');
  assert.deepEqual(report.test.params, { ...report.test.params, ...report.best.params });
});

test('tune cannot lose to the defaults: a planted space where every draw is worse keeps the defaults', async () => {
  const dataset = syntheticShop({ users: 200, items: 120, seed: 3 });
  // itemknn with 1 neighbour and heavy shrinkage is far worse than its defaults on valid
  const report = await tune({ dataset, model: 'itemknn', space: { k: [1, 2], shrink: [500, 1000] }, trials: 4, metric: 'ndcg@10', protocol: 'ratio', seed: 42, ks: [10], threads: 1, sampler: 'random' });
  const defaults = report.trials[0]!;
  assert.ok(report.trials.slice(1).every((t) => t.value < defaults.value), 'the planted draws are all worse');
  assert.equal(report.best.trial, 0);
  assert.ok(report.best.value >= defaults.value);
  const onTest = await runEvaluation({ dataset, model: 'itemknn', params: {}, protocol: 'ratio', seed: 42, ks: [10] });
  assert.equal(report.test.metrics['ndcg@10'], onTest.metrics['ndcg@10'], 'the defaults are what is measured on test');
});

test('tune stops at its time budget, always measuring the defaults', async () => {
  const dataset = syntheticShop({ users: 200, items: 120, seed: 3 });
  const report = await tune({ dataset, model: 'itemknn', space: { k: { min: 2, max: 100, int: true } }, trials: 500, metric: 'ndcg@10', protocol: 'ratio', seed: 42, ks: [10], threads: 1, budgetSeconds: 0.3 });
  assert.ok(report.trials.length >= 1 && report.trials.length < 500, `${report.trials.length} trials`);
  assert.deepEqual(report.trials[0]!.params, {});
  assert.ok(report.search_seconds < 5, `searched ${report.search_seconds} s`);
});

test('the TPE sampler finds a planted optimum faster than random draws', () => {
  const space = parseSpace({ x: { min: 0.0001, max: 1, log: true }, c: ['a', 'b', 'c', 'd'] });
  // best at x = 0.01 and c = 'c'
  const objective = (p: Record<string, unknown>) => -Math.abs(Math.log10(p.x as number) + 2) - (p.c === 'c' ? 0 : 1);
  const best = (sampler: 'tpe' | 'random', seed: number) => {
    const rng = new Rng(seed);
    const history: Observation[] = [];
    for (let t = 0; t < 30; t++) {
      const uniform = () => sampleParams(space, rng);
      const p = sampler === 'tpe' ? tpeSample(space, history, rng, uniform) : uniform();
      history.push({ params: p, score: objective(p) });
    }
    return Math.max(...history.map((o) => o.score));
  };
  let tpe = 0;
  let random = 0;
  for (let seed = 1; seed <= 20; seed++) {
    tpe += best('tpe', seed);
    random += best('random', seed);
  }
  assert.ok(tpe > random, `mean best: tpe ${tpe / 20}, random ${random / 20}`);
});

test('early stopping ends bad epoch-based trials sooner and keeps the best trial', async () => {
  const dataset = syntheticShop({ users: 200, items: 120, seed: 3 });
  // bpr validated every epoch; learning rates far too small for 16 epochs are planted among good ones
  const base = { epochs: 16, validateEvery: 1, patience: 100 };
  const space = { learningRate: [0.01, 0.000001, 0.02, 0.000002, 0.005, 0.000005, 0.00001, 0.03] };
  const run = (earlyStopping: 'median' | 'none') =>
    tune({ dataset, model: 'bpr', space, base, trials: 7, metric: 'ndcg@10', protocol: 'ratio', seed: 42, ks: [10], threads: 1, sampler: 'random', earlyStopping });
  const full = await run('none');
  const stopped = await run('median');
  assert.deepEqual(stopped.trials.map((t) => t.params), full.trials.map((t) => t.params), 'the same draws');
  assert.equal(full.stopped, 0);
  assert.ok(stopped.stopped >= 2, `${stopped.stopped} trials stopped`);
  const epochs = (r: typeof full) => r.trials.reduce((s, t) => s + t.epochs!, 0);
  assert.ok(epochs(stopped) < epochs(full) * 0.8, `epochs trained: ${epochs(stopped)} with early stopping, ${epochs(full)} without`);
  assert.deepEqual(stopped.best, { ...full.best, fit_seconds: stopped.best.fit_seconds }, 'the best trial is the same');
  assert.equal(stopped.test.metrics['ndcg@10'], full.test.metrics['ndcg@10']);
  for (const t of stopped.trials.filter((x) => x.stopped)) {
    assert.ok(full.trials[t.trial]!.value < full.best.value, `trial ${t.trial} was stopped and would not have won`);
    assert.ok(t.epochs! < 16 && t.stopped!.epoch! + 1 === t.epochs);
  }
});

test('early stopping of an iterative model (ALS, median-short-fit): a short first fit below the median ends the trial', async () => {
  const dataset = syntheticShop({ users: 200, items: 120, seed: 3 });
  // regularization near 10 fits this data (valid NDCG@10 about 0.34); from 1e6 up it leaves the factors near zero: planted bad draws
  const space = { regularization: [8, 1e6, 10, 3e6, 12, 1e7, 5e6] };
  const run = (earlyStopping: 'median' | 'median-short-fit' | 'none') =>
    tune({ dataset, model: 'als', space, trials: 6, metric: 'ndcg@10', protocol: 'ratio', seed: 42, ks: [10], threads: 1, sampler: 'random', earlyStopping });
  const full = await run('none');
  const stopped = await run('median-short-fit');
  assert.ok(stopped.stopped >= 1, `${stopped.stopped} trials stopped`);
  for (const t of stopped.trials.filter((x) => x.stopped)) {
    assert.ok((t.params.regularization as number) >= 1e6, `only a planted bad draw is stopped, not ${JSON.stringify(t.params)}`);
    assert.equal(t.stopped!.iterations, 4, 'after a quarter of the default 15 iterations');
  }
  assert.equal((await run('median')).stopped, 0, 'the default rule leaves models without epochs alone');
  assert.deepEqual(stopped.best, { ...full.best, fit_seconds: stopped.best.fit_seconds });
});

test('the time budget cuts a running trial and the best finished trial wins', async () => {
  const dataset = syntheticShop({ users: 200, items: 120, seed: 3 });
  // the defaults (2 epochs) finish; the only draw (100,000 epochs, no stopping on valid) cannot, and is cut at the budget
  const report = await tune({ dataset, model: 'bpr', base: { epochs: 2, patience: 0 }, space: { epochs: [100000] }, trials: 3, metric: 'ndcg@10', protocol: 'ratio', seed: 42, ks: [10], threads: 1, budgetSeconds: 1 });
  assert.equal(report.cut, 1);
  assert.equal(report.trials.length, 1, 'only the defaults finished');
  assert.equal(report.best.trial, 0);
  assert.ok(report.search_seconds < 30, `searched ${report.search_seconds} s for a 1 s budget`);
});
