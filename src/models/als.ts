import { z } from 'zod';
import { Csr } from '../data/csr.js';
import type { TrainData } from '../data/dataset.js';
import { cholesky, choleskySolve } from '../math/cholesky.js';
import { gramDense } from '../math/gram.js';
import { alsScratch, implicitAlsRows } from '../math/implicit-als.js';
import { native } from '../math/native.js';
import { Rng } from '../math/rng.js';
import { WorkerTeam, sharedFloat32, sharedFloat64, weightedBounds } from '../math/team.js';
import { cosineNeighboursOfRow, rowNorms } from '../math/factors.js';
import type { TopK } from '../math/topk.js';
import { ensureNotAborted, type FitContext, type History, type ModelArtifact, type Reason, type Recommender } from './recommender.js';
import { csrArrays, csrFromArrays } from './artifact-csr.js';
import { itemRetrieval, loadItemRetrieval, loadUserRows, retrievalArrays, type ItemRetrieval } from './factor-retrieval.js';
import { retrievalParamShape } from '../retrieval/options.js';
import { decodeAll, gatherRows } from '../retrieval/stores.js';
import { registerModel } from './registry.js';

const Params = z
  .object({
    /** latent dimensions */
    factors: z.number().int().positive().default(64),
    /**
     * L2 penalty added to the diagonal of every per-row system. Omitted: chosen from the training data
     * by `alsRegularization` ((1 + alpha) / 3 x the mean events per user, kept within 10 to 30 at the
     * default alpha): 30 on MovieLens-sized histories, 10 on a small shop, where 30 pulls every user onto
     * the popularity direction and gives everyone the same list (BENCHMARKS.md, "ALS defaults").
     */
    regularization: z.number().nonnegative().optional().describe('from the data: (1 + alpha) / 3 x clamp(mean events per user, 10, 30)'),
    /**
     * ALS-WR (Zhou et al. 2008): a further penalty per observed event of the row, so a row with n events
     * gets regularization + regularizationPerEvent * n. Lets one setting carry across datasets whose
     * users have very different history lengths (e.g. {"regularization": 0.1, "regularizationPerEvent": 0.3}).
     */
    regularizationPerEvent: z.number().nonnegative().default(0),
    /** confidence slope: c = 1 + alpha * r for an observed (user, item) */
    alpha: z.number().nonnegative().default(2),
    /** alternating sweeps (users then items) */
    iterations: z.number().int().positive().default(15),
    /** conjugate-gradient steps per row and sweep, warm-started from the previous factors */
    cgSteps: z.number().int().positive().default(3),
    /**
     * Fold-in of a user seen in training (a server folding in their new events): conjugate-gradient steps
     * warm-started from their trained factor, as the training sweeps do; 0 = the exact Cholesky solve.
     */
    foldInSteps: z.number().int().nonnegative().default(3),
    /** 'binary' treats every interaction as r = 1; 'value' uses ratings/weights as r */
    values: z.enum(['binary', 'value']).default('binary'),
    /** factors start uniform in [0, initScale) (as the implicit library does) */
    initScale: z.number().positive().default(0.01),
    ...retrievalParamShape,
  })
  .strict();
type AlsParams = z.infer<typeof Params>;

/**
 * The default L2 penalty for training data `byUser` (users x items): (1 + alpha) / 3 x the mean events of
 * the users who have any, clamped to [10, 30] first. In the objective the penalty competes with a user's
 * confidence-weighted evidence, sum_i (1 + alpha r_ui), so it scales with the history length and with
 * 1 + alpha (at alpha 2 the factor is 1). Measured across datasets (BENCHMARKS.md, "ALS defaults"): 30 is
 * best on ml-100k, ml-latest-small and ml-1m (users average 86-133 events; 30 is kept there, so their
 * figures do not change), while shops of 2-7 events per user (synthetic shops, Amazon) are best near 10
 * and collapse to one popularity-like list for everybody at 30 to 100; the clamp keeps the penalty from
 * vanishing on near-empty histories and from growing past the MovieLens optimum on long ones.
 */
export function alsRegularization(alpha: number, byUser: Csr): number {
  let users = 0;
  for (let u = 0; u < byUser.nRows; u++) if (byUser.rowLength(u) > 0) users++;
  const meanEvents = users === 0 ? 0 : byUser.nnz / users;
  return ((1 + alpha) / 3) * Math.min(30, Math.max(10, meanEvents));
}

/** ALS's parameters with their defaults filled in (for code that fits an ALS directly). */
export function alsParams(params: Partial<AlsParams> = {}): AlsParams {
  return Params.parse(params);
}

/**
 * Implicit-feedback matrix factorisation by alternating least squares (Hu, Koren & Volinsky 2008):
 * minimise sum_{u,i} c_ui (p_ui - x_u . y_i)^2 + reg (|X|^2 + |Y|^2) over all user x item cells, with
 * p_ui = 1 for observed pairs (else 0) and confidence c_ui = 1 + alpha r_ui. Each half-sweep solves every
 * row's f x f system with a few warm-started conjugate-gradient steps (Takacs et al. 2011), using
 * Y^T Y once per sweep so unobserved cells cost nothing per row (math/implicit-als.ts).
 *
 * Rows are solved in parallel on ctx.threads threads (std::threads of the native core when it is built,
 * else JS worker threads) writing into shared factor matrices; a row's solve depends only on the other
 * side's factors, so any thread count gives the same bits.
 *
 * FLOPs per iteration: (cgSteps + 1) * (2 f^2 (nUsers + nItems) + 8 f nnz) + 2 f^2 (nUsers + nItems)
 * for the two Gram matrices. ml-1m (6040 + 3706 rows, 1.0M nnz, f = 64, 3 CG steps):
 * 4 * (80M + 512M) + 80M = about 2.4 GFLOP per iteration.
 */
export class Als implements Recommender {
  readonly name = 'als';
  private userFactors: Float32Array = new Float32Array(0);
  /**
   * The item factors in float32 (vectors 'float32'). Empty with compressed vectors: then only the
   * stored form in `retrieval` is resident, and the few rows a fold-in or an explanation needs are
   * decoded from it (`itemRowsOf`).
   */
  private itemFactors: Float32Array = new Float32Array(0);
  private nUsers = 0;
  private nItems = 0;
  /** the L2 penalty in use: params.regularization, or the one `alsRegularization` chose at fit */
  private reg = 0;
  /** Y^T Y + reg I of the final item factors (f x f), for fold-in and explanations */
  private gram: Float64Array = new Float64Array(0);
  private itemNorms: Float32Array | undefined;
  /** train histories, for explanations */
  private history!: Csr;
  /** the item vectors as retrieval scores them (stored form, optional graph index) */
  private retrieval!: ItemRetrieval;

  constructor(readonly params: AlsParams) {}

  async fit(train: TrainData, ctx: FitContext): Promise<void> {
    const p = this.params;
    const f = p.factors;
    const { nUsers, nItems } = train;
    const nat = native();
    this.reg = p.regularization ?? alsRegularization(p.alpha, train.byUser);
    // Shared memory only for the JS worker team; the native core runs its own threads on plain arrays.
    const users = nat ? new Float32Array(nUsers * f) : sharedFloat32(nUsers * f);
    const items = nat ? new Float32Array(nItems * f) : sharedFloat32(nItems * f);
    const rng = new Rng(ctx.seed);
    for (let k = 0; k < users.length; k++) users[k] = rng.next() * p.initScale;
    for (let k = 0; k < items.length; k++) items[k] = rng.next() * p.initScale;
    const gram = nat ? new Float64Array(f * f) : sharedFloat64(f * f);
    const args = { f, alpha: p.alpha, cgSteps: p.cgSteps, binary: p.values === 'binary' ? 1 : 0, regPerEvent: p.regularizationPerEvent };
    const task = ctx.progress?.start('als: alternating sweeps', p.iterations);
    try {
      if (nat) {
        // native core: every row's CG solve in C++ (AVX2), rows spread over ctx.threads std::threads
        const threads = Math.max(1, ctx.threads);
        const binary = args.binary === 1;
        const { byUser, byItem } = train;
        for (let it = 0; it < p.iterations; it++) {
          ensureNotAborted(ctx.signal);
          this.gramOf(items, nItems, gram);
          nat.alsRows(byUser.indptr, byUser.indices, byUser.data, users, items, gram, f, p.alpha, p.cgSteps, binary, p.regularizationPerEvent, 0, nUsers, nItems, threads);
          this.gramOf(users, nUsers, gram);
          nat.alsRows(byItem.indptr, byItem.indices, byItem.data, items, users, gram, f, p.alpha, p.cgSteps, binary, p.regularizationPerEvent, 0, nItems, nUsers, threads);
          task?.tick();
          // between iterations, let an abort through
          if (ctx.signal) await new Promise((resolve) => setImmediate(resolve));
        }
      } else {
        await this.sweepsOnTeam(train, users, items, gram, args, ctx, () => task?.tick());
      }
    } finally {
      task?.done();
    }
    // plain (unshared) copies: the artifact and scoring need no shared memory
    this.userFactors = users.slice();
    this.itemFactors = items.slice();
    this.nUsers = nUsers;
    this.nItems = nItems;
    const r = itemRetrieval(p, this.itemFactors, nItems, this.userFactors, nUsers, f);
    ({ retrieval: this.retrieval, userRows: this.userFactors } = r);
    this.gram = this.gramOf(r.itemRows, nItems, new Float64Array(f * f));
    this.itemFactors = p.vectors === 'float32' ? r.itemRows : new Float32Array(0);
    this.itemNorms = undefined;
    this.history = train.byUser;
  }

  /** The alternating sweeps in JS, rows spread over a worker team (the reference path). */
  private async sweepsOnTeam(
    train: TrainData,
    users: Float32Array,
    items: Float32Array,
    gram: Float64Array,
    args: Record<string, number>,
    ctx: FitContext,
    tick: () => void,
  ): Promise<void> {
    const f = this.params.factors;
    const { nUsers, nItems } = train;
    const blocks = 64;
    const userBounds = weightedBounds((u) => f / 2 + train.byUser.rowLength(u), nUsers, blocks);
    const itemBounds = weightedBounds((i) => f / 2 + train.byItem.rowLength(i), nItems, blocks);
    const team = WorkerTeam.create(Math.min(ctx.threads, Math.ceil((nUsers + nItems) / 500)), {
      byUser: train.byUser,
      byItem: train.byItem,
      users,
      items,
      gram,
    });
    try {
      for (let it = 0; it < this.params.iterations; it++) {
        ensureNotAborted(ctx.signal);
        this.gramOf(items, nItems, gram);
        await team.run('implicitAls', { ...args, side: 0 }, userBounds, undefined, ctx.signal);
        this.gramOf(users, nUsers, gram);
        await team.run('implicitAls', { ...args, side: 1 }, itemBounds, undefined, ctx.signal);
        tick();
      }
    } finally {
      await team.close();
    }
  }

  /** out = M^T M + reg I for the n x f factor matrix M. FLOPs 2 f^2 n (half computed, mirrored). */
  private gramOf(m: Float32Array, n: number, out: Float64Array): Float64Array {
    const f = this.params.factors;
    const nat = native();
    if (nat) {
      // M^T M on the native core (float64 copy of M: the factors are float32)
      const m64 = Float64Array.from(m.subarray(0, n * f));
      nat.dgemm(true, false, f, f, n, 1, m64, f, m64, f, 0, out, f, 1);
    } else {
      gramDense(m, n, f, out);
    }
    for (let k = 0; k < f; k++) out[k * f + k]! += this.reg;
    return out;
  }

  scoreUser(user: number, out: Float32Array): void {
    this.scoreVector(this.userFactors, user * this.params.factors, out);
  }

  /**
   * Scores of several users at once (row t of out, nItems wide, for users[t]): one users x items GEMM
   * (float32, AVX2 FMA on the native core) instead of a matrix-vector product per user. FLOPs 2 f nItems |users|.
   * Compressed vectors are decoded for the call (a transient nItems x f block, freed after it: the
   * evaluator's batches, not the server's requests).
   */
  scoreUsers(users: Int32Array, out: Float32Array): void {
    const f = this.params.factors;
    const n = this.nItems;
    const nat = native();
    if (nat) {
      const items = this.params.vectors === 'float32' ? this.itemFactors : decodeAll(this.retrieval.store);
      const block = new Float32Array(users.length * f);
      for (let t = 0; t < users.length; t++) block.set(this.userFactors.subarray(users[t]! * f, (users[t]! + 1) * f), t * f);
      nat.sgemm(false, true, users.length, n, f, 1, block, f, items, f, 0, out, n, 1);
      return;
    }
    for (let t = 0; t < users.length; t++) this.scoreUser(users[t]!, out.subarray(t * n, (t + 1) * n));
  }

  /** out[i] = x . y_i for the factor vector at x[xo ..] (on the stored item vectors). FLOPs 2 f nItems. */
  private scoreVector(x: Float32Array | Float64Array, xo: number, out: Float32Array): void {
    this.retrieval.scoreAll(x, xo, out.subarray(0, this.nItems));
  }

  itemIndex(): ItemRetrieval {
    return this.retrieval;
  }

  /**
   * Float32 rows for `items`: the resident factors (float32 vectors; row of items[t] at items[t] f),
   * or those rows decoded from the stored form (compressed; row of items[t] at t f, zero when out of range).
   */
  private itemRowsOf(items: Int32Array): { Y: Float32Array; gathered: boolean } {
    if (this.params.vectors === 'float32') return { Y: this.itemFactors, gathered: false };
    return { Y: gatherRows(this.retrieval.store, items), gathered: true };
  }

  retrieve(query: number | History, k: number, exclude?: Uint8Array, excluded?: number): TopK {
    if (typeof query === 'number') return this.retrieval.top(this.userFactors, query * this.params.factors, k, exclude, excluded);
    return this.retrieval.top(this.foldInVector(query), 0, k, exclude, excluded);
  }

  /**
   * The exact least-squares user factor for a history (what a full solve of the user's row gives):
   * returns the Cholesky factor of A = Y^T C_u Y + reg I and x = A^-1 Y^T C_u p_u.
   * FLOPs f^3 / 3 + 2 f^2 |history| (+ 2 f^2 for the solve).
   */
  private solveHistory(items: Int32Array, values: Float32Array | undefined): { l: Float64Array; x: Float64Array; conf: Float64Array } {
    const f = this.params.factors;
    const { Y, gathered } = this.itemRowsOf(items);
    const l = Float64Array.from(this.gram);
    const x = new Float64Array(f);
    const conf = new Float64Array(items.length);
    for (let t = 0; t < items.length; t++) {
      const i = items[t]!;
      if (i < 0 || i >= this.nItems) continue;
      for (let a = 0; a < f; a++) l[a * f + a]! += this.params.regularizationPerEvent;
      const r = this.params.values === 'value' && values ? values[t]! : 1;
      const w = this.params.alpha * r;
      conf[t] = 1 + w;
      const yo = (gathered ? t : i) * f;
      for (let a = 0; a < f; a++) {
        const wa = w * Y[yo + a]!;
        for (let b = 0; b <= a; b++) l[a * f + b]! += wa * Y[yo + b]!;
        x[a]! += (1 + w) * Y[yo + a]!;
      }
    }
    cholesky(l, f);
    choleskySolve(l, f, x);
    return { l, x, conf };
  }

  /**
   * Scores for a user known by their history: x . y_i for their factor x. A user trained with events
   * (history.user) starts from their trained factor and takes `foldInSteps` CG steps on their new
   * history: (foldInSteps + 1) (2 f^2 + 4 f n) FLOPs instead of the exact solve's f^3 / 3 + 2 f^2 n,
   * about 5x less on ml-1m, where a server folds in a user at every new event. Anyone else, a user
   * held out of training among them (their factor row is only the random start), gets the exact solve.
   */
  foldIn(history: History, out: Float32Array): void {
    this.scoreVector(this.foldInVector(history), 0, out);
  }

  /** The user factor `foldIn` scores with. */
  private foldInVector(history: History): Float32Array | Float64Array {
    const u = history.user;
    const f = this.params.factors;
    if (u !== undefined && u >= 0 && u < this.nUsers && this.history.rowLength(u) > 0 && this.params.foldInSteps > 0) {
      const n = history.items.length;
      const { Y, gathered } = this.itemRowsOf(history.items);
      const row = {
        nRows: 1,
        nCols: gathered ? n : this.nItems,
        indptr: Int32Array.of(0, n),
        indices: gathered ? Int32Array.from({ length: n }, (_, t) => t) : history.items,
        data: history.values ?? new Float32Array(n).fill(1),
      };
      const x = this.userFactors.slice(u * f, (u + 1) * f);
      const { foldInSteps, alpha, values, regularizationPerEvent } = this.params;
      implicitAlsRows(row, x, Y, this.gram, f, alpha, foldInSteps, values === 'binary', 0, 1, alsScratch(f), regularizationPerEvent);
      return x;
    }
    return this.solveHistory(history.items, history.values).x;
  }

  /** The trained item factors, nItems x factors row-major (not a copy). */
  itemEmbeddings(): { vectors: Float32Array; dim: number } {
    return { vectors: this.params.vectors === 'float32' ? this.itemFactors : decodeAll(this.retrieval.store), dim: this.params.factors };
  }

  /** Cosine similarity of item factors (on the stored form when compressed). FLOPs 2 f nItems (+ the norms once). */
  similarItems(item: number, k: number): TopK {
    if (this.params.vectors !== 'float32') return this.retrieval.similar(item, k);
    this.itemNorms ??= rowNorms(this.itemFactors, this.nItems, this.params.factors);
    return cosineNeighboursOfRow(this.itemFactors, this.nItems, this.params.factors, this.itemNorms, item, k);
  }

  /**
   * Attributes the score to the user's history items as the implicit library does: with the exact
   * solve x_u = W sum_j c_j y_j, W = (Y^T C_u Y + reg I)^-1, the score y_i . x_u splits into
   * c_j (y_i^T W y_j) per history item j. They add up to the fold-in score of the user's history
   * (close to, not exactly, the fitted score, which comes from a few CG steps).
   */
  explain(user: number, item: number, limit = 3): Reason[] {
    return this.explainHistory({ items: this.history.rowIndices(user), values: this.history.rowData(user) }, item, limit);
  }

  /** As `explain`, for a user known by their events (what `foldIn` scored): the same split of the score. */
  explainHistory(history: History, item: number, limit = 3): Reason[] {
    const f = this.params.factors;
    const { Y, gathered } = this.itemRowsOf(history.items);
    const { l, conf } = this.solveHistory(history.items, history.values);
    const v = Float64Array.from(gathered ? gatherRows(this.retrieval.store, [item]) : Y.subarray(item * f, (item + 1) * f));
    choleskySolve(l, f, v);
    const reasons: Reason[] = [];
    for (let t = 0; t < history.items.length; t++) {
      const j = history.items[t]!;
      const yo = (gathered ? t : j) * f;
      let s = 0;
      for (let a = 0; a < f; a++) s += v[a]! * Y[yo + a]!;
      const weight = conf[t]! * s;
      if (weight !== 0) {
        reasons.push({
          kind: 'item',
          id: j,
          weight,
          text: weight > 0 ? 'close in taste to an item you interacted with' : 'weighs against the recommended item',
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
      meta: { nUsers: this.nUsers, nItems: this.nItems, regularization: this.reg, ...this.retrieval.meta('items') },
      arrays: {
        ...retrievalArrays(this.params, this.retrieval, this.itemFactors, this.userFactors, this.nUsers),
        ...csrArrays('hist', this.history),
      },
    };
  }

  static load(a: ModelArtifact): Als {
    const m = new Als(Params.parse(a.params));
    m.nUsers = a.meta.nUsers as number;
    m.nItems = a.meta.nItems as number;
    // artifacts saved before the scale-aware default carry the penalty in their params
    const reg = m.params.regularization ?? (a.meta.regularization as number | undefined);
    if (reg === undefined) throw new Error('als artifact: no regularization in its params or meta');
    m.reg = reg;
    const r = loadItemRetrieval(m.params, a, m.nItems, m.params.factors);
    m.retrieval = r.retrieval;
    m.userFactors = loadUserRows(a, m.nUsers, m.params.factors);
    m.history = csrFromArrays(a, 'hist', m.nUsers, m.nItems);
    m.gram = m.gramOf(r.itemRows, m.nItems, new Float64Array(m.params.factors ** 2));
    m.itemFactors = m.params.vectors === 'float32' ? r.itemRows : new Float32Array(0);
    return m;
  }
}

registerModel({
  name: 'als',
  description: 'implicit ALS matrix factorisation (Hu et al. 2008) with conjugate-gradient solves, multi-threaded',
  params: Params,
  create: (p) => new Als(p),
  load: (a) => Als.load(a),
});
