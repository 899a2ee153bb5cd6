import type { EpochRecord, Progress } from './progress.js';

export type { EpochRecord };

/** What an epoch-based fit did: carried by `evaluate --json` as `training`. */
export interface TrainingLog {
  epochs_run: number;
  /** the epoch whose weights were kept (the last one when nothing was validated) */
  best_epoch: number;
  epochs: EpochRecord[];
}

/**
 * Records a fit's epochs and reports each one through `progress.epoch` (the CLI prints a line per epoch
 * when stderr is not a terminal). `label` names the model, e.g. "bpr".
 */
export class EpochLog {
  readonly epochs: EpochRecord[] = [];
  private best = -Infinity;
  private bestEpoch = -1;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly progress?: Progress,
  ) {}

  /** Adds an epoch (seconds measured by the caller); returns true when its valid metric is the best so far. */
  record(r: EpochRecord): boolean {
    this.epochs.push(r);
    this.progress?.epoch?.(this.label, this.total, r);
    if (r.valid === undefined || !(r.valid > this.best)) return false;
    this.best = r.valid;
    this.bestEpoch = r.epoch;
    return true;
  }

  /** The log; `kept` overrides the best epoch (e.g. weights restored from a validated epoch). */
  log(kept?: number): TrainingLog {
    const last = this.epochs.length - 1;
    return { epochs_run: this.epochs.length, best_epoch: kept ?? (this.bestEpoch >= 0 ? this.bestEpoch : last), epochs: this.epochs };
  }
}
