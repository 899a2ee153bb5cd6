import { type Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { HttpError } from './errors.js';
import type { Fanout } from './fanout.js';
import { QUEUE_NAME, type QueuedJobData, type QueuedJobResult, queueConnection, queueJobId, toTrainJob } from './job-queue.js';
import type { RedisLocation } from './redis-url.js';
import { isFinished, KEEP_JOBS, type SubmittedJob, type TrainJob, type TrainingJobs } from './training-jobs.js';

const POLL_MS = 250;

/**
 * Scale-out training: a job is put on a BullMQ queue in Redis and run by whichever `unirec worker` takes
 * it; this server never trains. Job ids are one counter for the whole deployment, so any replica can
 * answer for any job. A cancel marks the job (so a worker that has not started it fails it at once) and
 * tells the workers (the one running it kills its training process).
 */
export class QueuedJobs implements TrainingJobs {
  private readonly queue: Queue<QueuedJobData, QueuedJobResult>;
  private readonly redis: Redis;

  constructor(
    private readonly location: RedisLocation,
    private readonly fanout: Fanout,
  ) {
    this.queue = new Queue(QUEUE_NAME, queueConnection(location, true));
    this.queue.on('error', () => undefined);
    // While Redis is down a command fails after one reconnect attempt (a 503), instead of waiting for it.
    this.redis = new Redis(location.url, { maxRetriesPerRequest: 1, commandTimeout: 2000 });
    this.redis.on('error', () => undefined);
  }

  /** A failure while Redis is unreachable is a 503 (retry later); any other is a bug, thrown as it is. */
  private unavailable(err: unknown): never {
    if (this.redis.status === 'ready') throw err;
    throw new HttpError(503, `the job queue (Redis) is unreachable: ${(err as Error).message}; serving goes on, retry training later`);
  }

  async submit(model: string, params: Record<string, unknown>, activate: boolean): Promise<SubmittedJob> {
    let job: Job<QueuedJobData, QueuedJobResult>;
    try {
      const id = await this.redis.incr(`${this.location.prefix}:jobs:next-id`);
      job = await this.queue.add(
        'train',
        { model, params, activate },
        // A job whose worker dies is taken again once (BullMQ's stalled-job check), then failed.
        { jobId: queueJobId(id), attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
      );
    } catch (err) {
      this.unavailable(err);
    }
    const first = await toTrainJob(job);
    return { job: first, done: this.waitFor(first) };
  }

  /** Polls until the job has finished (a job gone from the queue, trimmed or removed by hand, counts as failed). */
  private async waitFor(first: TrainJob): Promise<TrainJob> {
    let missing = 0;
    for (;;) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      const job = await this.get(first.id).catch(() => null); // null: Redis unreachable, try again
      if (job && isFinished(job)) return job;
      if (job === undefined && ++missing >= 20) return { ...first, status: 'failed', error: 'the job is no longer in the queue', finished: Date.now() / 1000 };
    }
  }

  async get(id: number): Promise<TrainJob | undefined> {
    let job: Job<QueuedJobData, QueuedJobResult> | undefined;
    try {
      job = await this.queue.getJob(queueJobId(id));
    } catch (err) {
      this.unavailable(err);
    }
    return job ? toTrainJob(job) : undefined;
  }

  async list(): Promise<TrainJob[]> {
    try {
      const jobs = await this.queue.getJobs(['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'], 0, KEEP_JOBS * 3);
      const all = await Promise.all(jobs.filter((j): j is Job<QueuedJobData, QueuedJobResult> => j !== undefined).map(toTrainJob));
      return all.sort((a, b) => a.id - b.id).slice(-KEEP_JOBS);
    } catch (err) {
      this.unavailable(err);
    }
  }

  async cancel(id: number): Promise<TrainJob | undefined> {
    const job = await this.get(id);
    if (!job || isFinished(job)) return job;
    try {
      await this.redis.set(`${this.location.prefix}:jobs:cancelled:${id}`, '1', 'EX', 86_400);
      await this.fanout.publishCancel(id);
    } catch (err) {
      this.unavailable(err);
    }
    // A waiting job is failed by the worker that takes it; wait briefly for a running one to stop.
    for (let i = 0; i < 40; i++) {
      const now = await this.get(id);
      if (!now || isFinished(now)) return now;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    return this.get(id);
  }

  async busy(): Promise<boolean> {
    if (this.redis.status !== 'ready') return false; // unknown while Redis is down: /health must not wait for it
    try {
      const counts = await this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).some((n) => n > 0);
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    this.redis.disconnect();
  }
}

