import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/math/rng.js';
import { attentionBias, initAttention, multiHeadAttention } from '../../src/nn/attention.js';
import { layerNorm } from '../../src/nn/layer-norm.js';
import { gbceLoss, sampledSoftmaxLoss, softmaxCrossEntropy } from '../../src/nn/losses.js';
import { ParamStore, type Tensor } from '../../src/nn/params.js';
import { tensorflow } from '../../src/nn/tf.js';
import { encode, initEncoder, type EncoderConfig } from '../../src/nn/transformer.js';
import { analyticGradient, numericGradient, randomArray, relativeError } from './grad-check.js';

// float32 central differences with eps 1e-2 agree with exact gradients to ~1e-3 relative; a wrong
// gradient (a missing term, a wrong mask) is off by 10% or more. 1e-2 separates the two.
const TOL = 1e-2;

test('layer norm: autodiff gradient matches finite differences; a gradient missing the mean/variance terms fails', async () => {
  const tf = await tensorflow();
  const shape = [3, 6];
  const x = randomArray(18, 1, 2);
  const gain = tf.tensor(randomArray(6, 2, 1).map((v) => 1 + 0.5 * v));
  const bias = tf.tensor(randomArray(6, 3, 1));
  const r = tf.tensor(randomArray(18, 4, 1), shape);
  const f = (t: Tensor) => layerNorm(t, gain, bias).mul(r).sum();
  const exact = analyticGradient(tf, f, x, shape);
  const numeric = numericGradient(tf, f, x, shape);
  const err = relativeError(exact, numeric);
  assert.ok(err < TOL, `layer norm gradient relative error ${err}`);
  // the classic bug: treating mean and variance as constants in the backward pass
  const frozen = tf.tensor(x, shape);
  const wrong = analyticGradient(tf, (t) => {
    const mean = frozen.mean(-1, true);
    const inv = frozen.sub(mean).square().mean(-1, true).add(1e-6).rsqrt();
    return t.sub(mean).mul(inv).mul(gain).add(bias).mul(r).sum();
  }, x, shape);
  assert.ok(relativeError(wrong, numeric) > 5 * TOL, `a wrong gradient must fail the check (error ${relativeError(wrong, numeric)})`);
  tf.dispose([gain, bias, r, frozen]);
});

test('multi-head attention with causal and padding masks: gradients wrt inputs and weights match finite differences', async () => {
  const tf = await tensorflow();
  const [batch, length, dim, heads] = [2, 4, 6, 2];
  const store = new ParamStore(tf);
  const w = initAttention(store, 'att', dim, new Rng(5));
  // second sequence has two padding positions at the front (left padding)
  const keep = tf.tensor([[1, 1, 1, 1], [0, 0, 1, 1]]);
  const shape = [batch, length, dim];
  const x = randomArray(batch * length * dim, 6, 1);
  const r = tf.tensor(randomArray(batch * length * dim, 7, 1), shape);
  for (const causal of [true, false]) {
    const bias = attentionBias(tf, keep, causal);
    // only real positions count, as in the encoder (a padded query may have every key masked; its output is discarded)
    const f = (t: Tensor) => multiHeadAttention(tf, t, w, heads, bias).out.mul(r).mul(keep.reshape([batch, length, 1])).sum();
    const err = relativeError(analyticGradient(tf, f, x, shape), numericGradient(tf, f, x, shape));
    assert.ok(err < TOL, `attention (causal=${causal}) input gradient relative error ${err}`);
    const wq = w.wq.dataSync() as Float32Array;
    const viaWq = (t: Tensor) =>
      multiHeadAttention(tf, tf.tensor(x, shape), { ...w, wq: t }, heads, bias).out.mul(r).mul(keep.reshape([batch, length, 1])).sum();
    const errW = relativeError(analyticGradient(tf, viaWq, wq, [dim, dim]), numericGradient(tf, viaWq, wq, [dim, dim]));
    assert.ok(errW < TOL, `attention (causal=${causal}) W_q gradient relative error ${errW}`);
    bias.dispose();
  }
  // the masks really cut information flow: with causal attention the first output ignores later inputs
  const bias = attentionBias(tf, keep, true);
  const first = (t: Tensor) => multiHeadAttention(tf, t, w, heads, bias).out.slice([0, 0, 0], [1, 1, dim]).sum();
  const g = analyticGradient(tf, first, x, shape);
  for (let pos = 1; pos < length; pos++) for (let a = 0; a < dim; a++) assert.equal(g[pos * dim + a], 0, 'position 0 must not see later positions');
  // and padded keys get exactly zero attention weight
  const weights = multiHeadAttention(tf, tf.tensor(x, shape), w, heads, bias).weights.arraySync() as number[][][][];
  for (let h = 0; h < heads; h++) for (let i = 2; i < length; i++) assert.equal(weights[1]![h]![i]![0], 0);
  bias.dispose();
  tf.dispose([keep, r]);
  store.dispose();
});

test('softmax cross-entropy, sampled softmax and gBCE: gradients wrt hidden states and item embeddings match finite differences', async () => {
  const tf = await tensorflow();
  const [n, nItems, dim] = [3, 7, 4];
  const h = randomArray(n * dim, 11, 1);
  const items = randomArray(nItems * dim, 12, 1);
  const bias = tf.tensor(randomArray(nItems, 13, 0.5));
  const targets = tf.tensor1d([2, 5, 0], 'int32');
  const negatives = tf.tensor1d([1, 5, 6], 'int32'); // 5 collides with row 1's target
  const itemsT = tf.tensor(items, [nItems, dim]);
  const hT = tf.tensor(h, [n, dim]);
  const losses = {
    softmax: (hh: Tensor, ii: Tensor) => softmaxCrossEntropy(tf, hh, ii, bias, targets),
    gbce: (hh: Tensor, ii: Tensor) => gbceLoss(tf, hh, ii, bias, targets, negatives, nItems, 0.75),
    sampled: (hh: Tensor, ii: Tensor) => sampledSoftmaxLoss(tf, hh, ii, bias, targets, negatives),
  };
  for (const [name, loss] of Object.entries(losses)) {
    const fh = (t: Tensor) => loss(t, itemsT);
    const errH = relativeError(analyticGradient(tf, fh, h, [n, dim]), numericGradient(tf, fh, h, [n, dim]));
    assert.ok(errH < TOL, `${name}: hidden gradient relative error ${errH}`);
    const fi = (t: Tensor) => loss(hT, t);
    const errI = relativeError(analyticGradient(tf, fi, items, [nItems, dim]), numericGradient(tf, fi, items, [nItems, dim]));
    assert.ok(errI < TOL, `${name}: item gradient relative error ${errI}`);
  }
  // the softmax loss is the mean negative log-probability of the targets
  const logits = tf.tidy(() => hT.matMul(itemsT, false, true).add(bias).arraySync() as number[][]);
  let expected = 0;
  [2, 5, 0].forEach((t, r) => {
    const row = logits[r]!;
    const max = Math.max(...row);
    expected += Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) + max - row[t]!;
  });
  const got = tf.tidy(() => losses.softmax(hT, itemsT).dataSync()[0]!);
  assert.ok(Math.abs(got - expected / 3) < 1e-4, `softmax loss ${got} vs ${expected / 3}`);
  tf.dispose([bias, targets, negatives, itemsT, hT]);
});

test('whole encoder (2 layers, causal, padding): gradient wrt the item embedding table matches finite differences', async () => {
  const tf = await tensorflow();
  const c: EncoderConfig = { nItems: 5, maxLength: 4, dim: 4, heads: 2, layers: 2, hidden: 6, dropout: 0, causal: true };
  const store = new ParamStore(tf);
  const w = initEncoder(store, c, new Rng(3));
  const tokens = tf.tensor2d([[5, 1, 2, 3], [0, 4, 2, 1]], [2, 4], 'int32');
  const r = tf.tensor(randomArray(2 * 4 * 4, 9, 1), [2, 4, 4]);
  const table = w.items.dataSync() as Float32Array;
  const f = (t: Tensor) => encode(tf, { ...w, items: t }, c, tokens).mul(r).slice([0, 1, 0], [2, 3, 4]).sum();
  const err = relativeError(analyticGradient(tf, f, table, [c.nItems + 2, c.dim]), numericGradient(tf, f, table, [c.nItems + 2, c.dim]));
  assert.ok(err < TOL, `encoder gradient relative error ${err}`);
  tf.dispose([tokens, r]);
  store.dispose();
});
