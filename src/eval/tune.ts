import { z } from 'zod';
import type { Dataset } from '../data/dataset.js';
import type { Protocol } from '../data/splits.js';
import { UnirecError } from '../errors.js';
import { Rng } from '../math/rng.js';
import { parseParams } from '../models/registry.js';
import type { Progress } from '../progress.js';
import { runEvaluation, type EvaluationReport } from './runner.js';

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
  progress?: Progress;
  signal?: AbortSignal;
  /** called after each trial (for live output) */
  onTrial?: (trial: TrialResult) => void;
}

export interface TrialResult {
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
  /** the best params, fitted on train and measured on test (valid items excluded), as `evaluate` reports */
  test: EvaluationReport;
}

const LOWER_IS_BETTER = new Set(['rmse', 'mae']);

/**
 * Random search (Bergstra & Bengio 2012): each trial fits on train and is scored on the valid split,
 * never on test; the best params are then measured once on test. Duplicate draws are skipped.
 */
export async function tune(opts: TuneOptions): Promise<TuneReport> {
  const space = parseSpace(opts.space);
  const rng = new Rng(opts.seed ^ 0x7e57);
  const lower = LOWER_IS_BETTER.has(opts.metric);
  const seen = new Set<string>();
  const trials: TrialResult[] = [];
  const task = opts.progress?.start('trials', opts.trials);
  try {
    for (let attempt = 0; trials.length < opts.trials && attempt < opts.trials * 20; attempt++) {
      const params = { ...opts.base, ...sampleParams(space, rng) };
      const key = JSON.stringify(parseParams(opts.model, params));
      if (seen.has(key)) continue;
      seen.add(key);
      const run = await runEvaluation({ ...common(opts), params, on: 'valid' });
      const value = run.metrics[opts.metric];
      if (value === undefined) {
        throw new UnirecError(`metric "${opts.metric}" is not reported for ${opts.model}; choose one of ${Object.keys(run.metrics).join(', ')}`);
      }
      const trial = { trial: trials.length + 1, params, value, fit_seconds: run.fit_seconds };
      trials.push(trial);
      opts.onTrial?.(trial);
      task?.tick();
    }
  } finally {
    task?.done();
  }
  if (!trials.length) throw new UnirecError('the search space produced no trial');
  const best = trials.reduce((a, b) => (lower ? (b.value < a.value ? b : a) : b.value > a.value ? b : a));
  const test = await runEvaluation({ ...common(opts), params: best.params, on: 'test' });
  return { model: opts.model, protocol: opts.protocol, seed: opts.seed, metric: opts.metric, trials, best, test };
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
