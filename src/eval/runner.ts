import { makeTrainData, type Dataset } from '../data/dataset.js';
import { makeSplits, type Protocol, type Split } from '../data/splits.js';
import '../pipeline/index.js';
import { latentItemSpace } from '../models/latent-item-space.js';
import { createModel, parseParams } from '../models/registry.js';
import type { Progress } from '../progress.js';
import type { TrainingLog } from '../training-log.js';
import { evaluateRanking, evaluateRatings, normalizeKs } from './evaluator.js';
import type { PopularityCurve } from './popularity-curve.js';
import type { SliceReport } from './slices.js';

export interface RunOptions {
  dataset: Dataset;
  model: string;
  params?: Record<string, unknown>;
  protocol: Protocol;
  seed: number;
  /** cut-offs, default [10] */
  ks?: number[];
  threads?: number;
  /** n sampled negatives per test item instead of full ranking (seeded with `seed` unless given) */
  sampled?: number | { n: number; seed?: number };
  progress?: Progress;
  signal?: AbortSignal;
  /** cold-users: events of each held-out user given to the model through foldIn (default 0: attributes only) */
  coldEvents?: number;
  /** which split part to measure: 'test' (default), or 'valid' for tuning (the model then gets no valid set) */
  on?: 'test' | 'valid';
  /** with on 'valid': the model still gets the valid split, for its own early stopping (tune, epoch-based models) */
  validToModel?: boolean;
  /** also report diversity_latent@K, in an ALS taste space of this many factors fitted on train */
  latentDiversity?: number;
}

/** The `unirec evaluate --json` object of DESIGN.md. */
export interface EvaluationReport {
  model: string;
  /** the parsed params, defaults included */
  params: Record<string, unknown>;
  protocol: Protocol;
  seed: number;
  /** the dataset's short name (folder or config name) */
  dataset?: string;
  data: { users: number; items: number; interactions: number };
  /** the cut-offs of the @K metrics, ascending */
  ks?: number[];
  /** users with a test item that could be ranked (single-split protocols) */
  evaluated_users?: number;
  /** kfold: the mean over folds, with `<metric>_std` siblings */
  metrics: Record<string, number>;
  /** kfold: per fold, averaged over folds */
  fit_seconds: number;
  eval_seconds: number;
  /** per user activity / item popularity / demographic group (single-split protocols) */
  slices?: SliceReport[];
  /** recommended vs catalogue popularity by popularity bucket (single-split protocols) */
  popularity_curve?: PopularityCurve;
  warnings?: string[];
  /** kfold: how many folds were averaged */
  folds?: number;
  /** cold-items / cold-users: how many items / users were held out, and the fold-in events per cold user */
  cold?: { items?: number; users?: number; events?: number };
  /** epoch-based models: epochs run, best epoch, per-epoch loss / valid metric / seconds (kfold: the first fold) */
  training?: TrainingLog;
}

/**
 * Split the dataset by the protocol, fit the model on train, and measure it on test (valid items are
 * excluded from the candidates; the model may use valid for early stopping). Ranking metrics come
 * from full ranking (or sampled), rmse/mae from predictRating when the model has it and the data has
 * ratings. kfold repeats this per fold and reports mean and standard deviation.
 */
export async function runEvaluation(opts: RunOptions): Promise<EvaluationReport> {
  const ds = opts.dataset;
  const params = parseParams(opts.model, opts.params ?? {});
  const splits = makeSplits(ds, opts.protocol, opts.seed, { coldEvents: opts.coldEvents });
  const sampled = typeof opts.sampled === 'number' ? { n: opts.sampled } : opts.sampled;
  const perFold: Record<string, number>[] = [];
  const warnings = new Set<string>();
  let slices: SliceReport[] | undefined;
  let curve: PopularityCurve | undefined;
  let evaluatedUsers: number | undefined;
  let training: TrainingLog | undefined;
  let fitSeconds = 0;
  let evalSeconds = 0;
  for (const split of splits) {
    const fold = await runSplit(ds, split, opts, params, sampled && { n: sampled.n, seed: sampled.seed ?? opts.seed });
    perFold.push(fold.metrics);
    for (const w of fold.warnings) warnings.add(w);
    slices ??= fold.slices;
    curve ??= fold.popularityCurve;
    evaluatedUsers ??= fold.users;
    training ??= fold.training;
    fitSeconds += fold.fitSeconds;
    evalSeconds += fold.evalSeconds;
  }
  const report: EvaluationReport = {
    model: opts.model,
    params,
    protocol: opts.protocol,
    seed: opts.seed,
    dataset: ds.name,
    data: { users: ds.users.size, items: ds.items.size, interactions: ds.interactions.length },
    ks: normalizeKs(opts.ks ?? [10]),
    metrics: splits.length === 1 ? perFold[0]! : meanAndStd(perFold),
    fit_seconds: round(fitSeconds / splits.length),
    eval_seconds: round(evalSeconds / splits.length),
  };
  if (splits.length === 1) {
    report.evaluated_users = evaluatedUsers;
    report.slices = slices;
    report.popularity_curve = curve;
  } else {
    report.folds = splits.length;
  }
  if (warnings.size) report.warnings = [...warnings];
  if (training) report.training = training;
  if (splits[0]!.candidates) report.cold = { items: splits[0]!.candidates.length };
  if (splits[0]!.coldUsers) report.cold = { users: splits[0]!.coldUsers.length, events: opts.coldEvents ?? 0 };
  return report;
}

async function runSplit(
  ds: Dataset,
  split: Split,
  opts: RunOptions,
  params: Record<string, unknown>,
  sampled: { n: number; seed: number } | undefined,
): Promise<{
  metrics: Record<string, number>;
  slices: SliceReport[];
  popularityCurve: PopularityCurve;
  users: number;
  warnings: string[];
  fitSeconds: number;
  evalSeconds: number;
  training?: TrainingLog;
}> {
  const train = ds.interactions.select(split.train);
  const onValid = opts.on === 'valid';
  const valid = onValid ? ds.interactions.select([]) : ds.interactions.select(split.valid);
  const test = ds.interactions.select(onValid ? split.valid : split.test);
  const modelValid = onValid && opts.validToModel ? test : valid;
  const foldIn = split.coldUsers ? { users: split.coldUsers, events: ds.interactions.select(split.foldIn ?? []) } : undefined;
  const trainData = makeTrainData(train, ds.users.size, ds.items.size, {
    hasRatings: ds.hasRatings,
    itemTable: ds.itemTable,
    userTable: ds.userTable,
    relation: ds.relation,
  });
  const model = createModel(opts.model, params);
  const threads = opts.threads ?? 1;
  const t0 = performance.now();
  await model.fit(trainData, {
    seed: opts.seed,
    threads,
    signal: opts.signal,
    progress: opts.progress,
    valid: modelValid.length ? modelValid : undefined,
  });
  const t1 = performance.now();
  const latentSpace = opts.latentDiversity ? await latentItemSpace(trainData, opts.latentDiversity, { seed: opts.seed, threads, signal: opts.signal }) : undefined;
  const ranking = await evaluateRanking(model, {
    train: trainData,
    latentSpace,
    test,
    exclude: valid.length ? [valid] : [],
    candidates: onValid ? undefined : split.candidates,
    foldIn,
    ks: opts.ks,
    sampled,
    threads,
    progress: opts.progress,
    signal: opts.signal,
  });
  const metrics = { ...ranking.metrics };
  if (model.predictRating && ds.hasRatings) Object.assign(metrics, evaluateRatings(model, test));
  const t2 = performance.now();
  return {
    metrics,
    slices: ranking.slices,
    popularityCurve: ranking.popularityCurve,
    users: ranking.users,
    warnings: ranking.warnings,
    fitSeconds: (t1 - t0) / 1000,
    evalSeconds: (t2 - t1) / 1000,
    training: model.training?.(),
  };
}

/** Mean of every metric over folds, plus `<metric>_std`, the population standard deviation. */
function meanAndStd(folds: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(folds[0] ?? {})) {
    const values = folds.map((f) => f[key]!);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    out[key] = mean;
    out[`${key}_std`] = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  }
  return out;
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
