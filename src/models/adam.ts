/**
 * Adam (Kingma & Ba 2015) over three parameter arrays (bpr: user factors, item factors, item biases),
 * dense as torch's Adam: every parameter moves every step, with the gradients the caller accumulated in
 * gX / gY / gB (zeroed after each step). beta1 0.9, beta2 0.999, eps 1e-8, bias-corrected.
 */
export class Adam {
  readonly gX: Float32Array;
  readonly gY: Float32Array;
  readonly gB: Float32Array;
  /** first and second moments of [X, Y, B] */
  readonly m: Float32Array[];
  readonly v: Float32Array[];
  private t = 0;

  constructor(
    nX: number,
    nY: number,
    nB: number,
    private readonly lr: number,
  ) {
    this.gX = new Float32Array(nX);
    this.gY = new Float32Array(nY);
    this.gB = new Float32Array(nB);
    this.m = [new Float32Array(nX), new Float32Array(nY), new Float32Array(nB)];
    this.v = [new Float32Array(nX), new Float32Array(nY), new Float32Array(nB)];
  }

  /** The next step's bias-corrected [rate, eps] (advancing the step count). */
  private next(): [number, number] {
    this.t++;
    const c1 = 1 - 0.9 ** this.t;
    const c2 = 1 - 0.999 ** this.t;
    return [(this.lr * Math.sqrt(c2)) / c1, 1e-8 * Math.sqrt(c2)];
  }

  /** [rate, eps] of the next `steps` steps, for a native epoch that takes them itself (bpr's bprEpoch). */
  schedule(steps: number): Float64Array {
    const out = new Float64Array(2 * steps);
    for (let s = 0; s < steps; s++) [out[2 * s], out[2 * s + 1]] = this.next();
    return out;
  }

  step(X: Float32Array, Y: Float32Array, B: Float32Array): void {
    const [rate, eps] = this.next();
    const ws = [X, Y, B];
    const gs = [this.gX, this.gY, this.gB];
    for (let n = 0; n < 3; n++) {
      const w = ws[n]!;
      const g = gs[n]!;
      const m = this.m[n]!;
      const v = this.v[n]!;
      for (let k = 0; k < w.length; k++) {
        const gk = g[k]!;
        const mk = 0.9 * m[k]! + 0.1 * gk;
        const vk = 0.999 * v[k]! + 0.001 * gk * gk;
        m[k] = mk;
        v[k] = vk;
        w[k] = w[k]! - (rate * mk) / (Math.sqrt(vk) + eps);
      }
      g.fill(0);
    }
  }
}
