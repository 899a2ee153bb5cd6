import type { Rng } from '../math/rng.js';

/** A search dimension as tune's --space parses it: a list of choices, or a numeric range. */
export type Dimension = (number | string | boolean)[] | { min: number; max: number; log: boolean; int: boolean };

/** A finished trial as the sampler sees it: the drawn values and a score where higher is better. */
export interface Observation {
  params: Record<string, unknown>;
  score: number;
}

/**
 * A Tree-structured Parzen Estimator sampler (Bergstra et al. 2011), the per-dimension form Optuna
 * and Hyperopt use by default: the trials so far are split into the best quarter ("good") and the rest;
 * each dimension gets a density l(x) over the good values and g(x) over the others (Gaussian kernels in
 * the unit interval, on a log scale when the range asks for it, plus a flat prior; smoothed counts for
 * choices); `candidates` draws from l are made and the one with the largest l(x) / g(x) is returned.
 * With fewer than `startup` observations it draws uniformly, as random search.
 */
export function tpeSample(space: Record<string, Dimension>, history: Observation[], rng: Rng, uniform: () => Record<string, unknown>, startup = 5, candidates = 24): Record<string, unknown> {
  if (history.length < startup) return uniform();
  const sorted = [...history].sort((a, b) => b.score - a.score);
  const nGood = Math.max(1, Math.ceil(0.25 * sorted.length));
  const good = sorted.slice(0, nGood).map((o) => o.params);
  const bad = sorted.slice(nGood).map((o) => o.params);
  const out: Record<string, unknown> = {};
  for (const [name, dim] of Object.entries(space)) {
    if (Array.isArray(dim)) {
      const l = choiceWeights(dim, good.map((p) => p[name]));
      const g = choiceWeights(dim, bad.map((p) => p[name]));
      let bestRatio = -Infinity;
      let pick = dim[0];
      for (let c = 0; c < candidates; c++) {
        const k = drawIndex(l, rng);
        const ratio = Math.log(l[k]!) - Math.log(g[k]!);
        if (ratio > bestRatio) {
          bestRatio = ratio;
          pick = dim[k];
        }
      }
      out[name] = pick;
      continue;
    }
    const toUnit = (v: unknown) => unit(dim, Number(v));
    const lx = good.map(toUnit).filter(Number.isFinite);
    const gx = bad.map(toUnit).filter(Number.isFinite);
    const lw = bandwidth(lx.length);
    const gw = bandwidth(gx.length);
    let bestRatio = -Infinity;
    let pick = rng.next();
    for (let c = 0; c < candidates; c++) {
      // a draw from l: a good point plus kernel noise, or (prior share) uniform
      const x = lx.length && rng.next() >= 1 / (lx.length + 1) ? clamp01(lx[rng.int(lx.length)]! + lw * rng.normal()) : rng.next();
      const ratio = Math.log(density(x, lx, lw)) - Math.log(density(x, gx, gw));
      if (ratio > bestRatio) {
        bestRatio = ratio;
        pick = x;
      }
    }
    out[name] = fromUnit(dim, pick);
  }
  return out;
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/** Kernel width in the unit interval: wide with few points, narrower with more (Scott-like n^-1/5). */
function bandwidth(n: number): number {
  return Math.max(0.05, 0.3 * (n + 1) ** -0.2);
}

/** Mixture of a flat prior (one point's weight) and Gaussian kernels at the points. */
function density(x: number, points: number[], width: number): number {
  let sum = 1;
  for (const p of points) sum += Math.exp(-0.5 * ((x - p) / width) ** 2) / (width * Math.sqrt(2 * Math.PI));
  return sum / (points.length + 1);
}

function choiceWeights(choices: unknown[], seen: unknown[]): number[] {
  const w = choices.map(() => 1);
  for (const v of seen) {
    const k = choices.indexOf(v);
    if (k >= 0) w[k]! += 1;
  }
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / total);
}

function drawIndex(p: number[], rng: Rng): number {
  let r = rng.next();
  for (let k = 0; k < p.length; k++) {
    r -= p[k]!;
    if (r < 0) return k;
  }
  return p.length - 1;
}

function unit(dim: { min: number; max: number; log: boolean }, v: number): number {
  if (dim.max === dim.min) return 0.5;
  return dim.log ? (Math.log(v) - Math.log(dim.min)) / (Math.log(dim.max) - Math.log(dim.min)) : (v - dim.min) / (dim.max - dim.min);
}

/** A unit-interval value back on the dimension's scale (rounded as sampleParams rounds). */
function fromUnit(dim: { min: number; max: number; log: boolean; int: boolean }, x: number): number {
  const v = dim.log ? Math.exp(Math.log(dim.min) + x * (Math.log(dim.max) - Math.log(dim.min))) : dim.min + x * (dim.max - dim.min);
  if (dim.int) return Math.min(dim.max, Math.max(dim.min, Math.round(v)));
  return Number(v.toPrecision(4));
}
