import { z } from 'zod';
import type { TrainData } from '../data/dataset.js';
import type { FitContext, History, ModelArtifact, Reason, Recommender } from './recommender.js';
import { registerModel } from './registry.js';

const Params = z
  .object({
    /** pseudo-friends of global popularity mixed into every user's friends: few friends lean on the global list */
    smoothing: z.number().nonnegative().default(2),
  })
  .strict();
type SocialParams = z.infer<typeof Params>;

/**
 * Social popularity: the items the user's friends (or the users they follow) consumed in train, the
 * share of friends per item smoothed towards the global share: (c_F(i) + m p(i)) / (|F| + m). Like
 * `demographic` it needs none of the user's own events, only the user-user relation of the data
 * (`relations` in the config, `TrainData.relation`): a user held out whole (cold-users) is scored from
 * their friends' train events. Users without friends, and data without a relation, get global popularity.
 */
export class Social implements Recommender {
  readonly name = 'social';
  private nItems = 0;
  private nUsers = 0;
  /** the relation: user u's others are friends[friendPtr[u]..friendPtr[u+1]) */
  private friendPtr: Int32Array = new Int32Array(1);
  private friends: Int32Array = new Int32Array(0);
  /** train items of each user (binary) */
  private itemPtr: Int32Array = new Int32Array(1);
  private items: Int32Array = new Int32Array(0);
  /** share of users with each item in train */
  private share: Float32Array = new Float32Array(0);

  constructor(readonly params: SocialParams) {}

  async fit(train: TrainData, _ctx: FitContext): Promise<void> {
    this.nItems = train.nItems;
    this.nUsers = train.nUsers;
    const g = train.relation?.graph;
    this.friendPtr = g ? g.indptr : new Int32Array(train.nUsers + 1);
    this.friends = g ? g.indices : new Int32Array(0);
    this.itemPtr = train.byUser.indptr;
    this.items = train.byUser.indices;
    const counts = new Float32Array(train.nItems);
    for (let k = 0; k < this.items.length; k++) counts[this.items[k]!]!++;
    let active = 0;
    for (let u = 0; u < train.nUsers; u++) if (train.byUser.rowLength(u) > 0) active++;
    for (let i = 0; i < train.nItems; i++) counts[i] = counts[i]! / Math.max(1, active);
    this.share = counts;
  }

  scoreUser(user: number, out: Float32Array): void {
    const m = this.params.smoothing;
    const n = user >= 0 && user < this.nUsers ? this.friendPtr[user + 1]! - this.friendPtr[user]! : 0;
    for (let i = 0; i < this.nItems; i++) out[i] = m * this.share[i]!;
    if (n > 0) {
      for (let k = this.friendPtr[user]!; k < this.friendPtr[user + 1]!; k++) {
        const v = this.friends[k]!;
        for (let p = this.itemPtr[v]!; p < this.itemPtr[v + 1]!; p++) out[this.items[p]!]! += 1;
      }
    }
    const scale = 1 / Math.max(1e-9, n + m);
    for (let i = 0; i < this.nItems; i++) out[i]! *= scale;
  }

  /** Reads the user's friends (by `history.user`); the events are not used. Unknown users: popularity. */
  foldIn(history: History, out: Float32Array): void {
    this.scoreUser(history.user ?? -1, out);
  }

  /** How many of the user's friends took the item. */
  explain(user: number, item: number): Reason[] {
    const n = this.friendPtr[user + 1]! - this.friendPtr[user]!;
    let c = 0;
    for (let k = this.friendPtr[user]!; k < this.friendPtr[user + 1]!; k++) {
      const v = this.friends[k]!;
      for (let p = this.itemPtr[v]!; p < this.itemPtr[v + 1]!; p++) if (this.items[p] === item) c++;
    }
    if (c > 0) return [{ kind: 'user', weight: c / n, text: `${c} of your ${n} friends took it` }];
    return [{ kind: 'popularity', weight: this.share[item]!, text: `popular: ${(100 * this.share[item]!).toFixed(1)}% of users took it` }];
  }

  save(): ModelArtifact {
    return {
      model: this.name,
      version: 1,
      params: { ...this.params },
      meta: { nItems: this.nItems, nUsers: this.nUsers },
      arrays: { friendPtr: this.friendPtr, friends: this.friends, itemPtr: this.itemPtr, items: this.items, share: this.share },
    };
  }

  static load(a: ModelArtifact): Social {
    const s = new Social(Params.parse(a.params));
    s.nItems = a.meta.nItems as number;
    s.nUsers = a.meta.nUsers as number;
    s.friendPtr = a.arrays.friendPtr as Int32Array;
    s.friends = a.arrays.friends as Int32Array;
    s.itemPtr = a.arrays.itemPtr as Int32Array;
    s.items = a.arrays.items as Int32Array;
    s.share = a.arrays.share as Float32Array;
    return s;
  }
}

registerModel({
  name: 'social',
  description: "what the user's friends (a user-user relation in the data) took, smoothed towards popularity; for users with no events",
  params: Params,
  create: (p) => new Social(p),
  load: (a) => Social.load(a),
});
