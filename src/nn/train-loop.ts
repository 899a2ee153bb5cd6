import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Rng } from '../math/rng.js';
import type { Progress } from '../progress.js';
import type { TrainingLog } from '../training-log.js';

function ensureNotAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('cancelled');
}

/** Row indices 0..n-1 shuffled with `rng` and cut into batches of `batchSize` (the last may be shorter). */
export function shuffledBatches(n: number, batchSize: number, rng: Rng): Int32Array[] {
  const order = new Int32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  rng.shuffle(order);
  const out: Int32Array[] = [];
  for (let at = 0; at < n; at += batchSize) out.push(order.subarray(at, Math.min(n, at + batchSize)));
  return out;
}

export interface EpochReport {
  epoch: number;
  /** mean training loss over the epoch's batches */
  loss: number;
  /** validation metric when it was measured this epoch */
  metric?: number;
  seconds: number;
  /** patience ran out here: training went on from the best weights with a lower learning rate */
  annealed?: boolean;
}

export interface TrainLoopOptions<Snapshot> {
  /** shown in progress bars, e.g. "sasrec" */
  label: string;
  epochs: number;
  /** the batches of one epoch (called once per epoch, so it may reshuffle or resample) */
  batches(epoch: number): number;
  /** one optimisation step on batch `b` of `epoch`; returns its loss */
  step(epoch: number, b: number): number;
  /** validation metric, higher is better (e.g. NDCG@10 on the valid users); omitted = no early stopping */
  validate?: () => number;
  /** measure every this many epochs (and after the last) */
  validateEvery?: number;
  /** stop after this many validations without improvement */
  patience?: number;
  /**
   * When patience runs out: go back to the best weights, call `lower` (e.g. cut the learning rate) and
   * train on, stopping after `patience` validations without improvement; up to `times` times.
   */
  anneal?: { times: number; patience: number; lower: () => void };
  /** copy and put back the weights, to end on the best validated epoch */
  snapshot?: () => Snapshot;
  restore?: (s: Snapshot) => void;
  signal?: AbortSignal;
  progress?: Progress;
  onEpoch?: (r: EpochReport) => void;
}

export interface TrainLoopResult {
  epochs: EpochReport[];
  /** epoch whose weights were kept (the last one without validation) */
  bestEpoch: number;
  bestMetric?: number;
  stoppedEarly: boolean;
  /** the same as a TrainingLog (what `evaluate --json` reports) */
  log: TrainingLog;
}

/**
 * The epoch loop every neural model shares: a progress bar per epoch whose label carries the previous
 * epoch's loss, validation every N epochs with early stopping (patience counted in validations) that
 * restores the best weights, and cancellation checked between batches (yielding to the event loop so
 * an abort from a timer or request can land).
 */
export async function trainLoop<Snapshot>(o: TrainLoopOptions<Snapshot>): Promise<TrainLoopResult> {
  const every = Math.max(1, o.validateEvery ?? 1);
  let patience = o.patience ?? Infinity;
  let anneals = 0;
  const epochs: EpochReport[] = [];
  let best = -Infinity;
  let bestEpoch = o.epochs - 1;
  let bestWeights: Snapshot | undefined;
  let sinceBest = 0;
  let stoppedEarly = false;
  let lastLoss = NaN;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    ensureNotAborted(o.signal);
    const t0 = performance.now();
    const n = o.batches(epoch);
    let lossText = Number.isNaN(lastLoss) ? '' : ` loss ${lastLoss.toFixed(4)}`;
    const lastMetric = epochs[epochs.length - 1]?.metric;
    if (lastMetric !== undefined) lossText += ` valid ${lastMetric.toFixed(4)}`;
    const task = o.progress?.start(`${o.label} epoch ${epoch + 1}/${o.epochs}${lossText}`, n);
    let sum = 0;
    try {
      for (let b = 0; b < n; b++) {
        sum += o.step(epoch, b);
        task?.tick();
        await yieldToEventLoop();
        ensureNotAborted(o.signal);
      }
    } finally {
      task?.done();
    }
    lastLoss = sum / Math.max(1, n);
    if (!Number.isFinite(lastLoss)) throw new Error(`${o.label}: training diverged (loss ${lastLoss} in epoch ${epoch + 1}); lower learningRate`);
    const report: EpochReport = { epoch, loss: lastLoss, seconds: (performance.now() - t0) / 1000 };
    if (o.validate && ((epoch + 1) % every === 0 || epoch === o.epochs - 1)) {
      report.metric = o.validate();
      if (report.metric > best) {
        best = report.metric;
        bestEpoch = epoch;
        bestWeights = o.snapshot?.();
        sinceBest = 0;
      } else if (++sinceBest >= patience) {
        if (o.anneal && anneals < o.anneal.times && bestWeights !== undefined && o.restore) {
          anneals++;
          o.restore(bestWeights);
          o.anneal.lower();
          patience = o.anneal.patience;
          sinceBest = 0;
          report.annealed = true;
        } else {
          stoppedEarly = true;
        }
      }
    }
    epochs.push(report);
    o.progress?.epoch?.(o.label, o.epochs, { epoch, loss: report.loss, valid: report.metric, seconds: report.seconds, ...(report.annealed ? { annealed: true } : {}) });
    o.onEpoch?.(report);
    if (stoppedEarly) break;
  }
  if (bestWeights !== undefined && bestEpoch !== epochs.length - 1) o.restore?.(bestWeights);
  const log: TrainingLog = {
    epochs_run: epochs.length,
    best_epoch: bestWeights !== undefined ? bestEpoch : epochs.length - 1,
    epochs: epochs.map((e) => ({ epoch: e.epoch, loss: e.loss, ...(e.metric !== undefined ? { valid: e.metric } : {}), seconds: e.seconds, ...(e.annealed ? { annealed: true } : {}) })),
  };
  return { epochs, bestEpoch, bestMetric: o.validate ? best : undefined, stoppedEarly, log };
}
