import { z } from 'zod';
import type { TrainData } from '../data/dataset.js';
import { hash01 } from '../math/rng.js';
import { topK, type TopK } from '../math/topk.js';
import type { FitContext, History, ModelArtifact, Reason, Recommender } from './recommender.js';
import { registerModel } from './registry.js';

const Params = z
  .object({
    /** 'count' = number of users who interacted; 'sum' = sum of values (ratings/weights). */
    by: z.enum(['count', 'sum']).default('count'),
    /**
     * How items with equal scores are ordered: 'index' = catalogue order (top-k keeps the lower index);
     * 'seeded' = a seeded random order among equals only. Matters where popularity has no signal, e.g. cold
     * items (all zero), where catalogue order is an accidental signal (MovieLens ids grow with release year).
     */
    ties: z.enum(['index', 'seeded']).default('index'),
  })
  .strict();
type PopularityParams = z.infer<typeof Params>;

/** The same list for everyone: items by how many users interacted with them. The baseline to beat. */
export class Popularity implements Recommender {
  readonly name = 'popularity';
  private scores: Float32Array = new Float32Array(0);

  constructor(readonly params: PopularityParams) {}

  async fit(train: TrainData, ctx?: FitContext): Promise<void> {
    const scores = new Float32Array(train.nItems);
    const { indptr, data } = train.byItem;
    for (let i = 0; i < train.nItems; i++) {
      if (this.params.by === 'count') scores[i] = indptr[i + 1]! - indptr[i]!;
      else for (let k = indptr[i]!; k < indptr[i + 1]!; k++) scores[i]! += data[k]!;
    }
    if (this.params.ties === 'seeded') breakTies(scores, ctx?.seed ?? 0);
    this.scores = scores;
  }

  scoreUser(_user: number, out: Float32Array): void {
    out.set(this.scores);
  }

  foldIn(_history: History, out: Float32Array): void {
    out.set(this.scores);
  }

  /** Popularity has no notion of similarity; the most popular other items stand in. */
  similarItems(item: number, k: number): TopK {
    const exclude = new Uint8Array(this.scores.length);
    exclude[item] = 1;
    return topK(this.scores, k, exclude);
  }

  explain(_user: number, item: number): Reason[] {
    return [{ kind: 'popularity', weight: this.scores[item]!, text: `popular: ${this.scores[item]} interactions` }];
  }

  save(): ModelArtifact {
    return { model: this.name, version: 1, params: { ...this.params }, meta: {}, arrays: { scores: this.scores } };
  }

  static load(a: ModelArtifact): Popularity {
    const m = new Popularity(Params.parse(a.params));
    m.scores = a.arrays.scores as Float32Array;
    return m;
  }
}

/**
 * Adds to each score a seeded fraction of half the smallest gap between distinct scores: equal scores
 * get a random order, unequal ones keep theirs. (Float32 keeps the order while score / gap < 2^22.)
 */
function breakTies(scores: Float32Array, seed: number): void {
  const distinct = Float64Array.from(new Set(scores)).sort();
  let gap = 1;
  for (let k = 1; k < distinct.length; k++) gap = Math.min(gap, distinct[k]! - distinct[k - 1]!);
  for (let i = 0; i < scores.length; i++) scores[i]! += 0.5 * gap * hash01(seed, i, 0x71e5);
}

registerModel({
  name: 'popularity',
  description: 'most popular items first (baseline)',
  params: Params,
  create: (p) => new Popularity(p),
  load: (a) => Popularity.load(a),
});

