import type { TrainData } from '../data/dataset.js';

/** One retriever of a pipeline: a registered model, its params, and its weight in 'weighted'/'rrf' fusion. */
export interface RetrieverSpec {
  model: string;
  params: Record<string, unknown>;
  weight: number;
}

/**
 * EASE joins the default retrievers up to this many items: its fit is an n x n inverse (n^3 FLOPs, 12 n^2
 * bytes), under 1 s at ml-100k's 1,682 items and 2-4 s at ml-1m's 3,706 (native core), but 1.1 GB and ~3
 * minutes at ml-latest-small's 9,742 and half an hour at Amazon Sports' 18k, per fit (a stacked ranker refits
 * it 4 more times; BENCHMARKS.md, "Issue 21 item 5: the data-aware default").
 */
export const EASE_MAX_ITEMS = 5000;

/**
 * The default ranker stacks (4 folds of out-of-fold data, a ranker per activity half) up to this many train
 * (user, item) pairs: on ml-100k it is what lifts the pipeline above its best retriever (valid alone: +0.1%),
 * and refitting every retriever 4 more times costs seconds at 80k train pairs. On ml-1m (800k) the valid
 * split's 6,040 users suffice (+2.0% over EASE) and stacking there lost the gain (2 folds: +2.5% -> -0.0%).
 */
export const STACK_MAX_EVENTS = 250_000;

/** Folds and activity segments of the default ranker when it stacks (STACK_MAX_EVENTS). */
export const STACK_FOLDS = 4;
export const STACK_SEGMENTS = 2;

/**
 * The default retrievers for `train` (measured in BENCHMARKS.md, "Issue 21 item 5: the data-aware default"):
 * als, itemknn and popularity always; ALS on the rating values (the rating as confidence) when the events
 * carry ratings (`train.hasRatings`: it reads what the binary retrievers do not); EASE when the catalogue has
 * at most EASE_MAX_ITEMS items.
 */
export function defaultRetrievers(train: Pick<TrainData, 'nItems' | 'hasRatings'>): RetrieverSpec[] {
  const spec = (model: string, params: Record<string, unknown> = {}): RetrieverSpec => ({ model, params, weight: 1 });
  const retrievers = [spec('als')];
  if (train.hasRatings) retrievers.push(spec('als', { values: 'value' }));
  if (train.nItems <= EASE_MAX_ITEMS) retrievers.push(spec('ease'));
  retrievers.push(spec('itemknn'), spec('popularity'));
  return retrievers;
}

/**
 * The default stacking for `train`: STACK_FOLDS folds and STACK_SEGMENTS activity segments up to
 * STACK_MAX_EVENTS train events ((user, item) pairs), else the valid split alone and one ranker for every user.
 */
export function defaultStacking(train: Pick<TrainData, 'byUser'>): { rankerFolds: number; rankerSegments: number } {
  return train.byUser.nnz <= STACK_MAX_EVENTS ? { rankerFolds: STACK_FOLDS, rankerSegments: STACK_SEGMENTS } : { rankerFolds: 0, rankerSegments: 1 };
}
