import type { Job } from 'bullmq';
import type { RedisLocation } from './redis-url.js';
import type { TrainJob } from './training-jobs.js';

/** What a queued training job carries. */
export interface QueuedJobData {
  model: string;
  params: Record<string, unknown>;
  activate: boolean;
}

/** What a finished job returns. */
export interface QueuedJobResult {
  version: number;
  activated: boolean;
}

export const QUEUE_NAME = 'train';
/** the failure reason of a job stopped by a cancel request */
export const CANCELLED = 'cancelled';

/** BullMQ's connection and key prefix for a deployment (every process of it must agree). */
export function queueConnection(location: RedisLocation, producer: boolean) {
  return {
    prefix: location.prefix,
    // A producer (an API replica) fails soon while Redis is down (a 503); a worker waits for it to come back.
    connection: producer ? { url: location.url, maxRetriesPerRequest: 1, commandTimeout: 2000 } : { url: location.url, maxRetriesPerRequest: null },
  };
}

/** The queue's id of job `id` (BullMQ refuses custom ids that look like integers). */
export function queueJobId(id: number): string {
  return `job-${id}`;
}

/** A BullMQ job as the API shows it. */
export async function toTrainJob(job: Job<QueuedJobData, QueuedJobResult>): Promise<TrainJob> {
  const state = await job.getState();
  const status: TrainJob['status'] =
    state === 'active'
      ? 'running'
      : state === 'completed'
        ? 'done'
        : state === 'failed'
          ? job.failedReason === CANCELLED
            ? 'cancelled'
            : 'failed'
          : 'queued';
  const out: TrainJob = { id: Number(job.id!.slice('job-'.length)), model: job.data.model, params: job.data.params, status, started: job.timestamp / 1000 };
  if (job.finishedOn !== undefined && (status === 'done' || status === 'failed' || status === 'cancelled')) out.finished = job.finishedOn / 1000;
  if (status === 'done' && job.returnvalue) {
    out.version = job.returnvalue.version;
    out.activated = job.returnvalue.activated;
  }
  if (status === 'failed' || status === 'cancelled') out.error = job.failedReason;
  return out;
}
