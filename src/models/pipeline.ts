import { z } from 'zod';
import type { TrainData } from '../data/dataset.js';
import { Csr } from '../data/csr.js';
import { solveSpd } from '../math/cholesky.js';
import { Rng } from '../math/rng.js';
import { topK, type TopK } from '../math/topk.js';
import { ensureNotAborted, type FitContext, type History, type ModelArtifact, type Reason, type Recommender } from './recommender.js';
import { createModel, loadModel, registerModel } from './registry.js';

const Retriever = z.strictObject({
  model: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
  /** weight in 'weighted' and 'rrf' fusion (the learned ranker finds its own) */
  weight: z.number().nonnegative().default(1),
});

const Params = z
  .object({
    retrievers: z
      .array(Retriever)
      .min(1)
      .default(['als', 'itemknn', 'popularity'].map((model) => ({ model, params: {}, weight: 1 }))),
    /**
     * 'weighted': sum of weight x standardised score; 'rrf': reciprocal-rank fusion (Cormack et al. 2009)
     * over each retriever's top `candidates`; 'learned': a logistic-regression ranker over the standardised
     * scores, fitted on the valid split (falls back to 'weighted' when fit gets no valid split).
     */
    fusion: z.enum(['weighted', 'rrf', 'learned']).default('learned'),
    rrfK: z.number().positive().default(60),
    candidates: z.number().int().positive().default(200),
    /** learned: users sampled from valid to fit the ranker, and negatives per positive */
    rankerUsers: z.number().int().positive().default(2000),
    negatives: z.number().int().positive().default(8),
    /** learned: L2 penalty of the logistic regression */
    l2: z.number().nonnegative().default(1),
  })
  .strict();
type PipelineParams = z.infer<typeof Params>;

/**
 * Several retrievers fused into one ranking: the "retrieve -> fuse" half of the pipeline as a model,
 * so it is fitted, evaluated, saved and served like any other. Scores of different models live on
 * different scales, so each retriever's scores for a user are standardised (z-scores over the catalogue)
 * before a weighted sum; the learned ranker picks those weights (and so which retriever to trust) by
 * logistic regression on held-out valid interactions against the retrievers' other top candidates, and
 * then ranks only those candidates (retrieve, then rank).
 */
export class Pipeline implements Recommender {
  readonly name = 'pipeline';
  private retrievers: Recommender[] = [];
  /** fused weight per retriever (over standardised scores) */
  private weights: Float64Array = new Float64Array(0);
  private nItems = 0;
  private scratch: Float32Array[] = [];
  /** true when the weights come from the learned ranker (then only candidates are ranked) */
  private learned = false;

  constructor(readonly params: PipelineParams) {}

  async fit(train: TrainData, ctx: FitContext): Promise<void> {
    this.nItems = train.nItems;
    this.retrievers = [];
    for (const r of this.params.retrievers) {
      ensureNotAborted(ctx.signal);
      const model = createModel(r.model, r.params);
      await model.fit(train, ctx);
      this.retrievers.push(model);
    }
    this.scratch = this.retrievers.map(() => new Float32Array(train.nItems));
    this.weights = Float64Array.from(this.params.retrievers, (r) => r.weight);
    this.learned = this.params.fusion === 'learned' && ctx.valid !== undefined && ctx.valid.length > 0;
    if (this.learned) this.weights = this.learnWeights(train, ctx);
  }

  scoreUser(user: number, out: Float32Array): void {
    this.retrievers.forEach((r, k) => r.scoreUser(user, this.scratch[k]!));
    this.fuse(out);
  }

  /** A user unseen at fit time: each retriever that can fold in does; the others abstain. */
  foldIn(history: History, out: Float32Array): void {
    this.retrievers.forEach((r, k) => {
      if (r.foldIn) r.foldIn(history, this.scratch[k]!);
      else this.scratch[k]!.fill(0);
    });
    this.fuse(out);
  }

  similarItems(item: number, k: number): TopK {
    const r = this.retrievers.find((m) => m.similarItems);
    if (!r) return { indices: new Int32Array(0), scores: new Float32Array(0) };
    return r.similarItems!(item, k);
  }

  /** Each retriever's share of the fused score, with that retriever's own first reason. */
  explain(user: number, item: number, limit = 3): Reason[] {
    this.retrievers.forEach((r, k) => r.scoreUser(user, this.scratch[k]!));
    const reasons: Reason[] = this.retrievers.map((r, k) => {
      const weight = this.contribution(k, item);
      const inner = r.explain?.(user, item, 1)[0];
      return { kind: 'model', weight, text: `${r.name} (${weight >= 0 ? '+' : ''}${weight.toFixed(3)})${inner ? `: ${inner.text}` : ''}` };
    });
    return reasons.sort((a, b) => b.weight - a.weight).slice(0, limit);
  }

  /** The fused weights per retriever (after fitting): which models the ranker trusts. */
  fusedWeights(): { model: string; weight: number }[] {
    return this.retrievers.map((r, k) => ({ model: r.name, weight: this.weights[k]! }));
  }

  /** Fuses this.scratch (one score row per retriever) into out. */
  private fuse(out: Float32Array): void {
    out.fill(0);
    if (this.params.fusion === 'rrf') {
      this.retrievers.forEach((_, k) => {
        const best = topK(this.scratch[k]!, this.params.candidates);
        best.indices.forEach((i, rank) => (out[i]! += this.weights[k]! / (this.params.rrfK + rank + 1)));
      });
      return;
    }
    for (let k = 0; k < this.retrievers.length; k++) {
      const w = this.weights[k]!;
      if (w === 0) continue;
      const { mean, std } = moments(this.scratch[k]!);
      const s = this.scratch[k]!;
      for (let i = 0; i < out.length; i++) out[i]! += (w * (s[i]! - mean)) / std;
    }
    if (this.learned) {
      // The ranker was fitted on the retrievers' candidates only: it orders them, it does not retrieve.
      const keep = this.candidateMask();
      for (let i = 0; i < out.length; i++) if (!keep[i]) out[i] = -Infinity;
    }
  }

  /** Union of every retriever's top `candidates` items for the scores in this.scratch. */
  private candidateMask(exclude?: Uint8Array): Uint8Array {
    const keep = new Uint8Array(this.nItems);
    for (let k = 0; k < this.retrievers.length; k++) for (const i of topK(this.scratch[k]!, this.params.candidates, exclude).indices) keep[i] = 1;
    return keep;
  }

  private contribution(k: number, item: number): number {
    if (this.params.fusion === 'rrf') {
      const rank = topK(this.scratch[k]!, this.params.candidates).indices.indexOf(item);
      return rank < 0 ? 0 : this.weights[k]! / (this.params.rrfK + rank + 1);
    }
    const { mean, std } = moments(this.scratch[k]!);
    return (this.weights[k]! * (this.scratch[k]![item]! - mean)) / std;
  }

  /**
   * Logistic regression of "is a valid item" on the standardised retriever scores, by Newton's method
   * (a handful of features: each step solves a (R+1) x (R+1) system). It learns to order the
   * retrievers' candidates, so both sides come from them: positives are each sampled user's valid
   * items among the candidates, negatives `negatives` per positive drawn from the user's unseen
   * candidates. Returns the per-retriever weights (the intercept does not change a user's ranking).
   */
  private learnWeights(train: TrainData, ctx: FitContext): Float64Array {
    const valid = ctx.valid!;
    const R = this.retrievers.length;
    const rng = new Rng(ctx.seed ^ 0x5eed);
    const byUser = Csr.byUser(valid, train.nUsers, train.nItems);
    const users: number[] = [];
    for (let u = 0; u < train.nUsers; u++) if (byUser.rowLength(u) > 0) users.push(u);
    rng.shuffle(users);
    const rows: number[] = [];
    const labels: number[] = [];
    const seen = new Uint8Array(train.nItems);
    for (const u of users.slice(0, this.params.rankerUsers)) {
      ensureNotAborted(ctx.signal);
      const trainItems = train.byUser.rowIndices(u);
      const validItems = byUser.rowIndices(u);
      for (const i of trainItems) seen[i] = 1;
      this.retrievers.forEach((r, k) => r.scoreUser(u, this.scratch[k]!));
      const stats = this.scratch.map(moments);
      const push = (i: number, label: number): void => {
        for (let k = 0; k < R; k++) rows.push((this.scratch[k]![i]! - stats[k]!.mean) / stats[k]!.std);
        labels.push(label);
      };
      // candidates as served: the retrievers' top items the user has not seen in train
      const candidates: number[] = [];
      this.candidateMask(seen).forEach((c, i) => c && candidates.push(i));
      for (const i of validItems) seen[i] = 1;
      const positives = Array.from(validItems).filter((i) => candidates.includes(i));
      for (const i of positives) {
        push(i, 1);
        for (let n = 0; n < this.params.negatives; n++) {
          const j = candidates[rng.int(candidates.length)]!;
          if (!seen[j]) push(j, 0);
        }
      }
      for (const i of validItems) seen[i] = 0;
      for (const i of trainItems) seen[i] = 0;
      for (const i of validItems) seen[i] = 0;
    }
    if (!labels.length) return Float64Array.from(this.params.retrievers, (r) => r.weight);
    const beta = logisticRegression(Float64Array.from(rows), Float64Array.from(labels), R, this.params.l2);
    return beta.subarray(0, R).slice();
  }

  save(): ModelArtifact {
    const arrays: ModelArtifact['arrays'] = { weights: this.weights };
    const parts = this.retrievers.map((r, k) => {
      const a = r.save();
      for (const [name, arr] of Object.entries(a.arrays)) arrays[`r${k}.${name}`] = arr;
      return { model: a.model, version: a.version, params: a.params, meta: a.meta };
    });
    return { model: this.name, version: 1, params: { ...this.params }, meta: { nItems: this.nItems, parts, learned: this.learned }, arrays };
  }

  static load(a: ModelArtifact): Pipeline {
    const m = new Pipeline(Params.parse(a.params));
    m.nItems = a.meta.nItems as number;
    m.learned = a.meta.learned === true;
    const parts = a.meta.parts as Omit<ModelArtifact, 'arrays'>[];
    m.retrievers = parts.map((part, k) => {
      const arrays: ModelArtifact['arrays'] = {};
      const prefix = `r${k}.`;
      for (const [name, arr] of Object.entries(a.arrays)) if (name.startsWith(prefix)) arrays[name.slice(prefix.length)] = arr;
      return loadModel({ ...part, arrays });
    });
    m.weights = Float64Array.from(a.arrays.weights as Float64Array);
    m.scratch = m.retrievers.map(() => new Float32Array(m.nItems));
    return m;
  }
}

/** Mean and standard deviation of a score row (std 1 when the row is constant). */
function moments(s: Float32Array): { mean: number; std: number } {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < s.length; i++) {
    sum += s[i]!;
    sq += s[i]! * s[i]!;
  }
  const mean = sum / s.length;
  const variance = sq / s.length - mean * mean;
  return { mean, std: variance > 1e-12 ? Math.sqrt(variance) : 1 };
}

/**
 * L2-penalised logistic regression by Newton's method: x is n x d (row-major), y in {0, 1}; returns d
 * weights and the intercept last. FLOPs per step n (d+1)^2 for the Hessian, (d+1)^3 / 3 for the solve.
 */
export function logisticRegression(x: Float64Array, y: Float64Array, d: number, l2: number, steps = 25): Float64Array {
  const n = y.length;
  const D = d + 1;
  const beta = new Float64Array(D);
  const row = new Float64Array(D);
  for (let step = 0; step < steps; step++) {
    const grad = new Float64Array(D);
    const hess = new Float64Array(D * D);
    for (let t = 0; t < n; t++) {
      for (let a = 0; a < d; a++) row[a] = x[t * d + a]!;
      row[d] = 1;
      let z = 0;
      for (let a = 0; a < D; a++) z += beta[a]! * row[a]!;
      const p = 1 / (1 + Math.exp(-z));
      const g = p - y[t]!;
      const h = p * (1 - p);
      for (let a = 0; a < D; a++) {
        grad[a]! += g * row[a]!;
        for (let b = 0; b < D; b++) hess[a * D + b]! += h * row[a]! * row[b]!;
      }
    }
    for (let a = 0; a < d; a++) {
      grad[a]! += l2 * beta[a]!;
      hess[a * D + a]! += l2;
    }
    hess[d * D + d]! += 1e-9;
    const delta = solveSpd(hess, D, grad);
    let change = 0;
    for (let a = 0; a < D; a++) {
      beta[a]! -= delta[a]!;
      change = Math.max(change, Math.abs(delta[a]!));
    }
    if (change < 1e-8) break;
  }
  return beta;
}

registerModel({
  name: 'pipeline',
  description: 'several retrievers fused: weighted z-scores, reciprocal-rank fusion, or a ranker learned on the valid split',
  params: Params,
  create: (p) => new Pipeline(p),
  load: (a) => Pipeline.load(a),
});
