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
    // A producer (an API replica) fails at once while Redis is down (a 503), instead of queueing in memory.
    connection: { url: location.url, maxRetriesPerRequest: producer ? 1 : null, enableOfflineQueue: !producer },
  };
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
  const out: TrainJob = { id: Number(job.id), model: job.data.model, params: job.data.params, status, started: job.timestamp / 1000 };
  if (job.finishedOn !== undefined && (status === 'done' || status === 'failed' || status === 'cancelled')) out.finished = job.finishedOn / 1000;
  if (status === 'done' && job.returnvalue) {
    out.version = job.returnvalue.version;
    out.activated = job.returnvalue.activated;
  }
  if (status === 'failed' || status === 'cancelled') out.error = job.failedReason;
  return out;
}
