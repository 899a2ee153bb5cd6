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

/**
 * What the child says after the fit, before it saves: the version it reserved and will save as. It saves
 * only once the parent answers (SAVE), so the parent always knows what to take back after a kill.
 */
export interface SavingNotice {
  saving: number;
}
export const SAVE = 'save';

/** A test hook: the child waits this many ms between its save and its reply (the window a kill can fall in). */
export const HOLD_REPLY_ENV = 'UNIREC_TEST_HOLD_TRAIN_REPLY_MS';

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
 * past `limits.timeoutSeconds` or when its resident memory passes `limits.memoryMb`. A job that does
 * not succeed leaves no model behind: the child tells the version it will save before it saves, and
 * after a kill (which can fall after the save's commit, before the reply) or a failure the version is
 * deleted from `registry` (this process's handle on the same store) before the promise rejects.
 * `inProcess` trains here instead (an in-memory store cannot be shared with another process: tests,
 * embedded use).
 */
export function runTraining(request: TrainRequest, limits: JobLimits, signal: AbortSignal, registry: Store, inProcess = false): Promise<ModelInfo> {
  if (inProcess) return trainFromStore(registry, request.name, request.params, { seed: request.seed, threads: request.threads, signal });
  return new Promise<ModelInfo>((resolve, reject) => {
    if (signal.aborted) {
      reject(new JobStopped('cancelled before it started', true));
      return;
    }
    const child = fork(CHILD, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'advanced' });
    let stopped: JobStopped | undefined;
    let reply: TrainReply | undefined;
    /** the version the child reserved and was let save */
    let saving: number | undefined;
    const stop = (why: JobStopped) => {
      if (reply?.ok) return; // it finished: a cancel or limit arriving now is too late to matter
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
    child.on('message', (message: SavingNotice | TrainReply) => {
      if ('saving' in message) {
        if (stopped) return; // being killed: it will not save
        saving = message.saving;
        child.send(SAVE, () => undefined); // a send to a child killed meanwhile fails harmlessly
      } else reply = message;
    });
    child.once('error', (err) => stop(new JobStopped(`the training process failed: ${err.message}`, false)));
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      clearInterval(poll);
      signal.removeEventListener('abort', onAbort);
      if (reply?.ok) {
        resolve(reply.info);
        return;
      }
      const failure =
        stopped ??
        (reply
          ? reply.overLimit
            ? new JobStopped(reply.error, false)
            : new Error(reply.error)
          : new Error(`the training process stopped without an answer (${sig ?? `exit code ${code}`})`));
      if (saving === undefined) reject(failure);
      else takeBack(registry, request.name, saving, failure).then(reject);
    });
    // the poll above can miss a fit that ends between two looks: the child also checks its peak itself
    child.send({ ...request, memoryMb: limits.memoryMb });
  });
}

/**
 * Deletes the version a failed or stopped job may have saved (nothing when it never got that far), and
 * returns the job's error: with a note when the version could not be deleted.
 */
async function takeBack(registry: Store, name: string, version: number, failure: Error): Promise<Error> {
  try {
    await registry.deleteModel(name, version);
    return failure;
  } catch (err) {
    const message = `${failure.message}; its model ${name}@${version} may be left in the store (inactive): ${(err as Error).message}`;
    return failure instanceof JobStopped ? new JobStopped(message, failure.cancelled) : new Error(message);
  }
}
