import { z } from 'zod';
import { Csr } from '../data/csr.js';
import type { TrainData } from '../data/dataset.js';
import { cosineKnnGraph } from '../math/knn-graph.js';
import type { TopK } from '../math/topk.js';
import { applyWeighting } from '../math/weighting.js';
import type { FitContext, History, ModelArtifact, Reason, Recommender } from './recommender.js';
import { csrArrays, csrFromArrays } from './artifact-csr.js';
import { neighbourhoodParams } from './knn-params.js';
import { registerModel } from './registry.js';

const Params = neighbourhoodParams(100);
type ItemKnnParams = z.infer<typeof Params>;

/**
 * Item-based neighbourhood CF (Sarwar et al. 2001; Deshpande & Karypis 2004): each item keeps its k most
 * similar items; a user's score for item i sums the similarities of i's neighbours the user has.
 */
export class ItemKnn implements Recommender {
  readonly name = 'itemknn';
  /** neighbours[i] = the k items most similar to i, with their similarity, best first */
  private neighbours!: Csr;
  /** reverse lists: contributes[j] = the items i having j among their neighbours, with sim(i, j) */
  private contributes!: Csr;
  /** train histories, to score users seen at fit time */
  private history!: Csr;

  constructor(readonly params: ItemKnnParams) {}

  async fit(train: TrainData, ctx: FitContext): Promise<void> {
    const p = this.params;
    const byItem = p.values === 'binary' ? train.byItem.binarized() : train.byItem;
    const weighted = applyWeighting(byItem, p.weighting, p.bm25K1, p.bm25B);
    const weightedT = weighted.transpose();
    this.neighbours = await cosineKnnGraph(weighted, weightedT, p.k, p.shrink, ctx, 'item similarities');
    this.contributes = this.neighbours.transpose();
    this.history = p.values === 'binary' ? train.byUser.binarized() : train.byUser;
  }

  scoreUser(user: number, out: Float32Array): void {
    this.accumulate(this.history.rowIndices(user), this.history.rowData(user), out);
  }

  foldIn(history: History, out: Float32Array): void {
    const values = this.params.values === 'value' && history.values ? history.values : undefined;
    this.accumulate(history.items, values ?? new Float32Array(history.items.length).fill(1), out);
  }

  private accumulate(items: Int32Array, values: Float32Array, out: Float32Array): void {
    out.fill(0);
    const { indptr, indices, data } = this.contributes;
    for (let t = 0; t < items.length; t++) {
      const j = items[t]!;
      const v = values[t]!;
      for (let p = indptr[j]!; p < indptr[j + 1]!; p++) out[indices[p]!]! += v * data[p]!;
    }
  }

  similarItems(item: number, k: number): TopK {
    const n = Math.min(k, this.neighbours.rowLength(item));
    return {
      indices: this.neighbours.rowIndices(item).slice(0, n),
      scores: this.neighbours.rowData(item).slice(0, n),
    };
  }

  /** The user's items among the target's neighbours, by their share of the score. */
  explain(user: number, item: number, limit = 3): Reason[] {
    return this.reasons(item, limit, (j) => this.history.get(user, j));
  }

  /** As `explain`, for a user known by their events (what `foldIn` scored). */
  explainHistory(history: History, item: number, limit = 3): Reason[] {
    const values = new Map<number, number>();
    const useValues = this.params.values === 'value' && history.values;
    history.items.forEach((j, t) => values.set(j, useValues ? history.values![t]! : 1));
    return this.reasons(item, limit, (j) => values.get(j) ?? 0);
  }

  private reasons(item: number, limit: number, valueOf: (j: number) => number): Reason[] {
    const reasons: Reason[] = [];
    const nb = this.neighbours.rowIndices(item);
    const sims = this.neighbours.rowData(item);
    for (let t = 0; t < nb.length; t++) {
      const value = valueOf(nb[t]!);
      if (value !== 0) {
        const weight = value * sims[t]!;
        reasons.push({ kind: 'item', id: nb[t]!, weight, text: `similar to an item you interacted with (similarity ${sims[t]!.toFixed(3)})` });
      }
    }
    return reasons.sort((a, b) => b.weight - a.weight).slice(0, limit);
  }

  save(): ModelArtifact {
    return {
      model: this.name,
      version: 1,
      params: { ...this.params },
      meta: { nItems: this.neighbours.nRows, nUsers: this.history.nRows },
      arrays: {
        ...csrArrays('nb', this.neighbours),
        ...csrArrays('hist', this.history),
      },
    };
  }

  static load(a: ModelArtifact): ItemKnn {
    const m = new ItemKnn(Params.parse(a.params));
    const nItems = a.meta.nItems as number;
    const nUsers = a.meta.nUsers as number;
    m.neighbours = csrFromArrays(a, 'nb', nItems, nItems);
    m.contributes = m.neighbours.transpose();
    m.history = csrFromArrays(a, 'hist', nUsers, nItems);
    return m;
  }
}

registerModel({
  name: 'itemknn',
  description: 'item-based k-nearest-neighbours CF (cosine with shrinkage; optional tf-idf/BM25)',
  params: Params,
  create: (p) => new ItemKnn(p),
  load: (a) => ItemKnn.load(a),
});
