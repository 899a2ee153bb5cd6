import { Worker } from 'node:worker_threads';
import type { ModelInfo, Store } from '../store/store.js';
import type { TrainWorkerInput } from './train-worker.js';
import { trainFromStore } from './training.js';

export interface TrainJob {
  id: number;
  model: string;
  params: Record<string, unknown>;
  status: 'running' | 'done' | 'failed';
  /** Unix seconds */
  started: number;
  finished?: number;
  version?: number;
  activated?: boolean;
  error?: string;
}

export interface TrainerOptions {
  seed: number;
  threads: number;
  /** called with the registered model when a job asked to activate it */
  activate: (info: ModelInfo) => Promise<void>;
}

const KEEP_JOBS = 20;

/**
 * Background training, one job at a time: the fit runs on a worker thread with its own connection to
 * the store file (in this thread, with awaits between steps, for an in-memory store), and the new
 * version is activated when the job asked for it.
 */
export class Trainer {
  private readonly jobs: TrainJob[] = [];
  private nextId = 1;
  private worker: Worker | undefined;
  current: TrainJob | undefined;

  constructor(
    private readonly store: Store,
    private readonly options: TrainerOptions,
  ) {}

  list(): readonly TrainJob[] {
    return this.jobs;
  }

  get(id: number): TrainJob | undefined {
    return this.jobs.find((j) => j.id === id);
  }

  /** Starts a job (the caller checks that none is running). `done` settles when it has finished either way. */
  start(model: string, params: Record<string, unknown>, activate: boolean): { job: TrainJob; done: Promise<TrainJob> } {
    const job: TrainJob = { id: this.nextId++, model, params, status: 'running', started: Date.now() / 1000 };
    this.jobs.push(job);
    if (this.jobs.length > KEEP_JOBS) this.jobs.shift();
    this.current = job;
    const done = this.fit(model, params)
      .then(async (info) => {
        job.version = info.version;
        if (activate) {
          await this.options.activate(info);
          job.activated = true;
        }
        job.status = 'done';
      })
      .catch((err: unknown) => {
        job.status = 'failed';
        job.error = err instanceof Error ? err.message : String(err);
      })
      .then(() => {
        job.finished = Date.now() / 1000;
        if (this.current === job) this.current = undefined;
        return job;
      });
    return { job, done };
  }

  private fit(name: string, params: Record<string, unknown>): Promise<ModelInfo> {
    const { seed, threads } = this.options;
    if (this.store.path === ':memory:') return trainFromStore(this.store, name, params, { seed, threads });
    return new Promise<ModelInfo>((resolve, reject) => {
      const workerData: TrainWorkerInput = { dbPath: this.store.path, name, params, seed, threads };
      const worker = new Worker(new URL('./train-worker.js', import.meta.url), { workerData });
      this.worker = worker;
      let settled = false;
      worker.once('message', (msg: { ok: true; info: ModelInfo } | { ok: false; error: string }) => {
        settled = true;
        if (msg.ok) resolve(msg.info);
        else reject(new Error(msg.error));
      });
      worker.once('error', (err) => {
        settled = true;
        reject(err);
      });
      worker.once('exit', (code) => {
        if (this.worker === worker) this.worker = undefined;
        if (!settled) reject(new Error(`the training thread stopped (exit code ${code})`));
      });
    });
  }

  /** Stops a running job (the server is shutting down). */
  async close(): Promise<void> {
    await this.worker?.terminate();
  }
}
