import { z } from 'zod';
import type { TrainData } from '../data/dataset.js';
import { topK, type TopK } from '../math/topk.js';
import type { History, ModelArtifact, Reason, Recommender } from './recommender.js';
import { registerModel } from './registry.js';

const Params = z
  .object({
    /** 'count' = number of users who interacted; 'sum' = sum of values (ratings/weights). */
    by: z.enum(['count', 'sum']).default('count'),
  })
  .strict();
type PopularityParams = z.infer<typeof Params>;

/** The same list for everyone: items by how many users interacted with them. The baseline to beat. */
export class Popularity implements Recommender {
  readonly name = 'popularity';
  private scores: Float32Array = new Float32Array(0);

  constructor(readonly params: PopularityParams) {}

  async fit(train: TrainData): Promise<void> {
    const scores = new Float32Array(train.nItems);
    const { indptr, data } = train.byItem;
    for (let i = 0; i < train.nItems; i++) {
      if (this.params.by === 'count') scores[i] = indptr[i + 1]! - indptr[i]!;
      else for (let k = indptr[i]!; k < indptr[i + 1]!; k++) scores[i]! += data[k]!;
    }
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

registerModel({
  name: 'popularity',
  description: 'most popular items first (baseline)',
  params: Params,
  create: (p) => new Popularity(p),
  load: (a) => Popularity.load(a),
});

