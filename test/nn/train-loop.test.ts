import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/math/rng.js';
import { AdamW } from '../../src/nn/adamw.js';
import { dropout } from '../../src/nn/dropout.js';
import { ParamStore } from '../../src/nn/params.js';
import { tensorflow } from '../../src/nn/tf.js';
import { shuffledBatches, trainLoop } from '../../src/nn/train-loop.js';

test('AdamW fits a linear model; weight decay shrinks decayed weights only; no tensor leaks per step', async () => {
  const tf = await tensorflow();
  const store = new ParamStore(tf);
  const w = store.normal('w', [3, 1], 0.1, new Rng(1));
  const b = store.constant('b', [1], 0);
  const x = tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]]);
  const y = tf.tensor2d([[2], [-1], [0.5], [1.5]]);
  const opt = new AdamW(tf, store, { learningRate: 0.05, weightDecay: 0 });
  const loss = () => x.matMul(w).add(b).sub(y).square().mean();
  const first = opt.step(loss);
  const tensors = tf.memory().numTensors;
  let last = first;
  for (let k = 0; k < 300; k++) last = opt.step(loss);
  assert.equal(tf.memory().numTensors, tensors, 'steps must not leak tensors');
  assert.ok(last < 1e-3 && last < first / 100, `loss ${first} -> ${last}`);
  // pure decay: with a zero loss gradient, w shrinks by (1 - lr wd) per step and b (not decayed) stays
  const decay = new AdamW(tf, store, { learningRate: 0.1, weightDecay: 0.5 });
  const w0 = w.dataSync()[0]!;
  const b0 = b.dataSync()[0]!;
  decay.step(() => w.sum().mul(0).add(b.sum().mul(0)));
  assert.ok(Math.abs(w.dataSync()[0]! - w0 * 0.95) < 1e-6);
  assert.equal(b.dataSync()[0], b0);
  opt.dispose();
  decay.dispose();
  tf.dispose([x, y]);
  store.dispose();
});

test('dropout is seeded: same seed same mask, rate respected, expectation preserved', async () => {
  const tf = await tensorflow();
  const x = tf.ones([100, 100]);
  const a = dropout(tf, x, 0.3, new Rng(4)).dataSync();
  const b = dropout(tf, x, 0.3, new Rng(4)).dataSync();
  assert.deepEqual(a, b);
  const zeros = a.filter((v) => v === 0).length / a.length;
  assert.ok(Math.abs(zeros - 0.3) < 0.02, `dropped fraction ${zeros}`);
  let mean = 0;
  for (const v of a as Float32Array) mean += v / a.length;
  assert.ok(Math.abs(mean - 1) < 0.03, `mean ${mean}`);
  assert.equal(dropout(tf, x, 0.3, undefined), x, 'no rng = inference = identity');
  x.dispose();
});

test('trainLoop: early stopping restores the best validated weights; an aborted signal cancels', async () => {
  const metrics = [0.1, 0.3, 0.2, 0.25, 0.2, 0.9];
  let weights = -1;
  let restored: number | undefined;
  const labels: string[] = [];
  const epochLines: string[] = [];
  const result = await trainLoop({
    label: 't',
    epochs: 6,
    batches: () => 2,
    step: (epoch) => {
      weights = epoch;
      return 1 / (epoch + 1);
    },
    validate: () => metrics[weights]!,
    patience: 2,
    snapshot: () => weights,
    restore: (s) => (restored = s),
    progress: {
      start: (label) => (labels.push(label), { tick() {}, done() {} }),
      epoch: (label, total, r) => void epochLines.push(`${label} ${r.epoch + 1}/${total} ${r.loss} ${r.valid}`),
    },
  });
  assert.equal(result.bestEpoch, 1);
  assert.deepEqual(epochLines, ['t 1/6 1 0.1', 't 2/6 0.5 0.3', 't 3/6 0.3333333333333333 0.2', 't 4/6 0.25 0.25'], 'one report per epoch');
  assert.equal(result.log.epochs_run, 4);
  assert.equal(result.log.best_epoch, 1);
  assert.deepEqual(result.log.epochs.map((e) => e.valid), [0.1, 0.3, 0.2, 0.25]);
  assert.equal(result.stoppedEarly, true);
  assert.equal(result.epochs.length, 4, 'two validations without improvement after epoch 2 stop the loop');
  assert.equal(restored, 1);
  assert.match(labels[1]!, /loss 1\.0000 valid 0\.1000/);
  const controller = new AbortController();
  controller.abort(new Error('stop now'));
  await assert.rejects(trainLoop({ label: 't', epochs: 3, batches: () => 1, step: () => 0, signal: controller.signal }), /stop now/);
  const batches = shuffledBatches(10, 4, new Rng(1));
  assert.deepEqual(batches.map((x) => x.length), [4, 4, 2]);
  assert.deepEqual([...batches.flatMap((x) => [...x])].sort((p, q) => p - q), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('trainLoop anneal: when patience runs out it goes back to the best weights, lowers the rate and trains on', async () => {
  // validation after each epoch; the "weights" are the epoch they were trained in, restore puts one back
  const metrics = [0.1, 0.3, 0.2, 0.25, 0.35, 0.34, 0.33, 0.36, 0.3, 0.3];
  let weights = -1;
  const restored: number[] = [];
  let lowered = 0;
  const result = await trainLoop({
    label: 't',
    epochs: 10,
    batches: () => 1,
    step: (epoch) => ((weights = epoch), 1),
    validate: () => metrics[weights]!,
    patience: 2,
    anneal: { times: 2, patience: 2, lower: () => lowered++ },
    snapshot: () => weights,
    restore: (s) => void restored.push(s),
  });
  // epochs 2, 3 fail -> back to 1, lower; 4 improves; 5, 6 fail -> back to 4, lower; 7 improves; 8, 9 fail -> stop
  assert.equal(lowered, 2);
  assert.deepEqual(restored, [1, 4, 7]);
  assert.equal(result.bestEpoch, 7);
  assert.equal(result.stoppedEarly, true);
  assert.deepEqual(result.log.epochs.filter((e) => e.annealed).map((e) => e.epoch), [3, 6]);
  assert.equal(result.log.epochs_run, 10);
});

test('AdamW.scaleLearningRate: later steps move by the scaled rate', async () => {
  const tf = await tensorflow();
  const store = new ParamStore(tf);
  const w = store.constant('w', [1], 0);
  const opt = new AdamW(tf, store, { learningRate: 0.1, weightDecay: 0 });
  const loss = () => w.sum().mul(-1); // constant gradient -1: Adam's step is the learning rate
  opt.step(loss);
  const first = w.dataSync()[0]!;
  opt.scaleLearningRate(0.1);
  assert.ok(Math.abs(opt.learningRate - 0.01) < 1e-12);
  opt.step(loss);
  const second = w.dataSync()[0]! - first;
  assert.ok(Math.abs(first - 0.1) < 1e-4 && Math.abs(second - 0.01) < 1e-4, `steps ${first}, ${second}`);
  opt.dispose();
  store.dispose();
});
