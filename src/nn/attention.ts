import type { Rng } from '../math/rng.js';
import { dropout } from './dropout.js';
import type { ParamStore, Tensor } from './params.js';
import type { Tf } from './tf.js';

/** Weights of one multi-head self-attention layer: d x d projections and their biases. */
export interface AttentionWeights {
  wq: Tensor;
  bq: Tensor;
  wk: Tensor;
  bk: Tensor;
  wv: Tensor;
  bv: Tensor;
  wo: Tensor;
  bo: Tensor;
}

export function initAttention(store: ParamStore, prefix: string, dim: number, rng: Rng): AttentionWeights {
  const w = (n: string) => store.glorot(`${prefix}.${n}`, dim, dim, rng);
  const b = (n: string) => store.constant(`${prefix}.${n}`, [dim], 0);
  return { wq: w('wq'), bq: b('bq'), wk: w('wk'), bk: b('bk'), wv: w('wv'), bv: b('bv'), wo: w('wo'), bo: b('bo') };
}

/** Large negative logit for masked keys: exp underflows to exactly 0 in float32, and no -Inf NaNs appear. */
export const MASKED = -1e9;

/**
 * Additive attention bias [B, 1, L, L] from a [B, L] 0/1 "real item" mask: 0 where query i may attend to
 * key j, MASKED otherwise. Keys that are padding are always masked; `causal` also masks keys after the
 * query (j > i), so position i sees only the past (SASRec); without it attention is bidirectional (BERT4Rec).
 */
export function attentionBias(tf: Tf, keep: Tensor, causal: boolean): Tensor {
  return tf.tidy(() => {
    const [batch, length] = keep.shape as [number, number];
    let allowed = keep.reshape([batch, 1, 1, length]);
    if (causal) allowed = allowed.mul(tf.tensor(lowerTriangle(length), [1, 1, length, length]));
    return tf.scalar(1).sub(allowed).mul(MASKED);
  });
}

/**
 * Multi-head scaled dot-product self-attention (Vaswani et al. 2017) on x [B, L, d]:
 * softmax(Q K^T / sqrt(d_h) + bias) V per head, heads concatenated, then the output projection.
 * FLOPs per sequence: 8 L d^2 (four projections) + 4 L^2 d (scores and weighted sum).
 * Also returns the attention weights [B, H, L, L] (for tests; unused tensors are freed by the caller's tidy).
 */
export function multiHeadAttention(
  tf: Tf,
  x: Tensor,
  w: AttentionWeights,
  heads: number,
  bias: Tensor,
  dropoutRate = 0,
  rng?: Rng,
): { out: Tensor; weights: Tensor } {
  const [batch, length, dim] = x.shape as [number, number, number];
  if (dim % heads !== 0) throw new RangeError(`dim ${dim} is not divisible by heads ${heads}`);
  const dh = dim / heads;
  const flat = x.reshape([batch * length, dim]);
  const split = (t: Tensor) => t.reshape([batch, length, heads, dh]).transpose([0, 2, 1, 3]);
  const q = split(flat.matMul(w.wq).add(w.bq));
  const k = split(flat.matMul(w.wk).add(w.bk));
  const v = split(flat.matMul(w.wv).add(w.bv));
  const scores = tf.matMul(q, k, false, true).mul(1 / Math.sqrt(dh)).add(bias);
  const weights = tf.softmax(scores, -1);
  const mixed = tf.matMul(dropout(tf, weights, dropoutRate, rng), v);
  const joined = mixed.transpose([0, 2, 1, 3]).reshape([batch * length, dim]);
  return { out: joined.matMul(w.wo).add(w.bo).reshape([batch, length, dim]), weights };
}

/** L x L matrix with ones on and below the diagonal (key j <= query i). */
function lowerTriangle(length: number): Float32Array {
  const m = new Float32Array(length * length);
  for (let i = 0; i < length; i++) m.fill(1, i * length, i * length + i + 1);
  return m;
}
