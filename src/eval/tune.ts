import { z } from 'zod';
import type { Dataset } from '../data/dataset.js';
import type { Protocol } from '../data/splits.js';
import { UnirecError } from '../errors.js';
import { Rng } from '../math/rng.js';
import { parseParams } from '../models/registry.js';
import type { Progress } from '../progress.js';
import { runEvaluation, type EvaluationReport } from './runner.js';
import { tpeSample, type Observation } from './tpe.js';

/**
 * Hyper-parameter search space: each param is a list of choices, or a numeric range sampled uniformly
 * (or log-uniformly, for scales such as learning rates and regularisation), optionally as integers.
 *   {"k": [20, 50, 100], "shrink": {"min": 0, "max": 50}, "regularization": {"min": 0.001, "max": 1, "log": true}}
 */
const Dimension = z.union([
  z.array(z.union([z.number(), z.string(), z.boolean()])).min(1),
  z.strictObject({ min: z.number(), max: z.number(), log: z.boolean().default(false), int: z.boolean().default(false) }),
]);
const Space = z.record(z.string(), Dimension);
export type SearchSpace = z.input<typeof Space>;

export function parseSpace(json: unknown): z.output<typeof Space> {
  const result = Space.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new UnirecError(`--space: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  for (const [name, dim] of Object.entries(result.data)) {
    if (!Array.isArray(dim) && (dim.max < dim.min || (dim.log && dim.min <= 0))) {
      throw new UnirecError(`--space: ${name}: need min <= max${dim.log ? ' and min > 0 for a log scale' : ''}`);
    }
  }
  return result.data;
}

/** One seeded draw from the space. */
export function sampleParams(space: z.output<typeof Space>, rng: Rng): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [name, dim] of Object.entries(space)) {
    if (Array.isArray(dim)) {
      params[name] = dim[rng.int(dim.length)];
      continue;
    }
    const u = rng.next();
    const v = dim.log ? Math.exp(Math.log(dim.min) + u * (Math.log(dim.max) - Math.log(dim.min))) : dim.min + u * (dim.max - dim.min);
    if (!dim.int) params[name] = Number(v.toPrecision(4));
    else params[name] = dim.log ? Math.round(v) : Math.min(dim.max, Math.floor(dim.min + u * (dim.max - dim.min + 1)));
  }
  return params;
}

export interface TuneOptions {
  dataset: Dataset;
  model: string;
  space: SearchSpace;
  trials: number;
  /** e.g. ndcg@10 (higher is better) or rmse / mae (lower is better) */
  metric: string;
  protocol: Protocol;
  seed: number;
  ks: number[];
  threads: number;
  /** fixed params merged under every trial's draw */
  base?: Record<string, unknown>;
  /** how trials after the defaults are drawn (default 'tpe') */
  sampler?: 'tpe' | 'random';
  /** wall-clock limit in seconds: no trial starts after it, and a trial still running at it is cut and dropped (the defaults' trial always runs) */
  budgetSeconds?: number;
  progress?: Progress;
  signal?: AbortSignal;
  /** called after each trial (for live output) */
  onTrial?: (trial: TrialResult) => void;
}

export interface TrialResult {
  /** 0 = the defaults (the fixed params alone) */
  trial: number;
  params: Record<string, unknown>;
  /** the tuned metric on the valid split */
  value: number;
  fit_seconds: number;
}

export interface TuneReport {
  model: string;
  protocol: Protocol;
  seed: number;
  metric: string;
  trials: TrialResult[];
  best: TrialResult;
  sampler: 'tpe' | 'random';
  /** trials cut by the time budget (not counted) */
  cut?: number;
  /** seconds the search took (without the final test fit) */
  search_seconds: number;
  /** the best params, fitted on train and measured on test (valid items excluded), as `evaluate` reports */
  test: EvaluationReport;
}

const LOWER_IS_BETTER = new Set(['rmse', 'mae']);

/**
 * Search that cannot lose to the defaults: trial 0 is the model's defaults (with the fixed params), then
 * `trials` draws, by a TPE sampler (src/eval/tpe.ts; random search for its first 5 draws) or purely at
 * random (Bergstra & Bengio 2012). Every trial fits on train and is scored on the valid split, never on
 * test; the best on valid (the defaults unless a draw beats them) is then measured once on test.
 * Duplicate draws are skipped. With `budgetSeconds` no trial starts after the budget and the one running
 * when it runs out is cut (aborted) and dropped.
 */
export async function tune(opts: TuneOptions): Promise<TuneReport> {
  const space = parseSpace(opts.space);
  const rng = new Rng(opts.seed ^ 0x7e57);
  const lower = LOWER_IS_BETTER.has(opts.metric);
  const sampler = opts.sampler ?? 'tpe';
  const started = performance.now();
  const deadline = opts.budgetSeconds === undefined ? Infinity : started + opts.budgetSeconds * 1000;
  const seen = new Set<string>();
  const trials: TrialResult[] = [];
  const history: Observation[] = [];
  let cut = 0;
  const measure = async (params: Record<string, unknown>, limited: boolean): Promise<number | undefined> => {
    const left = deadline - performance.now();
    const signals = [opts.signal, limited && Number.isFinite(left) ? AbortSignal.timeout(Math.max(1, Math.ceil(left))) : undefined].filter((x): x is AbortSignal => x !== undefined);
    try {
      const run = await runEvaluation({ ...common(opts), signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0], params, on: 'valid' });
      const value = run.metrics[opts.metric];
      if (value === undefined) {
        throw new UnirecError(`metric "${opts.metric}" is not reported for ${opts.model}; choose one of ${Object.keys(run.metrics).join(', ')}`);
      }
      trials.push({ trial: trials.length, params, value, fit_seconds: run.fit_seconds });
      opts.onTrial?.(trials[trials.length - 1]!);
      return value;
    } catch (e) {
      if (opts.signal?.aborted || !limited || performance.now() < deadline) throw e;
      cut++;
      return undefined;
    }
  };
  const task = opts.progress?.start('trials', opts.trials + 1);
  try {
    const defaults = { ...opts.base };
    seen.add(JSON.stringify(parseParams(opts.model, defaults)));
    await measure(defaults, false);
    task?.tick();
    for (let attempt = 0; trials.length < opts.trials + 1 && attempt < opts.trials * 20 && performance.now() < deadline; attempt++) {
      const uniform = () => sampleParams(space, rng);
      const drawn = sampler === 'tpe' ? tpeSample(space, history, rng, uniform) : uniform();
      const params = { ...opts.base, ...drawn };
      const key = JSON.stringify(parseParams(opts.model, params));
      if (seen.has(key)) continue;
      seen.add(key);
      const value = await measure(params, true);
      if (value === undefined) break;
      history.push({ params: drawn, score: lower ? -value : value });
      task?.tick();
    }
  } finally {
    task?.done();
  }
  const searchSeconds = (performance.now() - started) / 1000;
  // the first of equal values wins, so the defaults are kept unless a draw is strictly better
  const best = trials.reduce((a, b) => (lower ? (b.value < a.value ? b : a) : b.value > a.value ? b : a));
  const test = await runEvaluation({ ...common(opts), params: best.params, on: 'test' });
  return { model: opts.model, protocol: opts.protocol, seed: opts.seed, metric: opts.metric, trials, best, sampler, ...(cut ? { cut } : {}), search_seconds: Math.round(searchSeconds * 100) / 100, test };
}

function common(opts: TuneOptions) {
  return {
    dataset: opts.dataset,
    model: opts.model,
    protocol: opts.protocol,
    seed: opts.seed,
    ks: opts.ks,
    threads: opts.threads,
    signal: opts.signal,
  };
}
