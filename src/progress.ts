/** Progress reporting for anything that can take more than a second. The CLI draws bars on stderr. */
export interface ProgressTask {
  /** Advance by n units (default 1). */
  tick(n?: number): void;
  /** Finish the task (removes or completes its bar). */
  done(): void;
}

export interface Progress {
  start(label: string, total: number): ProgressTask;
}

const noopTask: ProgressTask = { tick() {}, done() {} };

/** Progress that reports nothing: the library default. */
export const silentProgress: Progress = { start: () => noopTask };
