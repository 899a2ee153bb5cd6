import type { Rng } from '../math/rng.js';
import type { Tf } from './tf.js';
import type * as tfTypes from '@tensorflow/tfjs';

export type Variable = tfTypes.Variable;
export type Tensor = tfTypes.Tensor;

/**
 * The trainable weights of a network: named tf.Variables in creation order, initialised from our seeded
 * Rng (not tfjs's own random streams) so the same seed gives the same bits. `decayed` marks which
 * weights AdamW shrinks (matrices and embeddings; never biases or layer-norm gains, as in BERT).
 */
let stores = 0;

export class ParamStore {
  private readonly vars = new Map<string, Variable>();
  /** tfjs registers variables by a process-wide name, so each store prefixes its own id */
  private readonly prefix = `p${++stores}/`;
  private readonly decayedVars = new Set<Variable>();

  constructor(private readonly tf: Tf) {}

  /** A new weight from the given values (copied). */
  add(name: string, values: Float32Array, shape: number[], decay: boolean): Variable {
    if (this.vars.has(name)) throw new Error(`parameter "${name}" defined twice`);
    const v = this.tf.tidy(() => this.tf.variable(this.tf.tensor(values, shape, 'float32'), true, this.prefix + name));
    this.vars.set(name, v);
    if (decay) this.decayedVars.add(v);
    return v;
  }

  /** Truncated-normal-like init: N(0, std) clipped at 2 std (BERT's initialiser). */
  normal(name: string, shape: number[], std: number, rng: Rng, decay = true): Variable {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      let z = rng.normal();
      while (Math.abs(z) > 2) z = rng.normal();
      values[k] = z * std;
    }
    return this.add(name, values, shape, decay);
  }

  /** Glorot-uniform init for a fanIn x fanOut matrix (keeps activations' scale through layers). */
  glorot(name: string, fanIn: number, fanOut: number, rng: Rng): Variable {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    const values = new Float32Array(fanIn * fanOut);
    for (let k = 0; k < values.length; k++) values[k] = (2 * rng.next() - 1) * limit;
    return this.add(name, values, [fanIn, fanOut], true);
  }

  constant(name: string, shape: number[], value: number): Variable {
    const n = shape.reduce((a, b) => a * b, 1);
    return this.add(name, new Float32Array(n).fill(value), shape, false);
  }

  get(name: string): Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`no parameter "${name}"`);
    return v;
  }

  /** Whether AdamW's weight decay applies to this weight. */
  isDecayed(v: Variable): boolean {
    return this.decayedVars.has(v);
  }

  get list(): Variable[] {
    return [...this.vars.values()];
  }

  names(): string[] {
    return [...this.vars.keys()];
  }

  /** Number of scalar weights. */
  get size(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.size;
    return n;
  }

  /** A copy of every weight as plain arrays (for artifacts and "keep the best epoch"). */
  snapshot(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [name, v] of this.vars) out.set(name, v.dataSync() as Float32Array);
    return out;
  }

  /** Overwrites every weight from a snapshot. */
  restore(values: Map<string, Float32Array>): void {
    for (const [name, v] of this.vars) {
      const a = values.get(name);
      if (!a || a.length !== v.size) throw new Error(`snapshot lacks parameter "${name}" of size ${v.size}`);
      this.tf.tidy(() => v.assign(this.tf.tensor(a, v.shape, 'float32')));
    }
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
    this.decayedVars.clear();
  }
}
