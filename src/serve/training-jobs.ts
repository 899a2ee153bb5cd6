/** A training job as the API shows it. */
export interface TrainJob {
  id: number;
  model: string;
  params: Record<string, unknown>;
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  /** Unix seconds: when it was submitted */
  started: number;
  finished?: number;
  version?: number;
  activated?: boolean;
  error?: string;
}

export interface SubmittedJob {
  job: TrainJob;
  /** settles when the job has finished, whichever way */
  done: Promise<TrainJob>;
}

/**
 * Where training runs. Embedded (`LocalJobs`): one job at a time in a child process of this server.
 * Scale-out (`QueuedJobs`): a job queue in Redis that `unirec worker` processes run; the servers never
 * train. Either way a job never holds up requests, is bounded in time and memory, and can be cancelled.
 */
export interface TrainingJobs {
  submit(model: string, params: Record<string, unknown>, activate: boolean): Promise<SubmittedJob>;
  get(id: number): Promise<TrainJob | undefined>;
  /** the most recent jobs, oldest first */
  list(): Promise<TrainJob[]>;
  /** Cancels a queued or running job; undefined when there is no such job. A finished job is returned as it is. */
  cancel(id: number): Promise<TrainJob | undefined>;
  /** whether a job is queued or running now */
  busy(): Promise<boolean>;
  close(): Promise<void>;
}

export const KEEP_JOBS = 20;

export function isFinished(job: TrainJob): boolean {
  return job.status === 'done' || job.status === 'failed' || job.status === 'cancelled';
}
