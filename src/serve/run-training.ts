import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ModelInfo, Store } from '../store/store.js';
import type { JobLimits } from './job-limits.js';
import { trainFromStore } from './training.js';

export interface TrainRequest {
  /** where the child opens the store: a SQLite path or a PostgreSQL URL (with its password) */
  store: string;
  name: string;
  params: Record<string, unknown>;
  seed: number;
  threads: number;
  /** the job's memory limit: the child checks its peak resident memory against it before registering */
  memoryMb?: number;
}

export type TrainReply = { ok: true; info: ModelInfo } | { ok: false; error: string; userError: boolean; overLimit?: boolean };

/** What a job over its memory limit is told (by the parent's poll, or by the child's own check). */
export function overMemoryMessage(usedMb: number, limitMb: number): string {
  return `stopped: it used ${Math.round(usedMb)} MiB, over the memory limit of ${limitMb} MiB`;
}

/** A job that did not finish by itself: cancelled, or stopped at a limit. */
export class JobStopped extends Error {
  constructor(
    message: string,
    readonly cancelled: boolean,
  ) {
    super(message);
  }
}

const CHILD = fileURLToPath(new URL('./train-child.js', import.meta.url));
const MEMORY_POLL_MS = 250;

/** Resident memory of a process in MiB (Linux /proc); undefined where it cannot be read. */
function residentMb(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Fits and registers a model in a child process, killed when `signal` aborts (cancel), when it runs
 * past `limits.timeoutSeconds` or when its resident memory passes `limits.memoryMb`. An in-memory store
 * cannot be shared with another process, so it is trained here instead (tests, embedded use).
 */
export function runTraining(request: TrainRequest, limits: JobLimits, signal: AbortSignal, inProcessStore?: Store): Promise<ModelInfo> {
  if (inProcessStore) return trainFromStore(inProcessStore, request.name, request.params, { seed: request.seed, threads: request.threads, signal });
  return new Promise<ModelInfo>((resolve, reject) => {
    if (signal.aborted) {
      reject(new JobStopped('cancelled before it started', true));
      return;
    }
    const child = fork(CHILD, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced' });
    let stopped: JobStopped | undefined;
    let reply: TrainReply | undefined;
    const stop = (why: JobStopped) => {
      stopped ??= why;
      child.kill('SIGKILL');
    };
    const onAbort = () => stop(new JobStopped('cancelled', true));
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => stop(new JobStopped(`stopped: it ran past the time limit of ${limits.timeoutSeconds} s`, false)), limits.timeoutSeconds * 1000);
    const poll = setInterval(() => {
      const mb = child.pid === undefined ? undefined : residentMb(child.pid);
      if (mb !== undefined && mb > limits.memoryMb) stop(new JobStopped(overMemoryMessage(mb, limits.memoryMb), false));
    }, MEMORY_POLL_MS);
    child.on('message', (message) => {
      reply = message as TrainReply;
    });
    child.once('error', (err) => stop(new JobStopped(`the training process failed: ${err.message}`, false)));
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      clearInterval(poll);
      signal.removeEventListener('abort', onAbort);
      if (stopped) reject(stopped);
      else if (reply?.ok) resolve(reply.info);
      else if (reply) reject(reply.overLimit ? new JobStopped(reply.error, false) : new Error(reply.error));
      else reject(new Error(`the training process stopped without an answer (${sig ?? `exit code ${code}`})`));
    });
    // the poll above can miss a fit that ends between two looks: the child also checks its peak itself
    child.send({ ...request, memoryMb: limits.memoryMb });
  });
}
