import { z } from 'zod';
import { Csr } from '../data/csr.js';
import type { TrainData } from '../data/dataset.js';
import { rowNorms } from '../math/knn.js';
import { cosineKnnGraph } from '../math/knn-graph.js';
import { topK } from '../math/topk.js';
import { applyWeighting } from '../math/weighting.js';
import type { FitContext, History, ModelArtifact, Reason, Recommender } from './recommender.js';
import { csrArrays, csrFromArrays } from './artifact-csr.js';
import { neighbourhoodParams } from './knn-params.js';
import { registerModel } from './registry.js';

const Params = neighbourhoodParams(50);
type UserKnnParams = z.infer<typeof Params>;

/**
 * User-based neighbourhood CF (Herlocker et al. 1999): each user keeps the k most similar users;
 * an item's score sums the similarities of the neighbours who interacted with it.
 */
export class UserKnn implements Recommender {
  readonly name = 'userknn';
  /** neighbours[u] = the k users most similar to u, best first */
  private neighbours!: Csr;
  /** the user x item matrix as used for similarity (weighted) */
  private profiles!: Csr;
  /** the same matrix by item, for folding in new users */
  private profilesByItem!: Csr;
  /** the user x item values that neighbours vote with */
  private votes!: Csr;

  constructor(readonly params: UserKnnParams) {}

  async fit(train: TrainData, ctx: FitContext): Promise<void> {
    const p = this.params;
    this.votes = p.values === 'binary' ? train.byUser.binarized() : train.byUser;
    this.profiles = applyWeighting(this.votes, p.weighting, p.bm25K1, p.bm25B);
    this.profilesByItem = this.profiles.transpose();
    this.neighbours = await cosineKnnGraph(this.profiles, this.profilesByItem, p.k, p.shrink, ctx, 'user similarities');
  }

  scoreUser(user: number, out: Float32Array): void {
    this.vote(this.neighbours.rowIndices(user), this.neighbours.rowData(user), out);
  }

  /** A new user: cosine against every training user from the history alone, then the same vote. */
  foldIn(history: History, out: Float32Array): void {
    const nUsers = this.profiles.nRows;
    const acc = new Float64Array(nUsers);
    let selfNorm = 0;
    const { indptr, indices, data } = this.profilesByItem;
    for (let t = 0; t < history.items.length; t++) {
      const j = history.items[t]!;
      const v = this.params.values === 'value' ? (history.values?.[t] ?? 1) : 1;
      selfNorm += v * v;
      for (let q = indptr[j]!; q < indptr[j + 1]!; q++) acc[indices[q]!]! += v * data[q]!;
    }
    const norms = rowNorms(this.profiles);
    const sims = new Float32Array(nUsers);
    for (let u = 0; u < nUsers; u++) {
      sims[u] = acc[u]! > 0 ? acc[u]! / (Math.sqrt(selfNorm) * norms[u]! + this.params.shrink) : -Infinity;
    }
    const best = topK(sims, this.params.k);
    this.vote(best.indices, best.scores, out);
  }

  private vote(users: Int32Array, sims: Float32Array, out: Float32Array): void {
    out.fill(0);
    const { indptr, indices, data } = this.votes;
    for (let t = 0; t < users.length; t++) {
      const v = users[t]!;
      const s = sims[t]!;
      for (let q = indptr[v]!; q < indptr[v + 1]!; q++) out[indices[q]!]! += s * data[q]!;
    }
  }

  /** The neighbours who interacted with the item, by their share of the score. */
  explain(user: number, item: number, limit = 3): Reason[] {
    const reasons: Reason[] = [];
    const nb = this.neighbours.rowIndices(user);
    const sims = this.neighbours.rowData(user);
    for (let t = 0; t < nb.length; t++) {
      const value = this.votes.get(nb[t]!, item);
      if (value !== 0) {
        reasons.push({ kind: 'user', id: nb[t]!, weight: value * sims[t]!, text: `liked by a similar user (similarity ${sims[t]!.toFixed(3)})` });
      }
    }
    return reasons.sort((a, b) => b.weight - a.weight).slice(0, limit);
  }

  save(): ModelArtifact {
    const nb = this.neighbours;
    return {
      model: this.name,
      version: 1,
      params: { ...this.params },
      meta: { nUsers: this.votes.nRows, nItems: this.votes.nCols },
      arrays: {
        ...csrArrays('nb', nb),
        ...csrArrays('vote', this.votes),
        profileData: this.profiles.data,
      },
    };
  }

  static load(a: ModelArtifact): UserKnn {
    const m = new UserKnn(Params.parse(a.params));
    const nUsers = a.meta.nUsers as number;
    const nItems = a.meta.nItems as number;
    const arr = a.arrays;
    m.neighbours = csrFromArrays(a, 'nb', nUsers, nUsers);
    m.votes = csrFromArrays(a, 'vote', nUsers, nItems);
    m.profiles = new Csr(nUsers, nItems, m.votes.indptr, m.votes.indices, arr.profileData as Float32Array);
    m.profilesByItem = m.profiles.transpose();
    return m;
  }
}

registerModel({
  name: 'userknn',
  description: 'user-based k-nearest-neighbours CF (cosine with shrinkage)',
  params: Params,
  create: (p) => new UserKnn(p),
  load: (a) => UserKnn.load(a),
});
