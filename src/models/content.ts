import { z } from 'zod';
import { Csr } from '../data/csr.js';
import type { TrainData } from '../data/dataset.js';
import { UnirecError } from '../errors.js';
import type { FeatureMatrix } from '../features/block.js';
import { TEXT_VECTOR_COLUMN } from '../features/dense.js';
import { itemFeatures } from '../features/item.js';
import { itemTextVectors } from '../text/item-vectors.js';
import { TEXT_ENCODERS } from '../text/load.js';
import { topK, type TopK } from '../math/topk.js';
import type { FitContext, History, ModelArtifact, Reason, Recommender } from './recommender.js';
import { csrArrays, csrFromArrays } from './artifact-csr.js';
import { registerModel } from './registry.js';

const Params = z
  .object({
    /** weight of each item attribute column in the item vectors (0 = leave it out); default title, tags and numbers 0.5, others 1 */
    weights: z.record(z.string(), z.number().nonnegative()).default({}),
    /** term weighting of text columns (titles, descriptions) */
    text: z.enum(['tfidf', 'bm25']).default('tfidf'),
    /** quantile bins per numeric column (year, price) */
    bins: z.number().int().min(2).default(5),
    /**
     * How much an event counts in the user profile: 'binary' = 1; 'value' = the rating; 'centered' = the
     * rating minus the user's mean rating (items liked less than usual push their features away).
     * Data without ratings is always binary.
     */
    rating: z.enum(['binary', 'value', 'centered']).default('value'),
    /** recency: an event this much older (in ts units: seconds, or positions for sequences) than the user's latest weighs half; 0 = off */
    halfLife: z.number().nonnegative().default(0),
    /**
     * Also describe items by a pretrained text encoder's vector of their text (title, genres, tags,
     * description; src/text): 'use-lite' (Universal Sentence Encoder Lite, 512-d), 'glove' (word
     * vectors, needs textEncoderPath or UNIREC_GLOVE_PATH), 'onnx' (your own sentence-transformer).
     * The block's weight is weights["text vector"] (default 2). Vectors are cached on disk.
     */
    textEncoder: z.enum(['none', ...TEXT_ENCODERS]).default('none'),
    /** the encoder's model folder (see textEncoder) */
    textEncoderPath: z.string().optional(),
  })
  .strict();
type ContentParams = z.infer<typeof Params>;

/**
 * Content-based filtering (Pazzani & Billsus 2007): items are vectors of their attributes (genres, tags,
 * title words, year bins..., see features/item.ts), a user is the weighted sum of the vectors of the
 * items they interacted with, and an item scores the cosine between the two. Needs no co-occurrence
 * data, so items nobody has interacted with yet (cold items) score like any other, and a new user's
 * profile is built from their first events (foldIn). Explanations name the shared features.
 */
export class Content implements Recommender {
  readonly name = 'content';
  /** items x features, L2-normalised rows */
  private features!: Csr;
  private names: string[] = [];
  /** users x items: the weight of each train event in the user's profile */
  private weights!: Csr;
  private useRatings = false;
  private profileBuf = new Float64Array(0);

  constructor(readonly params: ContentParams) {}

  async fit(train: TrainData, ctx: FitContext): Promise<void> {
    if (!train.itemTable || train.itemTable.columns.size === 0) {
      throw new UnirecError('model "content" needs item attributes (genres, tags, titles...), and this data has none');
    }
    const f = await this.buildFeatures(train, ctx);
    if (f.names.length === 0) throw new UnirecError('model "content": no usable item attribute column (all empty or id-like)');
    this.features = f.matrix;
    this.names = f.names;
    this.useRatings = train.hasRatings;
    this.weights = this.profileWeights(train);
    this.profileBuf = new Float64Array(f.names.length);
  }

  private async buildFeatures(train: TrainData, ctx: FitContext): Promise<FeatureMatrix> {
    const table = train.itemTable!;
    if (table.size !== train.nItems) throw new RangeError(`item table has ${table.size} rows, train has ${train.nItems} items`);
    const p = this.params;
    const text = p.textEncoder === 'none' ? undefined : await itemTextVectors(table, { encoder: p.textEncoder, path: p.textEncoderPath, progress: ctx.progress });
    return itemFeatures(table, {
      weights: p.weights,
      bins: p.bins,
      text: { weighting: p.text },
      textVectors: text && { vectors: text.vectors, dim: text.dim, label: `${TEXT_VECTOR_COLUMN} (${p.textEncoder})` },
    });
  }

  /** Per user, the weight of each train event (rating / centred rating, times recency decay). */
  private profileWeights(train: TrainData): Csr {
    const x = train.interactions;
    const n = x.length;
    // rows grouped by user (counting sort, file order within a user)
    const indptr = new Int32Array(train.nUsers + 1);
    for (let r = 0; r < n; r++) indptr[x.user[r]! + 1]!++;
    for (let u = 0; u < train.nUsers; u++) indptr[u + 1]! += indptr[u]!;
    const fill = indptr.slice(0, train.nUsers);
    const rows = new Int32Array(n);
    for (let r = 0; r < n; r++) rows[fill[x.user[r]!]!++] = r;
    const weight = new Float32Array(n);
    for (let u = 0; u < train.nUsers; u++) {
      const own = rows.subarray(indptr[u]!, indptr[u + 1]!);
      const w = this.eventWeights(Float32Array.from(own, (r) => x.value[r]!), Float64Array.from(own, (r) => x.ts[r]!));
      own.forEach((r, k) => (weight[r] = w[k]!));
    }
    return Csr.fromCoo(train.nUsers, train.nItems, x.user, x.item, weight);
  }

  /** Weights of one user's events from their values and times. */
  private eventWeights(values: Float32Array | undefined, ts: Float64Array | undefined): Float32Array {
    const n = values?.length ?? ts?.length ?? 0;
    const w = new Float32Array(n).fill(1);
    const mode = this.useRatings && values ? this.params.rating : 'binary';
    if (mode !== 'binary') {
      let mean = 0;
      for (let k = 0; k < n; k++) mean += values![k]!;
      mean = n ? mean / n : 0;
      for (let k = 0; k < n; k++) w[k] = mode === 'value' ? values![k]! : values![k]! - mean;
    }
    const halfLife = this.params.halfLife;
    if (halfLife > 0 && ts) {
      let latest = -Infinity;
      for (let k = 0; k < n; k++) if (ts[k]! > latest) latest = ts[k]!;
      for (let k = 0; k < n; k++) if (Number.isFinite(ts[k]!)) w[k]! *= 0.5 ** ((latest - ts[k]!) / halfLife);
    }
    return w;
  }

  scoreUser(user: number, out: Float32Array): void {
    this.score(this.weights.rowIndices(user), this.weights.rowData(user), out);
  }

  foldIn(history: History, out: Float32Array): void {
    this.score(history.items, this.eventWeights(history.values ?? new Float32Array(history.items.length).fill(1), history.ts), out);
  }

  /** The profile of a history into profileBuf; returns its norm. */
  private profile(items: Int32Array, weights: Float32Array): number {
    const p = this.profileBuf;
    p.fill(0);
    const { indptr, indices, data } = this.features;
    for (let t = 0; t < items.length; t++) {
      const j = items[t]!;
      const w = weights[t]!;
      if (w === 0 || j < 0 || j >= this.features.nRows) continue;
      for (let k = indptr[j]!; k < indptr[j + 1]!; k++) p[indices[k]!]! += w * data[k]!;
    }
    let ss = 0;
    for (let f = 0; f < p.length; f++) ss += p[f]! * p[f]!;
    return Math.sqrt(ss);
  }

  /** out[i] = cosine(profile, item i); all 0 when the profile is empty. */
  private score(items: Int32Array, weights: Float32Array, out: Float32Array): void {
    const norm = this.profile(items, weights);
    this.scoreAgainst(norm, out);
  }

  private scoreAgainst(norm: number, out: Float32Array): void {
    out.fill(0);
    if (norm === 0) return;
    const p = this.profileBuf;
    const { indptr, indices, data } = this.features;
    for (let i = 0; i < this.features.nRows; i++) {
      let s = 0;
      for (let k = indptr[i]!; k < indptr[i + 1]!; k++) s += p[indices[k]!]! * data[k]!;
      out[i] = s / norm;
    }
  }

  /** Items by cosine of their feature vectors. */
  similarItems(item: number, k: number): TopK {
    const scores = new Float32Array(this.features.nRows);
    this.score(Int32Array.of(item), Float32Array.of(1), scores);
    const exclude = new Uint8Array(scores.length);
    exclude[item] = 1;
    return topK(scores, k, exclude);
  }

  /**
   * Each feature's part of the user's score for the item: profile_f * item_f / |profile|, largest
   * first; they sum to the score.
   */
  featureContributions(user: number, item: number): { feature: number; name: string; weight: number }[] {
    const norm = this.profile(this.weights.rowIndices(user), this.weights.rowData(user));
    const out: { feature: number; name: string; weight: number }[] = [];
    if (norm === 0) return out;
    const p = this.profileBuf;
    for (let k = this.features.indptr[item]!; k < this.features.indptr[item + 1]!; k++) {
      const f = this.features.indices[k]!;
      const weight = (p[f]! * this.features.data[k]!) / norm;
      if (weight !== 0) out.push({ feature: f, name: this.names[f]!, weight });
    }
    return out.sort((a, b) => b.weight - a.weight);
  }

  /** The features the item shares with the user's profile, with their share of the score. */
  explain(user: number, item: number, limit = 3): Reason[] {
    const parts = groupTextVector(this.featureContributions(user, item));
    const total = parts.reduce((s, c) => s + c.weight, 0);
    return parts
      .filter((c) => c.weight > 0)
      .slice(0, limit)
      .map((c) => ({
        kind: 'feature' as const,
        weight: c.weight,
        text: total > 0 ? `${c.name} (${Math.round((100 * c.weight) / total)}% of the match)` : c.name,
      }));
  }

  /** The item feature matrix and the feature names (for re-rankers and explanations). */
  itemFeatures(): { matrix: Csr; names: readonly string[] } {
    return { matrix: this.features, names: this.names };
  }

  save(): ModelArtifact {
    return {
      model: this.name,
      version: 1,
      params: { ...this.params },
      meta: { nItems: this.features.nRows, nUsers: this.weights.nRows, names: this.names, useRatings: this.useRatings },
      arrays: {
        ...csrArrays('feat', this.features),
        ...csrArrays('w', this.weights),
      },
    };
  }

  static load(a: ModelArtifact): Content {
    const m = new Content(Params.parse(a.params));
    const nItems = a.meta.nItems as number;
    const nUsers = a.meta.nUsers as number;
    m.names = a.meta.names as string[];
    m.useRatings = a.meta.useRatings as boolean;
    m.features = csrFromArrays(a, 'feat', nItems, m.names.length);
    m.weights = csrFromArrays(a, 'w', nUsers, nItems);
    m.profileBuf = new Float64Array(m.names.length);
    return m;
  }
}

/**
 * The components of a text-encoder vector mean nothing one by one: their contributions become one
 * part, "text vector (use-lite)", at the place its total weight ranks.
 */
function groupTextVector(parts: { feature: number; name: string; weight: number }[]): { feature: number; name: string; weight: number }[] {
  const prefix = `${TEXT_VECTOR_COLUMN} `;
  const text = parts.filter((c) => c.name.startsWith(prefix));
  if (text.length === 0) return parts;
  const whole = { feature: text[0]!.feature, name: `similar text: ${text[0]!.name.replace(/ #\d+$/, '')}`, weight: text.reduce((s, c) => s + c.weight, 0) };
  return [...parts.filter((c) => !c.name.startsWith(prefix)), whole].sort((a, b) => b.weight - a.weight);
}

registerModel({
  name: 'content',
  description: 'content-based: cosine between item attribute vectors and the user profile (works for cold items)',
  params: Params,
  create: (p) => new Content(p),
  load: (a) => Content.load(a),
});
