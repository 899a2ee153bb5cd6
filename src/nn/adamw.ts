import type { ParamStore, Tensor, Variable } from './params.js';
import type { Tf } from './tf.js';
import type * as tfTypes from '@tensorflow/tfjs';

export interface AdamWOptions {
  learningRate: number;
  /** decoupled weight decay (Loshchilov & Hutter 2019): w -= lr * weightDecay * w each step */
  weightDecay: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** clip the global gradient norm to this (0 = no clipping) */
  clipNorm?: number;
}

/**
 * AdamW: tfjs's Adam for the gradient step plus decay applied directly to the weights the store marks
 * as decayed (not through the gradient, where Adam's scaling would weaken it for rarely-updated rows).
 * `step(loss)` computes the gradients of every variable in the store, applies them and returns the loss.
 */
export class AdamW {
  private readonly adam: tfTypes.AdamOptimizer;
  private readonly opts: Required<AdamWOptions>;

  constructor(
    private readonly tf: Tf,
    private readonly store: ParamStore,
    opts: AdamWOptions,
  ) {
    this.opts = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, clipNorm: 0, ...opts };
    this.adam = tf.train.adam(this.opts.learningRate, this.opts.beta1, this.opts.beta2, this.opts.epsilon);
  }

  /** One optimisation step on the scalar `loss()`; returns its value before the step. */
  step(loss: () => Tensor): number {
    const tf = this.tf;
    const vars = this.store.list;
    const { value, grads } = tf.variableGrads(loss as () => tfTypes.Scalar, vars);
    let applied: Record<string, Tensor> = grads;
    if (this.opts.clipNorm > 0) applied = this.clip(grads);
    const lr = this.opts.learningRate;
    const wd = this.opts.weightDecay;
    if (wd > 0) {
      tf.tidy(() => {
        for (const v of vars) if (this.store.isDecayed(v)) (v as Variable).assign(v.mul(1 - lr * wd));
      });
    }
    this.adam.applyGradients(applied as Parameters<tfTypes.AdamOptimizer["applyGradients"]>[0]);
    const out = value.dataSync()[0]!;
    value.dispose();
    tf.dispose(grads);
    if (applied !== grads) tf.dispose(applied);
    return out;
  }

  private clip(grads: Record<string, Tensor>): Record<string, Tensor> {
    const tf = this.tf;
    return tf.tidy(() => {
      const norm = Math.sqrt(tf.addN(Object.values(grads).map((g) => g.square().sum())).dataSync()[0]!);
      const scale = norm > this.opts.clipNorm ? this.opts.clipNorm / norm : 1;
      const out: Record<string, Tensor> = {};
      for (const [name, g] of Object.entries(grads)) out[name] = g.mul(scale);
      return out;
    });
  }

  /** Multiplies the learning rate of every later step by `factor` (the moment estimates are kept). */
  scaleLearningRate(factor: number): void {
    this.opts.learningRate *= factor;
    (this.adam as unknown as { learningRate: number }).learningRate = this.opts.learningRate;
  }

  get learningRate(): number {
    return this.opts.learningRate;
  }

  dispose(): void {
    this.adam.dispose();
  }
}
