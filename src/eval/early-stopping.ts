/**
 * Early stopping of bad tuning trials, by the median stopping rule (Golovin et al. 2017, "Google Vizier";
 * Optuna's MedianPruner): a trial whose curve falls below the median of the earlier trials' curves at
 * the same point is stopped there. Two kinds of curve:
 *
 * - epoch-based models (those that keep a training log: bpr, hybrid-mf, the sequence models, two-tower)
 *   report their valid NDCG@10 after validated epochs; a trial's point at epoch e is the best it reached
 *   up to e, and it is compared after every validated epoch.
 * - iterative models without epochs (ALS: `iterations`), only when asked (tune's 'median-short-fit'):
 *   one point, a first fit with a fixed, short number of iterations (a quarter of the defaults'), scored
 *   on valid, which the trial must pass before its full fit (successive halving with two rungs). A
 *   surviving trial pays that short fit and a second evaluation, so it does not pay when a trial's
 *   fixed costs (split, evaluation) are a large part of it: on ml-100k ALS it made the search slower.
 *
 * Other models (EASE, the neighbourhood models, popularity, the pipeline) have no budget to cut: their
 * trials always run to the end.
 */

/** Curves compared at a point need at least this many earlier trials there. */
export const STARTUP_TRIALS = 3;
/** An epoch-based trial is not stopped before it has this many validated epochs. */
export const WARMUP_POINTS = 2;

/** Models whose fit has an iteration count to cut, and that param's name. */
const ITERATIVE: Record<string, string> = { als: 'iterations' };

/** The short first fit of an iterative model: `param` set to `iterations`, or undefined when the model has no such budget. */
export function shortFit(model: string, defaults: Record<string, unknown>): { param: string; iterations: number } | undefined {
  const param = ITERATIVE[model];
  const full = param === undefined ? undefined : defaults[param];
  if (param === undefined || typeof full !== 'number' || full < 4) return undefined;
  return { param, iterations: Math.ceil(full / 4) };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** One trial's curve: the best valid value reached by each point (epoch or rung), higher is better. */
class Curve {
  readonly points = new Map<number, number>();
  private best = -Infinity;
  last = -1;

  constructor(
    /** true when the trial ran to its end (its own early stopping included): its last value holds for later points */
    public finished = false,
  ) {}

  add(point: number, value: number): number {
    this.best = Math.max(this.best, value);
    this.points.set(point, this.best);
    this.last = Math.max(this.last, point);
    return this.best;
  }

  /** the best value by `point`, or undefined when the trial was stopped before it */
  at(point: number): number | undefined {
    if (point > this.last) return this.finished ? this.best : undefined;
    let value: number | undefined;
    for (const [p, v] of this.points) if (p <= point && (value === undefined || v > value)) value = v;
    return value;
  }
}

/** The median stopping rule over a search's trials, one curve per trial. */
export class MedianStopping {
  private readonly done: Curve[] = [];
  private current: Curve | undefined;
  private seen = 0;
  private exempt = false;

  /** A trial starts; `exempt` trials (the defaults) are never stopped but still give a curve. */
  begin(exempt = false): void {
    this.current = new Curve();
    this.exempt = exempt;
    this.seen = 0;
  }

  /**
   * The running trial reached `value` at `point` (an epoch, or a rung); returns true when it should stop:
   * its best so far is below the median of the earlier trials' bests by that point (at least
   * STARTUP_TRIALS of them reached it) and it is past its warm-up (`warmup` points of its own).
   */
  report(point: number, value: number, warmup = WARMUP_POINTS): boolean {
    const curve = this.current;
    if (!curve) throw new Error('MedianStopping.report outside a trial');
    const best = curve.add(point, value);
    this.seen++;
    if (this.exempt || this.seen < warmup) return false;
    const others = this.done.map((c) => c.at(point)).filter((v): v is number => v !== undefined);
    return others.length >= STARTUP_TRIALS && best < median(others);
  }

  /** The running trial ended: `finished` when it ran to its end, false when it was stopped. */
  end(finished: boolean): void {
    if (!this.current) return;
    this.current.finished = finished;
    if (this.current.last >= 0) this.done.push(this.current);
    this.current = undefined;
  }
}
