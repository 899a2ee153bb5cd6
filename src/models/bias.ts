import { z } from 'zod';
import type { TrainData } from '../data/dataset.js';
import type { FitContext, History, ModelArtifact, Reason, Recommender } from './recommender.js';
import { registerModel } from './registry.js';

const Params = z
  .object({
    /** alternating passes over user and item biases */
    epochs: z.number().int().positive().default(10),
    /** regularisation of item biases (Surprise's reg_i) */
    regItem: z.number().nonnegative().default(10),
    /** regularisation of user biases (Surprise's reg_u) */
    regUser: z.number().nonnegative().default(15),
  })
  .strict();
type BiasParams = z.infer<typeof Params>;

/**
 * Baseline rating predictor r(u,i) = mu + b_u + b_i with regularised biases fitted by alternating least
 * squares (Koren 2010, section 2.1; Surprise's BaselineOnly). The reference point for rating models.
 */
export class BiasModel implements Recommender {
  readonly name = 'bias';
  private mu = 0;
  private userBias: Float32Array = new Float32Array(0);
  private itemBias: Float32Array = new Float32Array(0);

  constructor(readonly params: BiasParams) {}

  async fit(train: TrainData, _ctx: FitContext): Promise<void> {
    const { byUser, byItem } = train;
    let sum = 0;
    for (let k = 0; k < byUser.nnz; k++) sum += byUser.data[k]!;
    const mu = byUser.nnz ? sum / byUser.nnz : 0;
    const bu = new Float64Array(train.nUsers);
    const bi = new Float64Array(train.nItems);
    for (let epoch = 0; epoch < this.params.epochs; epoch++) {
      for (let i = 0; i < train.nItems; i++) {
        let s = 0;
        for (let p = byItem.indptr[i]!; p < byItem.indptr[i + 1]!; p++) s += byItem.data[p]! - mu - bu[byItem.indices[p]!]!;
        bi[i] = s / (this.params.regItem + byItem.rowLength(i));
      }
      for (let u = 0; u < train.nUsers; u++) {
        let s = 0;
        for (let p = byUser.indptr[u]!; p < byUser.indptr[u + 1]!; p++) s += byUser.data[p]! - mu - bi[byUser.indices[p]!]!;
        bu[u] = s / (this.params.regUser + byUser.rowLength(u));
      }
    }
    this.mu = mu;
    this.userBias = Float32Array.from(bu);
    this.itemBias = Float32Array.from(bi);
  }

  predictRating(user: number, item: number): number {
    return this.mu + (this.userBias[user] ?? 0) + (this.itemBias[item] ?? 0);
  }

  /** For ranking, the user bias is a constant: items rank by their bias. */
  scoreUser(_user: number, out: Float32Array): void {
    for (let i = 0; i < out.length; i++) out[i] = this.mu + this.itemBias[i]!;
  }

  foldIn(_history: History, out: Float32Array): void {
    this.scoreUser(-1, out);
  }

  explain(_user: number, item: number): Reason[] {
    return [{ kind: 'model', weight: this.itemBias[item]!, text: `rated ${this.itemBias[item]! >= 0 ? 'above' : 'below'} average by others` }];
  }

  save(): ModelArtifact {
    return {
      model: this.name,
      version: 1,
      params: { ...this.params },
      meta: { mu: this.mu },
      arrays: { userBias: this.userBias, itemBias: this.itemBias },
    };
  }

  static load(a: ModelArtifact): BiasModel {
    const m = new BiasModel(Params.parse(a.params));
    m.mu = a.meta.mu as number;
    m.userBias = a.arrays.userBias as Float32Array;
    m.itemBias = a.arrays.itemBias as Float32Array;
    return m;
  }
}

registerModel({
  name: 'bias',
  description: 'baseline rating predictor mu + b_user + b_item (explicit ratings)',
  params: Params,
  create: (p) => new BiasModel(p),
  load: (a) => BiasModel.load(a),
});
