import { z } from 'zod';
import type { Csr } from '../data/csr.js';
import type { TrainData } from '../data/dataset.js';
import { UnirecError } from '../errors.js';
import type { TopK } from '../math/topk.js';
import { csrArrays, csrFromArrays } from '../models/artifact-csr.js';
import { loadNested, nestArtifact, type ArtifactHead } from '../models/nested-artifact.js';
import type { FitContext, History, ModelArtifact, Reason, Recommender } from '../models/recommender.js';
import { createModel, registerModel } from '../models/registry.js';

const Route = z.strictObject({
  model: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
});

const Params = z
  .object({
    /** the model for users with enough events (any model: a pipeline too) */
    warm: Route.default({ model: 'als', params: {} }),
    /** the model for users with fewer than `minUserEvents` events: it should read attributes and fold in */
    coldUsers: Route.default({ model: 'hybrid-mf', params: {} }),
    minUserEvents: z.number().int().nonnegative().default(5),
    /** the model that places items with fewer than `minItemEvents` train events (from their features); none: no item routing */
    coldItems: Route.optional(),
    minItemEvents: z.number().int().positive().default(1),
  })
  .strict();
type ColdStartParams = z.infer<typeof Params>;

/**
 * Cold-start routing: a user with few events is scored by a model that reads who they are and what
 * little they did (demographics, item features of their first events), everyone else by the warm
 * model; items with (almost) no interactions, which the warm model knows nothing about, are placed by
 * a feature model instead. The feature model's scores are put on the warm model's scale (matching their
 * mean and spread over the warm items), so a cold item lands where a warm item of the same standing would.
 */
export class ColdStart implements Recommender {
  readonly name = 'cold-start';
  private warm!: Recommender;
  private coldUsers!: Recommender;
  private coldItems: Recommender | undefined;
  private history!: Csr;
  /** 1 = the item has fewer than minItemEvents train events */
  private isColdItem: Uint8Array = new Uint8Array(0);
  private coldItemCount = 0;
  private scratch: Float32Array = new Float32Array(0);

  constructor(readonly params: ColdStartParams) {}

  async fit(train: TrainData, ctx: FitContext): Promise<void> {
    const p = this.params;
    this.warm = createModel(p.warm.model, p.warm.params);
    this.coldUsers = createModel(p.coldUsers.model, p.coldUsers.params);
    if (!this.coldUsers.foldIn) throw new UnirecError(`cold-start: coldUsers model "${p.coldUsers.model}" cannot fold in users; use one that can (hybrid-mf, demographic, two-tower, content, als...)`);
    this.coldItems = p.coldItems ? createModel(p.coldItems.model, p.coldItems.params) : undefined;
    for (const model of [this.warm, this.coldUsers, this.coldItems]) await model?.fit(train, ctx);
    this.history = train.byUser;
    this.isColdItem = Uint8Array.from({ length: train.nItems }, (_, i) => (train.byItem.rowLength(i) < p.minItemEvents ? 1 : 0));
    this.coldItemCount = this.isColdItem.reduce((n, c) => n + c, 0);
    this.scratch = new Float32Array(train.nItems);
  }

  /** Which route a user with `events` events takes. */
  routeOf(events: number): 'warm' | 'cold' {
    return events < this.params.minUserEvents ? 'cold' : 'warm';
  }

  scoreUser(user: number, out: Float32Array): void {
    const events = user < this.history.nRows ? this.history.rowLength(user) : 0;
    if (this.routeOf(events) === 'warm') this.warm.scoreUser(user, out);
    else this.coldUsers.scoreUser(user, out);
    if (this.coldItems && this.coldItemCount > 0) {
      this.coldItems.scoreUser(user, this.scratch);
      this.placeColdItems(out);
    }
  }

  foldIn(history: History, out: Float32Array): void {
    const route = this.routeOf(history.items.length) === 'warm' && this.warm.foldIn ? this.warm : this.coldUsers;
    route.foldIn!(history, out);
    if (this.coldItems?.foldIn && this.coldItemCount > 0) {
      this.coldItems.foldIn(history, this.scratch);
      this.placeColdItems(out);
    }
  }

  /**
   * Cold items' scores from the cold-item model (this.scratch) put on the warm model's scale in out: a
   * cold item scoring as the warm items do on average in the cold-item model gets their mean warm score,
   * one standard deviation above gets one above. O(nItems).
   */
  private placeColdItems(out: Float32Array): void {
    const warm = moments(out, this.isColdItem);
    const feature = moments(this.scratch, this.isColdItem);
    if (warm.n === 0 || feature.n === 0) return;
    for (let i = 0; i < out.length; i++) if (this.isColdItem[i]) out[i] = warm.mean + (warm.std * (this.scratch[i]! - feature.mean)) / feature.std;
  }

  similarItems(item: number, k: number): TopK {
    const model = this.isColdItem[item] && this.coldItems?.similarItems ? this.coldItems : this.warm;
    return model.similarItems?.(item, k) ?? { indices: new Int32Array(0), scores: new Float32Array(0) };
  }

  explain(user: number, item: number, limit = 3): Reason[] {
    const events = user < this.history.nRows ? this.history.rowLength(user) : 0;
    const model = this.isColdItem[item] && this.coldItems ? this.coldItems : this.routeOf(events) === 'warm' ? this.warm : this.coldUsers;
    const route = model === this.coldItems ? 'new item, placed by its features' : model === this.warm ? `${events} events` : `new user (${events} events)`;
    return (model.explain?.(user, item, limit) ?? []).map((r) => ({ ...r, text: `${model.name}, ${route}: ${r.text}` }));
  }

  save(): ModelArtifact {
    const arrays: ModelArtifact['arrays'] = { coldItem: this.isColdItem, ...csrArrays('hist', this.history) };
    const meta = {
      nUsers: this.history.nRows,
      nItems: this.isColdItem.length,
      warm: nestArtifact(this.warm, 'warm.', arrays),
      coldUsers: nestArtifact(this.coldUsers, 'coldUsers.', arrays),
      coldItems: this.coldItems ? nestArtifact(this.coldItems, 'coldItems.', arrays) : null,
    };
    return { model: this.name, version: 1, params: { ...this.params }, meta, arrays };
  }

  static load(a: ModelArtifact): ColdStart {
    if (a.version !== 1) throw new UnirecError(`cold-start artifact version ${a.version} is not supported (expected 1); retrain the model`);
    const m = new ColdStart(Params.parse(a.params));
    m.warm = loadNested(a, a.meta.warm as ArtifactHead, 'warm.');
    m.coldUsers = loadNested(a, a.meta.coldUsers as ArtifactHead, 'coldUsers.');
    m.coldItems = a.meta.coldItems ? loadNested(a, a.meta.coldItems as ArtifactHead, 'coldItems.') : undefined;
    m.isColdItem = a.arrays.coldItem as Uint8Array;
    m.history = csrFromArrays(a, 'hist', a.meta.nUsers as number, a.meta.nItems as number);
    m.coldItemCount = m.isColdItem.reduce((n, c) => n + c, 0);
    m.scratch = new Float32Array(m.isColdItem.length);
    return m;
  }
}

/** Mean and standard deviation (1 when flat) of the finite scores of the items not marked cold. */
function moments(s: Float32Array, cold: Uint8Array): { mean: number; std: number; n: number } {
  let n = 0;
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < s.length; i++) {
    if (cold[i]) continue;
    const v = s[i]!;
    if (!Number.isFinite(v)) continue;
    n++;
    sum += v;
    sq += v * v;
  }
  const mean = n ? sum / n : 0;
  const variance = n ? sq / n - mean * mean : 0;
  return { mean, std: variance > 1e-12 ? Math.sqrt(variance) : 1, n };
}

registerModel({
  name: 'cold-start',
  description: 'cold-start routing: users with few events to an attribute-aware model, items without events placed by a feature model, the rest to the warm model',
  params: Params,
  create: (p) => new ColdStart(p),
  load: (a) => ColdStart.load(a),
});
