/**
 * Per-parameter step sizes for hybrid-mf's three tables (item columns, user columns, item-column biases),
 * as LightFM's two learning schedules: adagrad (accumulated squared gradients start at 1, so the first
 * step is a plain SGD step of learningRate; each step uses the accumulator before its own gradient is
 * added), adadelta (Zeiler 2012, running averages of squared
 * gradients and squared updates, no learning rate), or plain SGD.
 */
export class StepSchedule {
  readonly item: Float32Array;
  readonly user: Float32Array;
  readonly bias: Float32Array;
  /** adadelta: running averages of squared updates */
  readonly itemM: Float32Array;
  readonly userM: Float32Array;
  readonly biasM: Float32Array;
  private readonly kind: 'adagrad' | 'adadelta' | 'sgd';
  private readonly lr: number;
  private readonly rho: number;
  private readonly eps: number;

  constructor(p: { optimizer: 'adagrad' | 'adadelta' | 'sgd'; learningRate: number; rho: number; epsilon: number }, nItem: number, nUser: number, nBias: number) {
    this.kind = p.optimizer;
    this.lr = p.learningRate;
    this.rho = p.rho;
    this.eps = p.epsilon;
    const acc = (n: number) => (this.kind === 'sgd' ? new Float32Array(0) : new Float32Array(n).fill(this.kind === 'adagrad' ? 1 : 0));
    const mom = (n: number) => (this.kind === 'adadelta' ? new Float32Array(n) : new Float32Array(0));
    this.item = acc(nItem);
    this.user = acc(nUser);
    this.bias = acc(nBias);
    this.itemM = mom(nItem);
    this.userM = mom(nUser);
    this.biasM = mom(nBias);
  }

  /** w[k] -= step(g), updating the state of parameter k. */
  apply(w: Float32Array, acc: Float32Array, mom: Float32Array, k: number, g: number): void {
    if (this.kind === 'adagrad') {
      w[k] = w[k]! - (this.lr / Math.sqrt(acc[k]!)) * g;
      acc[k]! += g * g;
    } else if (this.kind === 'adadelta') {
      const a = this.rho * acc[k]! + (1 - this.rho) * g * g;
      acc[k] = a;
      const update = (Math.sqrt(mom[k]! + this.eps) / Math.sqrt(a + this.eps)) * g;
      mom[k] = this.rho * mom[k]! + (1 - this.rho) * update * update;
      w[k] = w[k]! - update;
    } else {
      w[k] = w[k]! - this.lr * g;
    }
  }
}
