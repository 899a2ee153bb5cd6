import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import '../pipeline/index.js';
import { loadModel } from '../models/registry.js';
import { decodeArtifact } from '../store/artifact-codec.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { Fanout } from './fanout.js';
import { DEFAULT_JOB_LIMITS, type JobLimits } from './job-limits.js';
import { CANCELLED, QUEUE_NAME, type QueuedJobData, type QueuedJobResult, queueConnection, queueJobId } from './job-queue.js';
import type { RedisLocation } from './redis-url.js';
import { JobStopped, runTraining } from './run-training.js';

export interface TrainingWorkerOptions {
  /** the store, as a training process opens it (a PostgreSQL URL with its password, or a SQLite path) */
  store: string;
  redis: RedisLocation;
  seed?: number;
  threads?: number;
  limits?: JobLimits;
  /** how long a job's lock lasts without renewal: a dead worker's job is taken again after about this long */
  lockMs?: number;
  log?: (message: string) => void;
}

export interface RunningWorker {
  close(): Promise<void>;
}

/**
 * `unirec worker`: takes training jobs off the queue one at a time, fits each in a child process
 * (bounded in time and memory, killed on cancel), registers the model in the store and, when the job
 * asked for it, checks that the artifact loads and activates it in one transaction — then nudges the
 * servers, which swap to it. A worker that dies mid-job leaves the active model as it was: BullMQ sees
 * the job's lock expire and hands it to a worker again (once), then fails it.
 */
export async function startTrainingWorker(options: TrainingWorkerOptions): Promise<RunningWorker> {
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const limits = options.limits ?? DEFAULT_JOB_LIMITS;
  const store: Store = await openStore(options.store);
  const redis = new Redis(options.redis.url, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  let worker: Worker<QueuedJobData, QueuedJobResult> | undefined;
  const fanout = new Fanout(options.redis, {
    changed: () => undefined,
    cancel: (id) => {
      if (worker?.cancelJob(queueJobId(id), CANCELLED)) log(`unirec worker: job ${id}: cancel requested`);
    },
  });

  const processJob = async (job: Job<QueuedJobData, QueuedJobResult>, _token?: string, signal?: AbortSignal): Promise<QueuedJobResult> => {
    const { model, params, activate } = job.data;
    if (await redis.get(`${options.redis.prefix}:jobs:cancelled:${job.id!.slice('job-'.length)}`)) throw new UnrecoverableError(CANCELLED);
    log(`unirec worker: job ${job.id}: training ${model}`);
    let info;
    try {
      info = await runTraining({ store: options.store, name: model, params, seed: options.seed ?? 42, threads: options.threads ?? 1 }, limits, signal ?? new AbortController().signal, store);
    } catch (err) {
      if (err instanceof JobStopped && err.cancelled) throw new UnrecoverableError(CANCELLED);
      throw new UnrecoverableError((err as Error).message);
    }
    let activated = false;
    if (activate && !signal?.aborted) {
      const record = await store.getModel(info.name, info.version);
      if (!record) throw new UnrecoverableError(`model ${info.name}@${info.version} vanished from the store before activation`);
      try {
        loadModel(decodeArtifact(record.artifact).artifact); // never activate what a server cannot load
      } catch (err) {
        // a version no server can load is of no use to anyone: the failed job takes it back
        await store.deleteModel(info.name, info.version).catch(() => undefined);
        throw new UnrecoverableError(`model ${info.name}@${info.version} cannot be served, so it was taken back: ${(err as Error).message}`);
      }
      await store.activateModel(info.name, info.version);
      fanout.notifyChanged();
      activated = true;
    }
    log(`unirec worker: job ${job.id}: ${model}@${info.version} registered${activated ? ' and activated' : ''}`);
    return { version: info.version, activated };
  };

  const lockDuration = options.lockMs ?? 30_000;
  worker = new Worker<QueuedJobData, QueuedJobResult>(QUEUE_NAME, processJob, {
    ...queueConnection(options.redis, false),
    concurrency: 1,
    lockDuration,
    stalledInterval: Math.max(1000, Math.floor(lockDuration / 2)),
    maxStalledCount: 1,
  });
  worker.on('error', (err) => log(`unirec worker: ${err.message}`));
  worker.on('failed', (job, err) => {
    if (job) log(`unirec worker: job ${job.id}: ${err.message === CANCELLED ? 'cancelled' : `failed: ${err.message}`}`);
  });
  await worker.waitUntilReady();
  return {
    async close() {
      await worker!.close();
      await fanout.close();
      redis.disconnect();
      await store.close();
    },
  };
}
