import { z } from 'zod';
import type { Dataset } from '../data/dataset.js';
import type { Protocol } from '../data/splits.js';
import { UnirecError } from '../errors.js';
import { Rng } from '../math/rng.js';
import { createModel, parseParams } from '../models/registry.js';
import type { Progress } from '../progress.js';
import { MedianStopping, shortFit } from './early-stopping.js';
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
  /**
   * 'median' (default): stop an epoch-based trial whose valid curve falls below the median of the earlier
   * trials' (src/eval/early-stopping.ts; ranking metrics); 'median-short-fit': also give iterative models
   * (ALS) a short first fit that must pass the median (measured not to pay on ml-100k); 'none': every trial runs to its end
   */
  earlyStopping?: EarlyStoppingRule;
  progress?: Progress;
  signal?: AbortSignal;
  /** called after each trial (for live output) */
  onTrial?: (trial: TrialResult) => void;
}

export type EarlyStoppingRule = 'median' | 'median-short-fit' | 'none';

export interface TrialResult {
  /** 0 = the defaults (the fixed params alone) */
  trial: number;
  params: Record<string, unknown>;
  /** the tuned metric on the valid split */
  value: number;
  fit_seconds: number;
  /** epoch-based models: epochs the trial trained */
  epochs?: number;
  /** set when early stopping ended the trial: at which epoch (0-based), or after its short first fit of `iterations`; `value` is its best there (an epoch-based model's own valid NDCG@10, on at most 2000 valid users) */
  stopped?: { epoch?: number; iterations?: number };
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
  early_stopping: EarlyStoppingRule;
  /** trials ended by early stopping (counted, never chosen) */
  stopped: number;
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
 * when it runs out is cut (aborted) and dropped. Early stopping (src/eval/early-stopping.ts) ends a trial
 * whose valid curve falls below the median of the earlier trials'; such a trial is kept in the list (and
 * in the sampler's history, with its value where it stopped) but is never the one chosen.
 */
export async function tune(opts: TuneOptions): Promise<TuneReport> {
  const space = parseSpace(opts.space);
  const rng = new Rng(opts.seed ^ 0x7e57);
  const lower = LOWER_IS_BETTER.has(opts.metric);
  const sampler = opts.sampler ?? 'tpe';
  const earlyStopping = opts.earlyStopping ?? 'median';
  const started = performance.now();
  const deadline = opts.budgetSeconds === undefined ? Infinity : started + opts.budgetSeconds * 1000;
  const seen = new Set<string>();
  const trials: TrialResult[] = [];
  const history: Observation[] = [];
  // models that keep a training log stop on valid themselves: in a trial, as in `evaluate`, they get the
  // valid split for it (and report their per-epoch valid metric); the others (e.g. a pipeline, whose
  // ranker would learn from it) do not see the split they are scored on
  const epochBased = typeof createModel(opts.model, opts.base ?? {}).training === 'function';
  const stopping = earlyStopping !== 'none' && !lower ? new MedianStopping() : undefined;
  const short = stopping && earlyStopping === 'median-short-fit' && !epochBased ? shortFit(opts.model, parseParams(opts.model, opts.base ?? {})) : undefined;
  let cut = 0;
  const valueOf = (run: EvaluationReport) => {
    const value = run.metrics[opts.metric];
    if (value === undefined) throw new UnirecError(`metric "${opts.metric}" is not reported for ${opts.model}; choose one of ${Object.keys(run.metrics).join(', ')}`);
    return value;
  };
  /** One fit scored on valid; undefined when the time budget cut it. `onEpoch` may stop it (returns true). */
  const evaluate = async (params: Record<string, unknown>, limited: boolean, onEpoch?: (epoch: number, valid: number) => boolean): Promise<EvaluationReport | 'stopped' | undefined> => {
    const left = deadline - performance.now();
    const stop = new AbortController();
    const signals = [opts.signal, stop.signal, limited && Number.isFinite(left) ? AbortSignal.timeout(Math.max(1, Math.ceil(left))) : undefined].filter((x): x is AbortSignal => x !== undefined);
    const progress: Progress | undefined = onEpoch && {
      start: () => ({ tick() {}, done() {} }),
      epoch: (_label, _total, r) => {
        if (r.valid !== undefined && !stop.signal.aborted && onEpoch(r.epoch, r.valid)) stop.abort(new Error('stopped early'));
      },
    };
    try {
      return await runEvaluation({ ...common(opts), signal: AbortSignal.any(signals), progress, params, on: 'valid', validToModel: epochBased });
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      if (stop.signal.aborted) return 'stopped';
      if (!limited || performance.now() < deadline) throw e;
      cut++;
      return undefined;
    }
  };
  /** Trial `n`: fitted and scored on valid, or stopped early; undefined when the time budget cut it. */
  const trial = async (params: Record<string, unknown>, n: number): Promise<TrialResult | undefined> => {
    const limited = n > 0;
    const t0 = performance.now();
    const seconds = () => Math.round((performance.now() - t0) / 10) / 100;
    stopping?.begin(n === 0);
    let finished = false;
    try {
      if (short) {
        const iterations = parseParams(opts.model, params)[short.param] as number;
        if (iterations > short.iterations) {
          const first = await evaluate({ ...params, [short.param]: short.iterations }, limited);
          if (first === undefined || first === 'stopped') return undefined;
          const value = valueOf(first);
          if (stopping!.report(0, value, 1)) return { trial: n, params, value, fit_seconds: seconds(), stopped: { iterations: short.iterations } };
        }
      }
      let epochs = 0;
      let best = -Infinity;
      let last = -1;
      const run = await evaluate(params, limited, epochBased ? (epoch, valid) => {
        epochs = epoch + 1;
        best = Math.max(best, valid);
        last = epoch;
        return stopping?.report(epoch, valid) ?? false;
      } : undefined);
      if (run === undefined) return undefined;
      if (run === 'stopped') return { trial: n, params, value: best, fit_seconds: seconds(), epochs, stopped: { epoch: last } };
      const value = valueOf(run);
      if (short && !(parseParams(opts.model, params)[short.param] as number > short.iterations)) stopping!.report(0, value, Infinity);
      finished = true;
      return { trial: n, params, value, fit_seconds: run.fit_seconds, ...(epochBased ? { epochs: run.training?.epochs_run ?? epochs } : {}) };
    } finally {
      stopping?.end(finished);
    }
  };
  const task = opts.progress?.start('trials', opts.trials + 1);
  const record = (t: TrialResult) => {
    trials.push(t);
    opts.onTrial?.(t);
    task?.tick();
  };
  try {
    const defaults = { ...opts.base };
    seen.add(JSON.stringify(parseParams(opts.model, defaults)));
    record((await trial(defaults, 0))!);
    for (let attempt = 0; trials.length < opts.trials + 1 && attempt < opts.trials * 20 && performance.now() < deadline; attempt++) {
      const uniform = () => sampleParams(space, rng);
      const drawn = sampler === 'tpe' ? tpeSample(space, history, rng, uniform) : uniform();
      const params = { ...opts.base, ...drawn };
      const key = JSON.stringify(parseParams(opts.model, params));
      if (seen.has(key)) continue;
      seen.add(key);
      const result = await trial(params, trials.length);
      if (result === undefined) break;
      record(result);
      history.push({ params: drawn, score: lower ? -result.value : result.value });
    }
  } finally {
    task?.done();
  }
  const searchSeconds = (performance.now() - started) / 1000;
  // a trial stopped early never wins; the first of equal values does, so the defaults are kept unless a draw is strictly better
  const best = trials.filter((t) => !t.stopped).reduce((a, b) => (lower ? (b.value < a.value ? b : a) : b.value > a.value ? b : a));
  const test = await runEvaluation({ ...common(opts), params: best.params, on: 'test' });
  const stopped = trials.filter((t) => t.stopped).length;
  return { model: opts.model, protocol: opts.protocol, seed: opts.seed, metric: opts.metric, trials, best, sampler, ...(cut ? { cut } : {}), early_stopping: earlyStopping, stopped, search_seconds: Math.round(searchSeconds * 100) / 100, test };
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
