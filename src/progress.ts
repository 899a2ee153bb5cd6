/** Progress reporting for anything that can take more than a second. The CLI draws bars on stderr. */
export interface ProgressTask {
  /** Advance by n units (default 1). */
  tick(n?: number): void;
  /** Finish the task (removes or completes its bar). */
  done(): void;
}

/** One epoch of an epoch-based model's fit (reported through Progress.epoch, kept in a TrainingLog). */
export interface EpochRecord {
  /** 0-based */
  epoch: number;
  /** mean training loss over the epoch (the model's own objective) */
  loss: number;
  /** validation metric, when it was measured after this epoch */
  valid?: number;
  seconds: number;
  /** patience ran out after this epoch: training went on from the best weights at a lower learning rate */
  annealed?: boolean;
}

export interface Progress {
  start(label: string, total: number): ProgressTask;
  /** An epoch of `label`'s fit ended (of `total` planned); a log prints one line per epoch. */
  epoch?(label: string, total: number, r: EpochRecord): void;
}

const noopTask: ProgressTask = { tick() {}, done() {} };

/** Progress that reports nothing: the library default. */
export const silentProgress: Progress = { start: () => noopTask };
