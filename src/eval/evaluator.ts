import { setImmediate as nextTick } from 'node:timers/promises';
import type { AttributeTable } from '../data/attributes.js';
import { Csr } from '../data/csr.js';
import type { TrainData } from '../data/dataset.js';
import type { Interactions } from '../data/interactions.js';
import { UnirecError } from '../errors.js';
import type { Recommender } from '../models/recommender.js';
import { modelNames } from '../models/registry.js';
import { silentProgress, type Progress } from '../progress.js';
import { beyondAccuracy, itemPopularity } from './beyond.js';
import { N_RANKING, ratingErrors } from './metrics.js';
import { popularityCurve, type PopularityCurve } from './popularity-curve.js';
import { allocOutput, rankUsers, Scratch, scoreFunction, type FoldInInput, type RankInput, type RankOutput } from './rank-users.js';
import { activitySlices, BUCKET_NAMES, demographicSlices, itemSlices, popularityBuckets, summarize, type SliceReport } from './slices.js';
import { workerPool } from '../math/pool.js';
import { poolTasks } from './rank-tasks.js';

export interface RankingOptions {
  train: TrainData;
  test: Interactions;
  /** more items never to recommend besides the user's train items (e.g. [valid] at test time) */
  exclude?: Interactions[];
  /** cut-offs, default [10] */
  ks?: number[];
  /** rank each test item against n sampled negatives instead of the whole catalogue (biased!) */
  sampled?: { n: number; seed?: number };
  threads?: number;
  progress?: Progress;
  signal?: AbortSignal;
  /** for diversity (item genres/tags); defaults to train.itemTable */
  itemTable?: AttributeTable;
  /** item taste space (L2 rows, latent-item-space.ts): adds diversity_latent@K */
  latentSpace?: Csr;
  /** for demographic slices; defaults to train.userTable */
  userTable?: AttributeTable;
  /** use workers when users x items exceeds this (and threads > 1); default 4e6 */
  workerThreshold?: number;
  /**
   * The only items that may be recommended, for every user (cold-items: the held-out items); the
   * others are never candidates nor relevant. Default: all items.
   */
  candidates?: Int32Array;
  /**
   * Users unseen at fit time (cold-users), scored through the model's foldIn from `events` (their first
   * events, in time order; may be none) and their dense id (for their attributes). Those events are
   * not candidates. Models without foldIn, or with uninformative fold-in scores, fall back to popularity.
   */
  foldIn?: { users: Int32Array; events: Interactions };
}

export interface RankingResult {
  /** auc, gauc, <metric>@K for the ranking and beyond-accuracy metrics */
  metrics: Record<string, number>;
  slices: SliceReport[];
  warnings: string[];
  /** users evaluated (with at least one relevant test item) */
  users: number;
  /** catalogue vs recommended popularity by popularity bucket, at every K */
  popularityCurve: PopularityCurve;
}

export const SAMPLED_WARNING =
  'sampled metrics rank test items against a few sampled negatives instead of the whole catalogue; they are ' +
  'biased and can order models differently than full ranking (Krichene & Rendle 2020, "On Sampled Metrics ' +
  'for Item Recommendation"); compare models with full ranking';

const BLOCK_USERS = 256;

/**
 * Ranking evaluation of a fitted model. Full ranking: for each user with a test item, every item except
 * the user's train and `exclude` items is a candidate; relevant items are the user's distinct test
 * items that are candidates (a test item already seen in train cannot be recommended, so it is not
 * counted). With threads > 1 on large problems the users are split into blocks across the worker pool's
 * threads (math/pool.ts) and this one, each scoring its users in batches (one GEMM per 32 users) and
 * ranking them;
 * per-user values are aggregated in user order, so the result is identical for any thread count.
 */
export async function evaluateRanking(model: Recommender, opts: RankingOptions): Promise<RankingResult> {
  const { train } = opts;
  const { nUsers, nItems } = train;
  const ks = normalizeKs(opts.ks ?? [10]);
  const test = byUser(opts.test, nUsers, nItems, 'test');
  const exclude = (opts.exclude ?? []).map((x) => byUser(x, nUsers, nItems, 'exclude'));
  if (opts.foldIn) exclude.push(byUser(opts.foldIn.events, nUsers, nItems, 'fold-in'));
  const users: number[] = [];
  for (let u = 0; u < nUsers; u++) if (test.rowLength(u) > 0) users.push(u);
  const threads = Math.max(1, Math.floor(opts.threads ?? 1));
  const useWorkers = threads > 1 && users.length > 1 && users.length * nItems > (opts.workerThreshold ?? 4e6) && modelNames().includes(model.name);
  // the pool threads (this thread is one of the `threads`) start and import the model code while the
  // inputs below are prepared
  if (useWorkers) workerPool().warm(poolTasks, threads - 1);
  const pop = itemPopularity(train.byItem);
  const itemBucket = popularityBuckets(pop);
  const sampled = opts.sampled ? { n: checkSampled(opts.sampled.n), seed: opts.sampled.seed ?? 0 } : undefined;
  const input: RankInput = {
    nItems,
    users: Int32Array.from(users),
    train: train.byUser,
    test,
    exclude,
    ks,
    itemBucket,
    nBuckets: BUCKET_NAMES.length,
    sampled,
    blocked: opts.candidates && blockedMask(opts.candidates, nItems),
    foldIn: opts.foldIn && foldInInput(opts.foldIn, nUsers, nItems, pop),
  };
  const out = allocOutput(users.length, input);
  const task = (opts.progress ?? silentProgress).start('evaluate', users.length);
  try {
    if (useWorkers) await rankParallel(model, input, out, threads, opts.signal, (n) => task.tick(n));
    else await rankHere(model, input, out, opts.signal, (n) => task.tick(n), threads);
  } finally {
    task.done();
  }
  return report(out, input, opts);
}

async function rankHere(
  model: Recommender,
  input: RankInput,
  out: RankOutput,
  signal: AbortSignal | undefined,
  tick: (n: number) => void,
  threads = 1,
): Promise<void> {
  const scratch = new Scratch(input.nItems, input.sampled !== undefined, input.blocked);
  const score = scoreFunction(model, input, threads);
  for (let from = 0; from < input.users.length; from += BLOCK_USERS) {
    if (signal?.aborted) throw signal.reason ?? new Error('cancelled');
    const to = Math.min(input.users.length, from + BLOCK_USERS);
    rankUsers(input, score, scratch, from, to, out, 0);
    tick(to - from);
    await nextTick(); // let an abort (Ctrl-C) through between blocks
  }
}

async function rankParallel(
  model: Recommender,
  input: RankInput,
  out: RankOutput,
  threads: number,
  signal: AbortSignal | undefined,
  tick: (n: number) => void,
): Promise<void> {
  const n = input.users.length;
  const nBlocks = Math.min(n, threads * 8);
  const bounds = Array.from({ length: nBlocks + 1 }, (_, b) => Math.floor((b * n) / nBlocks));
  const nK = input.ks.length;
  const maxK = input.ks[nK - 1]!;
  // this thread ranks blocks too, with the live model, while the pool threads load their copy of it
  const here = { input, score: scoreFunction(model, input, 1), scratch: new Scratch(input.nItems, input.sampled !== undefined, input.blocked) };
  const session = workerPool().session(poolTasks, { input, artifact: model.save() }, threads, { here });
  try {
    await session.run('rank', {}, bounds, {
      signal,
      onBlock: (b, result) => {
        const part = result as RankOutput;
        const from = bounds[b]!;
        out.nRel.set(part.nRel, from);
        out.auc.set(part.auc, from);
        out.top.set(part.top, from * maxK);
        out.metrics.set(part.metrics, from * nK * N_RANKING);
        out.bucketRel.set(part.bucketRel, from * input.nBuckets);
        out.bucketHits.set(part.bucketHits, from * nK * input.nBuckets);
        tick(bounds[b + 1]! - from);
      },
    });
  } finally {
    session.close();
  }
}

/** Per-user values -> the metrics, beyond-accuracy metrics, slices and warnings. */
function report(out: RankOutput, input: RankInput, opts: RankingOptions): RankingResult {
  const { ks } = input;
  const { users, metrics } = summarize(out, ks);
  const warnings: string[] = [];
  if (users === 0) {
    throw new UnirecError('no user has a test item that is not already in train: nothing to evaluate');
  }
  const skipped = input.users.length - users;
  if (skipped > 0) {
    warnings.push(`${skipped} users with test items only among their train/excluded items were not evaluated`);
  }
  if (input.sampled) warnings.push(`${SAMPLED_WARNING} (${input.sampled.n} negatives per test item)`);

  const maxK = ks[ks.length - 1]!;
  const lists: Int32Array[] = [];
  const trainCount = new Int32Array(out.nRel.length);
  for (let row = 0; row < out.nRel.length; row++) {
    trainCount[row] = input.train.rowLength(input.users[row]!);
    if (out.nRel[row] === 0) continue;
    const list = out.top.subarray(row * maxK, (row + 1) * maxK);
    const len = list.indexOf(-1);
    lists.push(len < 0 ? list : list.subarray(0, len));
  }
  Object.assign(metrics, beyondAccuracy(lists, ks, opts.train.byItem, opts.itemTable ?? opts.train.itemTable, opts.latentSpace, opts.train.byUser));
  const pop = itemPopularity(opts.train.byItem);
  const slices = [
    ...activitySlices(out, ks, trainCount),
    ...itemSlices(out, ks, input.itemBucket, pop),
    ...demographicSlices(out, ks, input.users, opts.userTable ?? opts.train.userTable),
  ];
  return { metrics, slices, warnings, users, popularityCurve: popularityCurve(lists, ks, pop) };
}

/** RMSE and MAE of a rating model's predictions on the test interactions. */
export function evaluateRatings(model: Recommender, test: Interactions): { rmse: number; mae: number } {
  if (!model.predictRating) throw new UnirecError(`model "${model.name}" does not predict ratings (no RMSE/MAE)`);
  const predicted = new Float64Array(test.length);
  for (let r = 0; r < test.length; r++) predicted[r] = model.predictRating(test.user[r]!, test.item[r]!);
  return ratingErrors(predicted, test.value);
}

/** Cut-offs as positive integers, ascending, without repeats. */
export function normalizeKs(ks: readonly number[]): number[] {
  if (ks.length === 0) throw new UnirecError('at least one cut-off K is needed');
  for (const k of ks) {
    if (!Number.isInteger(k) || k < 1) throw new UnirecError(`K must be a positive integer, got ${k}`);
  }
  return [...new Set(ks)].sort((a, b) => a - b);
}

function checkSampled(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new UnirecError(`--sampled needs a positive integer, got ${n}`);
  return n;
}

/** 1 for every item that is not a candidate. */
function blockedMask(candidates: Int32Array, nItems: number): Uint8Array {
  const blocked = new Uint8Array(nItems).fill(1);
  for (const i of candidates) {
    if (i < 0 || i >= nItems) throw new RangeError(`candidate item ${i} outside 0..${nItems - 1}`);
    blocked[i] = 0;
  }
  return blocked;
}

/** Cold users' events grouped by user, in the order given (time order), for the fold-in scorer. */
function foldInInput(f: { users: Int32Array; events: Interactions }, nUsers: number, nItems: number, pop: Int32Array): FoldInInput {
  const x = f.events;
  byUser(x, nUsers, nItems, 'fold-in');
  const cold = new Uint8Array(nUsers);
  for (const u of f.users) cold[u] = 1;
  const indptr = new Int32Array(nUsers + 1);
  for (let r = 0; r < x.length; r++) indptr[x.user[r]! + 1]!++;
  for (let u = 0; u < nUsers; u++) indptr[u + 1]! += indptr[u]!;
  const fill = indptr.slice(0, nUsers);
  const items = new Int32Array(x.length);
  const values = new Float32Array(x.length);
  const ts = new Float64Array(x.length);
  for (let r = 0; r < x.length; r++) {
    const at = fill[x.user[r]!]!++;
    items[at] = x.item[r]!;
    values[at] = x.value[r]!;
    ts[at] = x.ts[r]!;
  }
  return { cold, indptr, items, values, ts, popularity: Float32Array.from(pop) };
}

function byUser(x: Interactions, nUsers: number, nItems: number, what: string): Csr {
  for (let r = 0; r < x.length; r++) {
    const u = x.user[r]!;
    const i = x.item[r]!;
    if (u < 0 || u >= nUsers || i < 0 || i >= nItems) {
      throw new RangeError(`${what} row ${r}: user ${u} / item ${i} outside the train id space ${nUsers} x ${nItems}`);
    }
  }
  return Csr.byUser(x, nUsers, nItems);
}
