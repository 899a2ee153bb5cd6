import type { Csr } from '../data/csr.js';
import { listsFromIndex } from '../models/factor-retrieval.js';
import type { Recommender } from '../models/recommender.js';
import { Rng } from '../math/rng.js';
import { topK } from '../math/topk.js';
import { N_RANKING, rankingMetricsAt, userAuc } from './metrics.js';

/**
 * The per-user evaluation loop, shared by the main thread and the workers so both compute exactly the
 * same numbers: for each user, mark the excluded items, collect the relevant ones, score, take the
 * top K, and write per-user values into flat typed arrays (averaging is done later, in user order).
 */

/** Everything the loop reads; plain typed arrays and CSRs so it can be shared with workers. */
export interface RankInput {
  nItems: number;
  /** users to evaluate (those with a test row), ascending */
  users: Int32Array;
  /** train by user: always excluded */
  train: Csr;
  /** test by user: the relevant items */
  test: Csr;
  /** more items to exclude, by user (e.g. valid at test time) */
  exclude: Csr[];
  /** ascending, distinct, >= 1 */
  ks: number[];
  /** popularity bucket of each item (0..nBuckets-1), for the item slices */
  itemBucket: Uint8Array;
  nBuckets: number;
  /** rank against n sampled negatives per relevant item instead of the whole catalogue */
  sampled?: { n: number; seed: number };
  /** items that are never candidates (1), for every user: e.g. the warm items under cold-items */
  blocked?: Uint8Array;
  /** users scored through foldIn from their events instead of scoreUser (cold users) */
  foldIn?: FoldInInput;
}

/** Cold users' fold-in events, CSR-like by user, each user's events in time order. */
export interface FoldInInput {
  /** 1 = this user is scored through foldIn */
  cold: Uint8Array;
  /** events of user u: [indptr[u], indptr[u+1]) */
  indptr: Int32Array;
  items: Int32Array;
  values: Float32Array;
  ts: Float64Array;
  /** train popularity, the scores of a user the model cannot tell anything about */
  popularity: Float32Array;
}

/** Per-user results for a run of users, laid out flat (user-major). */
export interface RankOutput {
  /** relevant (test, not excluded) items; 0 = user not evaluated */
  nRel: Int32Array;
  /** per-user AUC, NaN when undefined */
  auc: Float64Array;
  /** top maxK items, -1 padded */
  top: Int32Array;
  /** [user][k][metric] with metrics in RANKING_METRICS order */
  metrics: Float64Array;
  /** [user][bucket]: relevant items in each popularity bucket */
  bucketRel: Int32Array;
  /** [user][k][bucket]: hits in each popularity bucket */
  bucketHits: Int32Array;
}

export function allocOutput(n: number, input: RankInput): RankOutput {
  const nK = input.ks.length;
  const maxK = input.ks[nK - 1]!;
  return {
    nRel: new Int32Array(n),
    auc: new Float64Array(n),
    top: new Int32Array(n * maxK).fill(-1),
    metrics: new Float64Array(n * nK * N_RANKING),
    bucketRel: new Int32Array(n * input.nBuckets),
    bucketHits: new Int32Array(n * nK * input.nBuckets),
  };
}

/** Reusable per-thread buffers: allocated once, set and unset per user, never reallocated. */
export class Scratch {
  readonly scores: Float32Array;
  /** train + exclude items of the current user */
  readonly excluded: Uint8Array;
  /** test items of the current user */
  readonly relevant: Uint8Array;
  /** sampled mode: 0 = candidate, 1 = not (all 1 between users) */
  readonly notCandidate: Uint8Array;
  /** sampled mode: the non-relevant, non-excluded items of the user, when enumerated */
  readonly pool: Int32Array;
  /** how many items input.blocked holds (counted on first use) */
  nBlocked: number | undefined;
  /** SCORE_BATCH rows of scores when the model scores users in batches (allocated on first use) */
  batchScores: Float32Array = new Float32Array(0);
  relItems: Int32Array = new Int32Array(16);
  relScores: Float64Array = new Float64Array(16);

  constructor(nItems: number, sampled: boolean, blocked?: Uint8Array) {
    this.scores = new Float32Array(nItems);
    this.excluded = blocked ? Uint8Array.from(blocked) : new Uint8Array(nItems);
    this.relevant = new Uint8Array(nItems);
    this.notCandidate = sampled ? new Uint8Array(nItems).fill(1) : new Uint8Array(0);
    this.pool = sampled ? new Int32Array(nItems) : new Int32Array(0);
  }

  ensureRel(n: number): void {
    if (this.relItems.length < n) this.relItems = new Int32Array(n);
    // userAuc pads the relevant scores to a power of two
    if (this.relScores.length < n) this.relScores = new Float64Array(2 ** Math.ceil(Math.log2(n)));
  }
}

/**
 * Scores one user into out (nItems); `batch`, when the model can, scores several users at once into
 * consecutive nItems-wide rows (one GEMM or sparse x dense product instead of one product per user).
 */
export type ScoreFn = ((user: number, out: Float32Array) => void) & {
  batch?: (users: Int32Array, out: Float32Array) => void;
  /**
   * The user's top k as the model serves it (Recommender.retrieve: an approximate index or compressed
   * vectors), or undefined to take the top k of the scores. Ranking metrics come from this list; AUC
   * from the full scores.
   */
  top?: (user: number, k: number, exclude: Uint8Array, excluded: number) => Int32Array | undefined;
};

/** Users scored per batch call: 32 x nItems floats (474 KB on ml-1m) stay in L2 for the top-k that follows. */
export const SCORE_BATCH = 32;

/**
 * How the loop scores a user: scoreUser, or for a cold user foldIn from their events (and attributes,
 * via `user`); batches (models with scoreUsers) may use `threads` native threads. A model without foldIn, or whose fold-in scores are all equal (it can tell nothing about
 * a user without events), gets train popularity for that user, as a production system would show.
 */
export function scoreFunction(model: Recommender, input: RankInput, threads = 1): ScoreFn {
  const fn = scoresOf(model, input, threads);
  // the served list differs from the top of the full scores only for an index or compressed vectors
  if (!input.sampled && listsFromIndex(model)) {
    const cold = input.foldIn?.cold;
    fn.top = (user, k, exclude, excluded) => (cold?.[user] ? undefined : model.retrieve!(user, k, exclude, excluded).indices);
  }
  return fn;
}

function scoresOf(model: Recommender, input: RankInput, threads: number): ScoreFn {
  const f = input.foldIn;
  if (!f) {
    const fn: ScoreFn = (user, out) => model.scoreUser(user, out);
    if (model.scoreUsers) fn.batch = (users, out) => model.scoreUsers!(users, out, threads);
    return fn;
  }
  return (user, out) => {
    if (!f.cold[user]) return model.scoreUser(user, out);
    if (model.foldIn) {
      const from = f.indptr[user]!;
      const to = f.indptr[user + 1]!;
      model.foldIn({ items: f.items.subarray(from, to), values: f.values.subarray(from, to), ts: f.ts.subarray(from, to), user }, out);
      if (informative(out)) return;
    }
    out.set(f.popularity);
  };
}

/** False when every score is the same (NaN ignored): the scores rank nothing. */
function informative(scores: Float32Array): boolean {
  let first = NaN;
  for (let i = 0; i < scores.length; i++) {
    const v = scores[i]!;
    if (Number.isNaN(v)) continue;
    if (Number.isNaN(first)) first = v;
    else if (v !== first) return true;
  }
  return false;
}

/** Evaluates users input.users[from..to) into `out` at rows from-offset .. to-offset. */
export function rankUsers(
  input: RankInput,
  score: ScoreFn,
  scratch: Scratch,
  from: number,
  to: number,
  out: RankOutput,
  offset: number,
): void {
  const { ks, nBuckets, itemBucket } = input;
  const nK = ks.length;
  const maxK = ks[nK - 1]!;
  const { excluded, relevant } = scratch;
  const nItems = input.nItems;
  let batchFrom = 0;
  let batchTo = 0;
  if (score.batch && scratch.batchScores.length < SCORE_BATCH * nItems) scratch.batchScores = new Float32Array(SCORE_BATCH * nItems);
  for (let t = from; t < to; t++) {
    const u = input.users[t]!;
    const row = t - offset;
    const nExcluded = markExcluded(input, u, excluded, 1) + (scratch.nBlocked ??= countBlocked(input.blocked));
    // relevant = the user's distinct test items that may be recommended at all
    const test = input.test;
    scratch.ensureRel(test.rowLength(u));
    const relItems = scratch.relItems;
    let nRel = 0;
    for (let p = test.indptr[u]!; p < test.indptr[u + 1]!; p++) {
      const i = test.indices[p]!;
      if (excluded[i] || relevant[i]) continue;
      relevant[i] = 1;
      relItems[nRel++] = i;
      out.bucketRel[row * nBuckets + itemBucket[i]!]!++;
    }
    out.nRel[row] = nRel;
    if (nRel > 0) {
      let scores = scratch.scores;
      if (score.batch) {
        if (t >= batchTo) {
          batchFrom = t;
          batchTo = Math.min(to, t + SCORE_BATCH);
          score.batch(input.users.subarray(batchFrom, batchTo), scratch.batchScores);
        }
        scores = scratch.batchScores.subarray((t - batchFrom) * nItems, (t - batchFrom + 1) * nItems);
      } else {
        score(u, scores);
      }
      const rel = relItems.subarray(0, nRel);
      let mask = excluded;
      if (input.sampled) mask = sampleCandidates(input, u, rel, nExcluded, scratch);
      const top = (score.top && score.top(u, maxK, mask, nExcluded)) || topK(scores, maxK, mask).indices;
      out.top.set(top, row * maxK);
      rankingMetricsAt(top, relevant, nRel, ks, out.metrics, row * nK * N_RANKING);
      out.auc[row] = userAuc(scores, rel, mask, scratch.relScores);
      bucketHits(top, relevant, input, out.bucketHits, row * nK * nBuckets);
      if (input.sampled) scratch.notCandidate.fill(1);
    } else {
      out.auc[row] = NaN;
    }
    for (let r = 0; r < nRel; r++) relevant[relItems[r]!] = 0;
    markExcluded(input, u, excluded, 0);
  }
}

/**
 * Sets (value 1) or clears (0) the user's train and exclude items; returns how many distinct were set
 * (blocked items not counted). Clearing leaves blocked items excluded.
 */
function markExcluded(input: RankInput, u: number, excluded: Uint8Array, value: 0 | 1): number {
  let n = markRow(input.train, u, excluded, value, input.blocked);
  for (const m of input.exclude) n += markRow(m, u, excluded, value, input.blocked);
  return n;
}

function markRow(m: Csr, u: number, excluded: Uint8Array, value: 0 | 1, blocked: Uint8Array | undefined): number {
  let n = 0;
  for (let p = m.indptr[u]!; p < m.indptr[u + 1]!; p++) {
    const i = m.indices[p]!;
    const v = blocked && blocked[i] ? 1 : value;
    if (excluded[i] !== v) n++;
    excluded[i] = v;
  }
  return value ? n : 0;
}

function countBlocked(blocked: Uint8Array | undefined): number {
  let n = 0;
  if (blocked) for (let i = 0; i < blocked.length; i++) n += blocked[i]! ? 1 : 0;
  return n;
}

/**
 * Sampled mode: the candidates are the relevant items plus min(n * |rel|, available) distinct
 * non-interacted items drawn uniformly with a per-user seeded generator (so any thread split gives the
 * same draw). Returns the mask of non-candidates.
 */
function sampleCandidates(input: RankInput, u: number, rel: Int32Array, nExcluded: number, s: Scratch): Uint8Array {
  const { n, seed } = input.sampled!;
  const mask = s.notCandidate;
  for (let r = 0; r < rel.length; r++) mask[rel[r]!] = 0;
  const available = input.nItems - nExcluded - rel.length;
  const want = Math.min(n * rel.length, available);
  const rng = new Rng((Math.imul(u + 1, 0x9e3779b1) ^ seed) >>> 0);
  if (want * 2 <= available) {
    // few of many: rejection sampling touches only ~want items
    for (let got = 0; got < want; ) {
      const i = rng.int(input.nItems);
      if (s.excluded[i] || mask[i] === 0) continue;
      mask[i] = 0;
      got++;
    }
  } else {
    // most of them: enumerate and take a partial Fisher-Yates prefix
    let m = 0;
    for (let i = 0; i < input.nItems; i++) if (!s.excluded[i] && !s.relevant[i]) s.pool[m++] = i;
    for (let got = 0; got < want; got++) {
      const j = got + rng.int(m - got);
      const pick = s.pool[j]!;
      s.pool[j] = s.pool[got]!;
      mask[pick] = 0;
    }
  }
  return mask;
}

/** Hits per popularity bucket at every K, cumulated along the list. */
function bucketHits(top: Int32Array, relevant: Uint8Array, input: RankInput, out: Int32Array, at: number): void {
  const { ks, nBuckets, itemBucket } = input;
  let kIndex = 0;
  const maxK = ks[ks.length - 1]!;
  for (let p = 0; p < maxK && kIndex < ks.length; p++) {
    if (p < top.length && relevant[top[p]!]) {
      // a hit counts at this K and every larger one
      for (let k = kIndex; k < ks.length; k++) out[at + k * nBuckets + itemBucket[top[p]!]!]!++;
    }
    while (kIndex < ks.length && ks[kIndex] === p + 1) kIndex++;
  }
}
