import { ItemRetrieval } from '../retrieval/item-retrieval.js';
import { retrievalOptions, type RetrievalParams } from '../retrieval/options.js';
import { decodeAll, encodeVectors, vectorsFromArrays } from '../retrieval/stores.js';
import type { ModelArtifact, Recommender } from './recommender.js';
import { modelSpec } from './registry.js';

export type { ItemRetrieval };

/**
 * How a model with user and item factor rows (n x dim, row-major float32) keeps them for retrieval:
 * one call at the end of fit, one in save, one in load. An item bias (score x . y_i + b_i) goes with
 * the rows into the retrieval; the model keeps saving its bias itself.
 *
 * With float16 / int8 `vectors`, the model's own arithmetic (fold-in, explanations, similar items)
 * works on the decoded stored values, so a fitted model and the same model loaded from its artifact
 * give the same scores; the artifact holds only the stored forms of both sides.
 */
export function itemRetrieval(
  p: RetrievalParams,
  itemRows: Float32Array,
  nItems: number,
  userRows: Float32Array,
  nUsers: number,
  dim: number,
  itemBias?: Float32Array,
): { retrieval: ItemRetrieval; itemRows: Float32Array; userRows: Float32Array } {
  const retrieval = ItemRetrieval.build(retrievalOptions(p), itemRows, nItems, dim, itemBias);
  if (p.vectors === 'float32') return { retrieval, itemRows, userRows };
  return { retrieval, itemRows: decodeAll(retrieval.store), userRows: decodeAll(encodeVectors(p.vectors, userRows, nUsers, dim)) };
}

/**
 * Whether a model's served lists come from its index rather than the top of its full scores: an
 * approximate graph or compressed vectors (exact float32 gives the same list either way, so the cheaper
 * full scan stays). The evaluator and the server both ask this.
 */
export function listsFromIndex(model: Recommender): boolean {
  const p = model.params as Partial<RetrievalParams>;
  return model.retrieve !== undefined && (p.retrieval === 'hnsw' || (p.vectors !== undefined && p.vectors !== 'float32'));
}

/** The artifact arrays of both sides: float32 as `itemFactors` / `userFactors` (as before), else the stored forms; plus the graph. */
export function retrievalArrays(
  p: RetrievalParams,
  retrieval: ItemRetrieval,
  itemRows: Float32Array,
  userRows: Float32Array,
  nUsers: number,
): ModelArtifact['arrays'] {
  if (p.vectors === 'float32') return { userFactors: userRows, itemFactors: itemRows, ...retrieval.arrays('items', false) };
  return { ...retrieval.arrays('items'), ...encodeVectors(p.vectors, userRows, nUsers, retrieval.dim).arrays('users') };
}

/** What `retrievalArrays` wrote, item side: the retrieval (graph loaded or rebuilt) and float32 rows. */
export function loadItemRetrieval(
  p: RetrievalParams,
  a: ModelArtifact,
  nItems: number,
  dim: number,
  itemBias?: Float32Array,
): { retrieval: ItemRetrieval; itemRows: Float32Array } {
  const rows = a.arrays.itemFactors as Float32Array | undefined;
  const retrieval = ItemRetrieval.load(retrievalOptions(p), a.arrays, a.meta, 'items', nItems, dim, rows, itemBias);
  return { retrieval, itemRows: rows ?? decodeAll(retrieval.store) };
}

/** What `retrievalArrays` wrote, user side, as float32 rows. */
export function loadUserRows(a: ModelArtifact, nUsers: number, dim: number): Float32Array {
  const rows = a.arrays.userFactors as Float32Array | undefined;
  return rows ?? decodeAll(vectorsFromArrays(a.arrays, 'users', nUsers, dim)!);
}

/**
 * An artifact to load with other retrieval params (a `serve --retrieval hnsw` override): the params
 * merged in when the model takes them (its schema accepts the result), else the artifact unchanged.
 * A saved graph is dropped whenever a param changes, so `load` rebuilds the graph for the new params.
 * Vectors stored compressed stay so (an int8 artifact cannot be served as float32).
 */
export function withRetrievalParams(a: ModelArtifact, override: Partial<RetrievalParams>): ModelArtifact {
  const params = { ...a.params, ...override };
  if (!modelSpec(a.model).params.safeParse(params).success) return a;
  const changed = Object.entries(override).some(([k, v]) => a.params[k] !== v);
  if (!changed) return a;
  const { itemsHnsw: _graph, ...arrays } = a.arrays;
  const { itemsHnsw: _meta, ...meta } = a.meta;
  return { ...a, params, arrays, meta };
}

/**
 * The retrieval of a model that keeps or derives its own float32 item rows (hybrid-mf: sums of feature
 * embeddings; two-tower: the item tower's outputs; sasrec / bert4rec: the item embedding table, which
 * is also the encoder's input): built over those rows at the end of fit. Its artifact part is only the
 * graph and the removed marks (`derivedRetrievalArrays`); `loadDerivedRetrieval` encodes the stored
 * form again from the model's rows, as `build` did.
 */
export function derivedRetrieval(p: RetrievalParams, rows: Float32Array, n: number, dim: number, bias?: Float32Array): ItemRetrieval {
  return ItemRetrieval.build(retrievalOptions(p), rows, n, dim, bias);
}

export function derivedRetrievalArrays(retrieval: ItemRetrieval): ModelArtifact['arrays'] {
  return retrieval.indexArrays('items');
}

export function loadDerivedRetrieval(p: RetrievalParams, a: ModelArtifact, rows: Float32Array, n: number, dim: number, bias?: Float32Array): ItemRetrieval {
  return ItemRetrieval.load(retrievalOptions(p), a.arrays, a.meta, 'items', n, dim, rows, bias);
}
