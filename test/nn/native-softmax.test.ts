import assert from 'node:assert/strict';
import { test } from 'node:test';
import { native } from '../../src/math/native.js';
import { softmaxCrossEntropy } from '../../src/nn/losses.js';
import { nativeSoftmaxCrossEntropy } from '../../src/nn/native-softmax.js';
import type { Tensor } from '../../src/nn/params.js';
import { tensorflow } from '../../src/nn/tf.js';
import { randomArray, relativeError } from './grad-check.js';

test('native full-softmax cross-entropy: loss and gradients of h, E and b equal the tfjs form; a wrong target fails', async (t) => {
  if (!native()) return t.skip('native core not built');
  const tf = await tensorflow();
  const [n, d, classes] = [7, 5, 23];
  const h = tf.tensor2d(randomArray(n * d, 1, 2), [n, d]);
  const e = tf.tensor2d(randomArray(classes * d, 2, 2), [classes, d]);
  const b = tf.tensor1d(randomArray(classes, 3, 1));
  const targets = Int32Array.from({ length: n }, (_, r) => (r * 5 + 1) % classes);
  const grads = (loss: (h: Tensor, e: Tensor, b: Tensor) => Tensor) => {
    const { value, grads } = tf.variableGrads(() => loss(hv, ev, bv) as never, [hv, ev, bv]);
    return { value: value.dataSync()[0]!, g: [hv, ev, bv].map((v) => grads[v.name]!.dataSync() as Float32Array) };
  };
  const hv = tf.variable(h, true, 'h');
  const ev = tf.variable(e, true, 'e');
  const bv = tf.variable(b, true, 'b');
  const ref = grads((x, y, z) => softmaxCrossEntropy(tf, x, y, z, tf.tensor1d(targets, 'int32')));
  const got = grads((x, y, z) => nativeSoftmaxCrossEntropy(tf, x, y, z, targets, 2)!);
  assert.ok(Math.abs(got.value - ref.value) < 1e-4 * Math.abs(ref.value), `loss ${got.value} vs ${ref.value}`);
  for (let k = 0; k < 3; k++) assert.ok(relativeError(got.g[k]!, ref.g[k]!) < 1e-4, `gradient ${k}: error ${relativeError(got.g[k]!, ref.g[k]!)}`);
  // large logits do not overflow: the loss stays finite
  const big = nativeSoftmaxCrossEntropy(tf, h.mul(100), e, b, targets, 1)!.dataSync()[0]!;
  assert.ok(Number.isFinite(big) && big > 0, `loss at large logits ${big}`);
  const shifted = Int32Array.from(targets, (x) => (x + 1) % classes);
  const wrong = grads((x, y, z) => nativeSoftmaxCrossEntropy(tf, x, y, z, shifted, 1)!);
  assert.ok(relativeError(wrong.g[0]!, ref.g[0]!) > 0.05, 'another target gives another gradient');
  tf.dispose([h, e, b, hv, ev, bv]);
});
