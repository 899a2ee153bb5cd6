import type { ModelInfo, Store } from '../store/store.js';
import { HttpError } from './errors.js';
import type { JobLimits } from './job-limits.js';
import { JobStopped, runTraining } from './run-training.js';
import { KEEP_JOBS, type SubmittedJob, type TrainJob, type TrainingJobs } from './training-jobs.js';

export interface LocalJobsOptions {
  /** where a training process opens the store; undefined trains in this process (an in-memory store) */
  location: string | undefined;
  seed: number;
  threads: number;
  limits: JobLimits;
  /** called with the registered model when a job asked to activate it */
  activate: (info: ModelInfo) => Promise<void>;
}

/** Embedded training: one job at a time, in a child process of this server (see runTraining). */
export class LocalJobs implements TrainingJobs {
  private readonly jobs: TrainJob[] = [];
  private nextId = 1;
  private running: { job: TrainJob; controller: AbortController; done: Promise<TrainJob> } | undefined;

  constructor(
    private readonly store: Store,
    private readonly options: LocalJobsOptions,
  ) {}

  async submit(model: string, params: Record<string, unknown>, activate: boolean): Promise<SubmittedJob> {
    if (this.running) throw new HttpError(409, `a training job is running (job ${this.running.job.id}, ${this.running.job.model}); wait for it to finish or cancel it`);
    const job: TrainJob = { id: this.nextId++, model, params, status: 'running', started: Date.now() / 1000 };
    this.jobs.push(job);
    if (this.jobs.length > KEEP_JOBS) this.jobs.shift();
    const controller = new AbortController();
    const { seed, threads, limits, location } = this.options;
    const done = runTraining({ store: location ?? '', name: model, params, seed, threads }, limits, controller.signal, this.store, location === undefined)
      .then(async (info) => {
        job.version = info.version;
        if (activate && !controller.signal.aborted) {
          await this.options.activate(info).catch((err: Error) => {
            // registered but not served: the job failed, and its error names the version left inactive
            throw new Error(`${info.name}@${info.version} is registered but could not be activated: ${err.message}`);
          });
          job.activated = true;
        }
        job.status = 'done';
      })
      .catch((err: unknown) => {
        job.status = err instanceof JobStopped && err.cancelled ? 'cancelled' : 'failed';
        job.error = err instanceof Error ? err.message : String(err);
      })
      .then(() => {
        job.finished = Date.now() / 1000;
        if (this.running?.job === job) this.running = undefined;
        return job;
      });
    this.running = { job, controller, done };
    return { job, done };
  }

  async get(id: number): Promise<TrainJob | undefined> {
    return this.jobs.find((j) => j.id === id);
  }

  async list(): Promise<TrainJob[]> {
    return [...this.jobs];
  }

  async cancel(id: number): Promise<TrainJob | undefined> {
    const job = this.jobs.find((j) => j.id === id);
    if (job && this.running?.job === job) {
      this.running.controller.abort();
      await this.running.done;
    }
    return job;
  }

  async busy(): Promise<boolean> {
    return this.running !== undefined;
  }

  async close(): Promise<void> {
    if (this.running) {
      this.running.controller.abort();
      await this.running.done;
    }
  }
}
