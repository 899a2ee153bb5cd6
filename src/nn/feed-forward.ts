import type { Rng } from '../math/rng.js';
import { dropout } from './dropout.js';
import type { ParamStore, Tensor } from './params.js';
import type { Tf } from './tf.js';

/** Weights of a point-wise feed-forward layer: d -> hidden -> d. */
export interface FeedForwardWeights {
  w1: Tensor;
  b1: Tensor;
  w2: Tensor;
  b2: Tensor;
}

export function initFeedForward(store: ParamStore, prefix: string, dim: number, hidden: number, rng: Rng): FeedForwardWeights {
  return {
    w1: store.glorot(`${prefix}.w1`, dim, hidden, rng),
    b1: store.constant(`${prefix}.b1`, [hidden], 0),
    w2: store.glorot(`${prefix}.w2`, hidden, dim, rng),
    b2: store.constant(`${prefix}.b2`, [dim], 0),
  };
}

/**
 * The same two-layer ReLU network applied to every position of x [..., d] (no mixing across positions).
 * FLOPs 4 d hidden per position.
 */
export function feedForward(tf: Tf, x: Tensor, w: FeedForwardWeights, dropoutRate = 0, rng?: Rng): Tensor {
  const shape = x.shape;
  const dim = shape[shape.length - 1]!;
  const flat = x.reshape([-1, dim]);
  const hidden = dropout(tf, tf.relu(flat.matMul(w.w1).add(w.b1)), dropoutRate, rng);
  return hidden.matMul(w.w2).add(w.b2).reshape(shape);
}
