import { z } from 'zod';
import { Csr } from '../data/csr.js';
import type { TrainData } from '../data/dataset.js';
import { UnirecError } from '../errors.js';
import { gramSparseOnTeam, spdInverseOnTeam, sweepBuffers } from '../math/spd-inverse-team.js';
import { native } from '../math/native.js';
import { sharedFloat32, WorkerTeam } from '../math/team.js';
import { topK, type TopK } from '../math/topk.js';
import { ensureNotAborted, type FitContext, type History, type ModelArtifact, type Reason, type Recommender } from './recommender.js';
import { csrArrays, csrFromArrays } from './artifact-csr.js';
import { registerModel } from './registry.js';

const Params = z
  .object({
    /** L2 penalty on the item-item weights (added to the Gram diagonal); larger = smoother, more popular */
    lambda: z.number().positive().default(400),
    /** 'binary' treats every interaction as 1; 'value' uses ratings/weights */
    values: z.enum(['binary', 'value']).default('binary'),
    /** refuse to fit when the item x item matrices would need more memory than this */
    maxMemoryMB: z.number().positive().default(4096),
  })
  .strict();
type EaseParams = z.infer<typeof Params>;

/** Bytes EASE needs for n items: the float64 Gram/inverse it works in plus the float32 weights it keeps. */
export function easeBytes(nItems: number): number {
  return nItems * nItems * (8 + 4);
}

function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GB` : `${(bytes / 2 ** 20).toFixed(0)} MB`;
}

/**
 * EASE^R (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data"): a dense item x item weight
 * matrix B with a zero diagonal, closed form: G = X^T X + lambda I, P = G^-1, B_ij = -P_ij / P_jj.
 * A user's score for item j is x_u B[:, j], the sum of the rows of B of the items they have.
 *
 * Cost: the sparse Gram (sum over users of |I_u|^2 multiply-adds) and the n x n inverse (n^3 FLOPs, the
 * blocked sweep of math/spd-inverse.ts: on the native core when it is built, else in JS spread over
 * ctx.threads workers); memory 12 n^2 bytes. ml-1m (3706 items): 5e10 FLOPs, ~1-2 s native on 2 threads
 * (~15 s in JS).
 */
export class Ease implements Recommender {
  readonly name = 'ease';
  /** B, n x n row-major: row j = what having item j adds to every item's score */
  private weights: Float32Array = new Float32Array(0);
  private nItems = 0;
  private history!: Csr;

  constructor(readonly params: EaseParams) {}

  async fit(train: TrainData, ctx: FitContext): Promise<void> {
    const p = this.params;
    const n = train.nItems;
    const bytes = easeBytes(n);
    if (bytes > p.maxMemoryMB * 2 ** 20) {
      throw new UnirecError(
        `ease: ${n} items need ${formatBytes(bytes)} for the item x item matrices (n^2 float64 + float32), ` +
          `above maxMemoryMB = ${p.maxMemoryMB}. Use itemknn or als for this many items, drop rare items with ` +
          `--kcore, or raise the limit with --params '{"maxMemoryMB": ${Math.ceil(bytes / 2 ** 20) + 1}}'.`,
      );
    }
    const binary = p.values === 'binary';
    const inv = native() ? this.inverseNative(train, n, binary, ctx) : await this.inverseOnTeam(train, n, binary, ctx);
    // in shared memory: the evaluation's pool threads read the model without a copy
    const b = sharedFloat32(n * n);
    for (let i = 0; i < n; i++) {
      const row = i * n;
      for (let j = 0; j < n; j++) b[row + j] = i === j ? 0 : -inv[row + j]! / inv[j * n + j]!;
    }
    this.weights = b;
    this.nItems = n;
    this.history = binary ? train.byUser.binarized() : train.byUser;
  }

  /**
   * (X^T X + lambda I)^-1 on the native core: the sparse Gram and the blocked-sweep inverse (AVX2 FMA
   * micro-kernels) on ctx.threads std::threads. FLOPs sum_u |I_u|^2 + n^3.
   */
  private inverseNative(train: TrainData, n: number, binary: boolean, ctx: FitContext): Float64Array {
    const nat = native()!;
    ensureNotAborted(ctx.signal);
    const x = train.byUser;
    const xT = train.byItem;
    const g = new Float64Array(n * n);
    const threads = Math.max(1, ctx.threads);
    nat.gramSparse(x.indptr, x.indices, x.data, xT.indptr, xT.indices, xT.data, x.nRows, n, binary, g, threads);
    for (let i = 0; i < n; i++) g[i * n + i]! += this.params.lambda;
    ensureNotAborted(ctx.signal);
    const task = ctx.progress?.start('ease: inverting the item x item matrix (native)', 1);
    try {
      nat.spdInverse(g, n, threads);
      task?.tick();
    } finally {
      task?.done();
    }
    return g;
  }

  /** (X^T X + lambda I)^-1 in JS on a worker team (the reference path). */
  private async inverseOnTeam(train: TrainData, n: number, binary: boolean, ctx: FitContext): Promise<Float64Array> {
    const buf = sweepBuffers(n);
    // below ~128 items the O(n^3) part takes milliseconds: not worth starting workers
    const team = WorkerTeam.create(n >= 128 ? ctx.threads : 1, { x: train.byUser, xT: train.byItem, out: buf.a, ...buf });
    try {
      ensureNotAborted(ctx.signal);
      await gramSparseOnTeam(team, buf.a, n, binary, ctx.signal);
      const g = buf.a;
      for (let i = 0; i < n; i++) g[i * n + i]! += this.params.lambda;
      const task = ctx.progress?.start('ease: inverting the item x item matrix', Math.ceil(n / 64));
      try {
        await spdInverseOnTeam(team, buf, n, ctx.signal, () => task?.tick());
      } finally {
        task?.done();
      }
    } finally {
      await team.close();
    }
    return buf.a;
  }

  /**
   * Scores of several users at once (row t of out, nItems wide, for users[t]): the sparse history rows
   * times B, on the native core a column-tiled sparse x dense product (each 64-wide tile of a score row
   * stays in registers while the user's rows of B stream by), users split over `threads`.
   * FLOPs 2 n sum_t |history_t|.
   */
  scoreUsers(users: Int32Array, out: Float32Array, threads = 1): void {
    const n = this.nItems;
    const nat = native();
    const h = this.history;
    if (nat) {
      nat.spmmRows(h.indptr, h.indices, h.data, false, this.weights, n, n, users, out, threads);
      return;
    }
    for (let t = 0; t < users.length; t++) this.scoreUser(users[t]!, out.subarray(t * n, (t + 1) * n));
  }

  scoreUser(user: number, out: Float32Array): void {
    this.accumulate(this.history.rowIndices(user), this.history.rowData(user), out);
  }

  foldIn(history: History, out: Float32Array): void {
    const values = this.params.values === 'value' && history.values ? history.values : undefined;
    this.accumulate(history.items, values ?? new Float32Array(history.items.length).fill(1), out);
  }

  /** out = sum over the history of value * B[item, :]. FLOPs 2 n |history|. */
  private accumulate(items: Int32Array, values: Float32Array, out: Float32Array): void {
    out.fill(0);
    const n = this.nItems;
    const b = this.weights;
    for (let t = 0; t < items.length; t++) {
      const j = items[t]!;
      if (j < 0 || j >= n) continue;
      const v = values[t]!;
      const row = j * n;
      for (let i = 0; i < n; i++) out[i]! += v * b[row + i]!;
    }
  }

  /** The items that having `item` pushes up the most: the largest positive weights of its row of B. */
  similarItems(item: number, k: number): TopK {
    const n = this.nItems;
    const row = this.weights.slice(item * n, (item + 1) * n);
    row[item] = -Infinity;
    const best = topK(row, k);
    let keep = best.indices.length;
    while (keep > 0 && !(best.scores[keep - 1]! > 0)) keep--;
    return { indices: best.indices.slice(0, keep), scores: best.scores.slice(0, keep) };
  }

  /** The user's items by their contribution x_uj * B[j, item] to the score; they add up to the score. */
  explain(user: number, item: number, limit = 3): Reason[] {
    const n = this.nItems;
    const items = this.history.rowIndices(user);
    const values = this.history.rowData(user);
    const reasons: Reason[] = [];
    for (let t = 0; t < items.length; t++) {
      const j = items[t]!;
      const weight = values[t]! * this.weights[j * n + item]!;
      if (weight !== 0) {
        reasons.push({
          kind: 'item',
          id: j,
          weight,
          text: weight > 0 ? 'people who have this item tend to have the recommended one' : 'weighs against the recommended item',
        });
      }
    }
    return reasons.sort((a, b) => b.weight - a.weight).slice(0, limit);
  }

  save(): ModelArtifact {
    return {
      model: this.name,
      version: 1,
      params: { ...this.params },
      meta: { nItems: this.nItems, nUsers: this.history.nRows },
      arrays: {
        weights: this.weights,
        ...csrArrays('hist', this.history),
      },
    };
  }

  static load(a: ModelArtifact): Ease {
    const m = new Ease(Params.parse(a.params));
    m.nItems = a.meta.nItems as number;
    const nUsers = a.meta.nUsers as number;
    m.weights = a.arrays.weights as Float32Array;
    m.history = csrFromArrays(a, 'hist', nUsers, m.nItems);
    return m;
  }
}

registerModel({
  name: 'ease',
  description: 'EASE^R: closed-form item x item linear autoencoder (dense; up to ~20k items)',
  params: Params,
  create: (p) => new Ease(p),
  load: (a) => Ease.load(a),
});
