import { z } from 'zod';
import type { TrainData } from '../data/dataset.js';
import { hash01 } from '../math/rng.js';
import type { FitContext, History, ModelArtifact, Recommender } from './recommender.js';
import { registerModel } from './registry.js';

const Params = z.object({}).strict();

/** Uniformly random scores, seeded and stable per (user, item): the floor any model must clear. */
export class RandomModel implements Recommender {
  readonly name = 'random';
  readonly params = {};
  private seed = 0;
  private nItems = 0;

  async fit(train: TrainData, ctx: FitContext): Promise<void> {
    this.seed = ctx.seed;
    this.nItems = train.nItems;
  }

  scoreUser(user: number, out: Float32Array): void {
    for (let i = 0; i < this.nItems; i++) out[i] = hash01(this.seed, user, i);
  }

  foldIn(history: History, out: Float32Array): void {
    // a new user: derive a stable stream from their first item
    this.scoreUser(-1 - (history.items[0] ?? 0), out);
  }

  save(): ModelArtifact {
    return { model: this.name, version: 1, params: {}, meta: { seed: this.seed, nItems: this.nItems }, arrays: {} };
  }

  static load(a: ModelArtifact): RandomModel {
    const m = new RandomModel();
    m.seed = a.meta.seed as number;
    m.nItems = a.meta.nItems as number;
    return m;
  }
}

registerModel({
  name: 'random',
  description: 'random scores (floor)',
  params: Params,
  create: () => new RandomModel(),
  load: (a) => RandomModel.load(a),
});
