import { HttpError } from './errors.js';

/** What one training job may use: the process running it is killed past either. */
export interface JobLimits {
  /** wall-clock seconds */
  timeoutSeconds: number;
  /** resident memory of the training process, MiB */
  memoryMb: number;
}

export const DEFAULT_JOB_LIMITS: JobLimits = { timeoutSeconds: 3600, memoryMb: 4096 };

/**
 * Upper bounds on the parameters that set a job's size, whatever the model (a nested pipeline or
 * cold-start config is checked at every depth). They keep one request from asking for a fit that could
 * never finish or fit in memory; the time and memory limits catch what a bound cannot see.
 */
const CAPS: { names: RegExp; max: number; what: string }[] = [
  { names: /^(factors|dim|hidden)$/, max: 1024, what: 'dimensions' },
  { names: /^(iterations|epochs|passes|trees|foldInEpochs|cgSteps|foldInSteps)$/, max: 1000, what: 'training passes' },
  { names: /^(k|neighbours|candidates|pool|negatives|maxSampled|batchSize|validUsers|rankerUsers|historyLength|maxFeatures)$/, max: 100_000, what: 'a size' },
];

/** Throws a 400 naming the first parameter over its bound. */
export function checkJobParams(model: string, params: unknown, path = ''): void {
  if (Array.isArray(params)) {
    params.forEach((p, i) => checkJobParams(model, p, `${path}[${i}]`));
    return;
  }
  if (params === null || typeof params !== 'object') return;
  for (const [key, value] of Object.entries(params as Record<string, unknown>)) {
    const where = path ? `${path}.${key}` : key;
    if (typeof value === 'number') {
      const cap = CAPS.find((c) => c.names.test(key));
      if (cap && value > cap.max) {
        throw new HttpError(400, `${model}: param "${where}" is ${value}; a training job allows at most ${cap.max} (${cap.what}): train larger models with \`unirec train\``);
      }
    } else checkJobParams(model, value, where);
  }
}
