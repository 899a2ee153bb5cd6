import { native, type NativeCore } from '../math/native.js';
import type { Tensor } from './params.js';
import type { Tf } from './tf.js';

/**
 * Full softmax cross-entropy over every item with its three products on the native core's sgemm
 * (~100 GFLOP/s a core against ~3.5 in the tfjs WASM kernel): for hidden states h [N, d], item
 * embeddings E [C, d], bias b [C] and target ids t [N], the mean over rows of
 * logsumexp_j(h . e_j + b_j) - (h . e_t + b_t), as one tfjs op with a custom gradient. The forward
 * computes the logits on typed arrays, turns each row into (softmax - one-hot) / N in place (the
 * native softmaxXent kernel; the loss needs only the row's log-sum-exp), and the backward is two more products with that matrix:
 * dh = G E, dE = G^T h, db = column sums of G. On a 12k-item catalogue this makes the output layer,
 * which dominates a sequence model's step, as cheap as a 1k-negative sampled softmax in WASM.
 * Returns undefined when the native core is not available (the caller uses the tfjs form).
 * Memory: one N x C float32 matrix per step (kept for the backward pass).
 */
export function nativeSoftmaxCrossEntropy(
  tf: Tf,
  h: Tensor,
  items: Tensor,
  outBias: Tensor,
  targets: Int32Array,
  threads: number,
): Tensor | undefined {
  const nat = native();
  if (!nat) return undefined;
  const [n, d] = h.shape as [number, number];
  const classes = items.shape[0]!;
  const f = tf.customGrad(((hT: Tensor, eT: Tensor, bT: Tensor) => {
    const hv = hT.dataSync() as Float32Array;
    const ev = eT.dataSync() as Float32Array;
    const g = logitsGradient(nat, hv, ev, bT.dataSync() as Float32Array, targets, n, classes, d, threads);
    const value = tf.scalar(g.loss);
    const gradFunc = (dy: Tensor) => {
      const s = (dy.dataSync() as Float32Array)[0]!;
      const dh = new Float32Array(n * d);
      nat.sgemm(false, false, n, d, classes, s, g.grad, classes, ev, d, 0, dh, d, threads);
      const de = new Float32Array(classes * d);
      nat.sgemm(true, false, classes, d, n, s, g.grad, classes, hv, d, 0, de, d, threads);
      const db = new Float32Array(classes); // column sums: 1^T G
      nat.sgemm(false, false, 1, classes, n, s, new Float32Array(n).fill(1), n, g.grad, classes, 0, db, classes, 1);
      return [tf.tensor2d(dh, [n, d]), tf.tensor2d(de, [classes, d]), tf.tensor1d(db)];
    };
    return { value, gradFunc };
  }) as never) as unknown as (h: Tensor, e: Tensor, b: Tensor) => Tensor;
  return f(h, items, outBias);
}

/**
 * The mean cross-entropy of rows h E^T + b against `targets`, and its gradient with respect to the
 * logits, (softmax - one-hot) / n, as an n x classes matrix (exported for the tests).
 */
export function logitsGradient(
  nat: NativeCore,
  h: Float32Array,
  e: Float32Array,
  bias: Float32Array,
  targets: Int32Array,
  n: number,
  classes: number,
  d: number,
  threads: number,
): { loss: number; grad: Float32Array } {
  const grad = new Float32Array(n * classes);
  for (let r = 0; r < n; r++) grad.set(bias.subarray(0, classes), r * classes);
  nat.sgemm(false, true, n, classes, d, 1, h, d, e, d, 1, grad, classes, threads);
  const loss = nat.softmaxXent(grad, n, classes, targets, 1 / n, threads);
  return { loss: loss / n, grad };
}
