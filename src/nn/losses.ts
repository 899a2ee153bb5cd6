import type { Tensor } from './params.js';
import type { Tf } from './tf.js';

/**
 * Full softmax cross-entropy over every item (SASRec+ / BERT4Rec's loss): for hidden states h [N, d]
 * and targets t [N] (int32 item ids), mean over rows of logsumexp_j(h . e_j + b_j) - (h . e_t + b_t).
 * FLOPs 2 N nItems d forward, twice that backward: the output layer dominates on large catalogues.
 */
export function softmaxCrossEntropy(tf: Tf, h: Tensor, items: Tensor, outBias: Tensor, targets: Tensor): Tensor {
  const logits = h.matMul(items, false, true).add(outBias);
  return logitsCrossEntropy(tf, logits, targets);
}

/**
 * Mean softmax cross-entropy of logits [N, C] against int32 class ids [N], with the closed-form gradient
 * (softmax - one-hot) / N. Autodiff through tf.logSumExp costs ~6x the fused Softmax kernel on WASM.
 */
export function logitsCrossEntropy(tf: Tf, logits: Tensor, targets: Tensor): Tensor {
  const [n, classes] = logits.shape as [number, number];
  // the one-hot matrix goes in as an input (not a closure) so tfjs keeps it alive for the backward pass
  const f = tf.customGrad(((x: Tensor, oneHot: Tensor, save: (t: Tensor[]) => void) => {
    save([x, oneHot]);
    const max = x.max(-1, true);
    const lse = x.sub(max).exp().sum(-1).log().add(max.reshape([n]));
    const value = lse.sub(x.mul(oneHot).sum(-1)).mean();
    const gradFunc = (dy: Tensor, saved: Tensor[]) => [tf.softmax(saved[0]!, -1).sub(saved[1]!).mul(dy.div(n)), tf.zerosLike(saved[1]!)];
    return { value, gradFunc };
  }) as never) as unknown as (x: Tensor, oneHot: Tensor) => Tensor;
  return f(logits, tf.oneHot(targets, classes));
}

/**
 * gSASRec's generalised binary cross-entropy (Petrov & Macdonald 2023) with k sampled negatives:
 * -beta log sigma(s+) - sum_j log(1 - sigma(s-_j)), beta = alpha (t (1 - 1/alpha) + 1/alpha), alpha = k / (nItems - 1).
 * beta < 1 undoes the overconfidence that negative sampling teaches (t = 1 gives the calibrated-softmax
 * limit, t = 0 plain BCE). The k negatives are shared by the batch (one [N, k] matMul instead of N
 * gathers); a negative equal to a row's target is dropped from that row's sum.
 * Returns the mean over rows. FLOPs 2 N k d forward.
 */
export function gbceLoss(
  tf: Tf,
  h: Tensor,
  items: Tensor,
  outBias: Tensor,
  targets: Tensor,
  negatives: Tensor,
  nItems: number,
  t: number,
): Tensor {
  const k = negatives.shape[0]!;
  const alpha = k / Math.max(1, nItems - 1);
  const beta = alpha * (t * (1 - 1 / alpha) + 1 / alpha);
  const positive = h.mul(tf.gather(items, targets)).sum(-1).add(tf.gather(outBias, targets));
  const negLogits = h.matMul(tf.gather(items, negatives), false, true).add(tf.gather(outBias, negatives));
  const keep = tf.tensor2d(collisionMask(targets.dataSync() as Int32Array, negatives.dataSync() as Int32Array), [targets.shape[0]!, k]);
  // -log sigma(s) = softplus(-s); -log(1 - sigma(s)) = softplus(s)
  const posLoss = tf.softplus(positive.neg()).mul(beta);
  const negLoss = tf.softplus(negLogits).mul(keep).sum(-1);
  return posLoss.add(negLoss).mean();
}

/**
 * Sampled softmax with k negatives shared by the batch (uniform sampling, so no log-Q correction):
 * cross-entropy of the positive against itself plus the k negatives, a negative equal to the row's
 * target masked out. Close to full softmax with a few thousand negatives at a fraction of the cost on
 * large catalogues. FLOPs 2 N k d forward.
 */
export function sampledSoftmaxLoss(tf: Tf, h: Tensor, items: Tensor, outBias: Tensor, targets: Tensor, negatives: Tensor): Tensor {
  const k = negatives.shape[0]!;
  const n = targets.shape[0]!;
  const positive = h.mul(tf.gather(items, targets)).sum(-1, true).add(tf.gather(outBias, targets).reshape([n, 1]));
  const negLogits = h.matMul(tf.gather(items, negatives), false, true).add(tf.gather(outBias, negatives));
  const keep = collisionMask(targets.dataSync() as Int32Array, negatives.dataSync() as Int32Array);
  const maskBias = new Float32Array(keep.length);
  for (let j = 0; j < keep.length; j++) if (keep[j] === 0) maskBias[j] = -1e9;
  const logits = tf.concat([positive, negLogits.add(tf.tensor2d(maskBias, [n, k]))], 1);
  return logitsCrossEntropy(tf, logits, tf.zeros([n], 'int32'));
}

/** gSASRec's beta for k negatives out of nItems at calibration t (exported for tests and docs). */
export function gbceBeta(k: number, nItems: number, t: number): number {
  const alpha = k / Math.max(1, nItems - 1);
  return alpha * (t * (1 - 1 / alpha) + 1 / alpha);
}

/** 1 where negative j differs from row r's target, else 0 (a typed-array loop: WASM's broadcasting int Equal is ~50x slower). */
function collisionMask(targets: Int32Array, negatives: Int32Array): Float32Array {
  const k = negatives.length;
  const keep = new Float32Array(targets.length * k).fill(1);
  for (let r = 0; r < targets.length; r++) {
    const t = targets[r]!;
    for (let j = 0; j < k; j++) if (negatives[j] === t) keep[r * k + j] = 0;
  }
  return keep;
}
