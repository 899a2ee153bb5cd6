/**
 * The one pool of worker threads that every parallel part of unirec runs on (DESIGN: "One worker pool").
 *
 * - Threads: created lazily, the first time a session asks for more than are running, up to the
 *   largest thread count any session asked for (the --threads flag, default os.availableParallelism(),
 *   at most MAX_POOL_THREADS); then reused by every later call, never spawned per call. An idle thread
 *   is unref'd, so a process with an idle pool exits as if it had none; a thread running a block is
 *   ref'd until it answers.
 * - Tasks: a task module (`definePoolTasks`, e.g. math/team-tasks.ts, eval/rank-tasks.ts) names its
 *   tasks; each runs on a block of rows [from, to) with the session's state and numeric args, writes
 *   into shared memory and/or returns a result (its typed arrays are transferred back, not copied).
 * - Sessions: the inputs of one job (`pool.session(tasks, shared, threads)`): typed arrays copied once
 *   into SharedArrayBuffers that every thread reads, rebuilt by the module's `init` once per thread
 *   (e.g. the model loaded from its artifact), then any number of `run`s; `close` frees the state.
 * - One protocol: `run` hands the blocks to whichever of the session's threads is free (at most
 *   `threads` at once), reports each with its block index, rejects with the first task error (the
 *   error's class and message as thrown in the thread) or with the signal's reason on abort: no block
 *   starts after an abort or an error, the blocks already running finish first (blocks are small), so
 *   nothing writes shared memory once `run` has settled. The pool survives both; a thread that dies
 *   (out of memory) fails the runs it was serving and is replaced on demand.
 *
 * With one thread a session runs its blocks here, on the same blocks and code, so results never depend
 * on the thread count. What stays outside, on purpose: a served training job is a child PROCESS
 * (serve/run-training.ts), since only a process can be held to a memory limit and killed at once
 * (SIGKILL) without taking the server along; the store's writer thread (store/writer-thread.ts) is a
 * dedicated I/O thread owning its database connection, which must never wait behind numeric work; and
 * the native kernels' own std::threads (math/native.ts) run inside one call on the calling thread.
 */
import { Worker } from 'node:worker_threads';
import { packForWorker } from './shared.js';

/** A task: the session state (from `init`), numeric args and a block of rows; may return a result. */
export type PoolTask<S> = (state: S, args: Record<string, number>, from: number, to: number) => unknown;

/** A module of pool tasks; `url` is the module itself (its import.meta.url), which pool threads import. */
export interface PoolTasks<S = any, T extends Record<string, PoolTask<S>> = Record<string, PoolTask<S>>> {
  readonly url: string;
  /** builds a session's state from its shared inputs (rebuilt in each thread); default: the inputs */
  readonly init?: (shared: any) => S;
  readonly tasks: T;
}

/**
 * Declares a module's tasks; the module must export the result as `poolTasks` (the name pool threads
 * look up after importing `url`).
 */
export function definePoolTasks<S, T extends Record<string, PoolTask<S>>>(url: string, init: ((shared: any) => S) | undefined, tasks: T): PoolTasks<S, T> {
  return { url, init, tasks };
}

export interface SessionOptions<S> {
  /**
   * The state with which the calling thread takes blocks too, between turns of its event loop (it then
   * counts as one of the `threads`): no pool thread needs to start or build the state for that share,
   * e.g. the evaluation ranks with the live model while one pool thread loads its copy.
   */
  here?: S;
}

export interface RunOptions {
  /** called with each block's index and task result as the block finishes (any order) */
  onBlock?: (block: number, result: unknown) => void;
  signal?: AbortSignal;
}

/** Most threads a pool starts, whatever is asked (beyond this the 2-16 core machines gain nothing). */
export const MAX_POOL_THREADS = 16;

/** A message to a pool thread. */
export type ToThread =
  | { kind: 'load'; url: string }
  | { kind: 'open'; session: number; url: string; shared: unknown }
  | { kind: 'run'; session: number; task: string; args: Record<string, number>; block: number; from: number; to: number }
  | { kind: 'close'; session: number };

/** A pool thread's answer to one `run`. */
export interface FromThread {
  session: number;
  block: number;
  result?: unknown;
  error?: { name: string; message: string; stack?: string };
}

interface Block {
  run: RunState;
  index: number;
  from: number;
  to: number;
}

interface RunState {
  session: Session;
  task: string;
  args: Record<string, number>;
  queued: Block[];
  inFlight: number;
  failure: unknown;
  onBlock?: (block: number, result: unknown) => void;
  settle: () => void;
}

interface PoolThread {
  worker: Worker;
  /** the block it runs, or undefined when idle */
  busy: Block | undefined;
  /** sessions whose state this thread holds */
  opened: Set<number>;
}

export class WorkerPool {
  private readonly threads: PoolThread[] = [];
  private readonly runs: RunState[] = [];
  private nextSession = 1;
  private wanted = 0;
  private closed = false;

  constructor(private readonly maxThreads = MAX_POOL_THREADS) {}

  /** Threads running now (idle or busy). */
  get size(): number {
    return this.threads.length;
  }

  /**
   * A session over `shared` (typed arrays, CSRs, numbers, nested plain objects) on up to `threads` pool
   * threads; threads <= 1 runs every block in the calling thread.
   */
  session<S, T extends Record<string, PoolTask<S>>>(
    tasks: PoolTasks<S, T>,
    shared: Record<string, unknown>,
    threads: number,
    options: SessionOptions<S> = {},
  ): PoolSession<keyof T & string> {
    if (this.closed) throw new Error('the worker pool is closed');
    const t = Math.max(1, Math.min(this.maxThreads, Math.floor(threads) || 1));
    if (t === 1) return new LocalSession(tasks, shared, options.here);
    const poolThreads = options.here === undefined ? t : t - 1;
    this.wanted = Math.max(this.wanted, poolThreads);
    return new Session(this, this.nextSession++, tasks, packForWorker(shared), t, poolThreads, options.here);
  }

  /**
   * Starts `threads` pool threads now (those not running yet) and has them import `tasks`' module, so
   * that a session opened a little later does not wait for either (e.g. while its inputs are prepared).
   */
  warm(tasks: PoolTasks, threads: number): void {
    if (this.closed) return;
    const t = Math.min(this.maxThreads, Math.floor(threads) || 0);
    if (t < 1) return;
    this.wanted = Math.max(this.wanted, t);
    while (this.threads.length < t) this.spawn();
    for (const thread of this.threads) thread.worker.postMessage({ kind: 'load', url: tasks.url } satisfies ToThread);
  }

  /** Stops every thread; runs in flight reject. Safe to call more than once. */
  async close(): Promise<void> {
    this.closed = true;
    const threads = this.threads.splice(0);
    const stopped = new Error('the worker pool is closed');
    for (const run of this.runs.splice(0)) this.cancel(run, stopped);
    for (const t of threads) {
      const block = t.busy;
      t.busy = undefined;
      if (block) {
        this.release(block);
        this.cancel(block.run, stopped);
      }
    }
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  /** @internal queues a run's blocks and starts what can start */
  enqueue(run: RunState): void {
    if (this.closed) {
      run.failure ??= new Error('the worker pool is closed');
      run.queued.length = 0;
    }
    if (run.queued.length === 0) {
      run.settle();
      return;
    }
    this.runs.push(run);
    this.pump();
  }

  /** @internal drops a run's queued blocks (abort or error); it settles when its running blocks end */
  cancel(run: RunState, reason: unknown): void {
    run.failure ??= reason;
    run.queued.length = 0;
    this.forget(run);
    if (run.inFlight === 0) run.settle();
  }

  /** @internal the next queued block of a run, for the calling thread */
  take(run: RunState): Block | undefined {
    const block = run.failure === undefined ? run.queued.shift() : undefined;
    if (run.queued.length === 0) this.forget(run);
    return block;
  }

  /** @internal frees a session's state in the threads that hold it */
  closeSession(session: Session): void {
    for (const t of this.threads) {
      if (t.opened.delete(session.id)) t.worker.postMessage({ kind: 'close', session: session.id } satisfies ToThread);
    }
  }

  private forget(run: RunState): void {
    const at = this.runs.indexOf(run);
    if (at >= 0) this.runs.splice(at, 1);
  }

  /** Gives queued blocks to idle threads, oldest run first, each session within its thread count. */
  private pump(): void {
    for (;;) {
      const run = this.runs.find((r) => r.queued.length > 0 && r.session.inFlight < r.session.poolThreads);
      if (!run) return;
      let thread = this.threads.find((t) => t.busy === undefined);
      if (!thread) {
        if (this.threads.length >= Math.min(this.maxThreads, this.wanted)) return;
        thread = this.spawn();
      }
      const block = run.queued.shift()!;
      if (run.queued.length === 0) this.forget(run);
      this.dispatch(thread, block);
    }
  }

  private dispatch(thread: PoolThread, block: Block): void {
    const { run } = block;
    const session = run.session;
    thread.busy = block;
    run.inFlight++;
    session.inFlight++;
    if (!thread.opened.has(session.id)) {
      thread.opened.add(session.id);
      thread.worker.postMessage({ kind: 'open', session: session.id, url: session.url, shared: session.shared } satisfies ToThread);
    }
    thread.worker.ref();
    thread.worker.postMessage({ kind: 'run', session: session.id, task: run.task, args: run.args, block: block.index, from: block.from, to: block.to } satisfies ToThread);
  }

  private spawn(): PoolThread {
    const worker = new Worker(new URL('./pool-thread.js', import.meta.url));
    worker.unref();
    const thread: PoolThread = { worker, busy: undefined, opened: new Set() };
    worker.on('message', (msg: FromThread) => this.answered(thread, msg));
    const died = (err: Error): void => {
      const at = this.threads.indexOf(thread);
      if (at < 0) return;
      this.threads.splice(at, 1);
      const block = thread.busy;
      thread.busy = undefined;
      if (block) {
        this.release(block);
        this.cancel(block.run, err);
      }
      this.pump();
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`a pool thread exited with code ${code}`)));
    this.threads.push(thread);
    return thread;
  }

  private answered(thread: PoolThread, msg: FromThread): void {
    const block = thread.busy;
    thread.busy = undefined;
    thread.worker.unref();
    if (block) {
      this.release(block);
      const { run } = block;
      if (msg.error !== undefined) this.cancel(run, rebuildError(msg.error));
      else if (run.failure === undefined) {
        run.onBlock?.(block.index, msg.result);
      }
      if (run.inFlight === 0 && (run.failure !== undefined || run.queued.length === 0)) run.settle();
    }
    this.pump();
  }

  private release(block: Block): void {
    block.run.inFlight--;
    block.run.session.inFlight--;
  }
}

/** The inputs of one job on the pool, see WorkerPool.session. */
export interface PoolSession<Name extends string = string> {
  readonly threads: number;
  /**
   * Runs `task` over the blocks [bounds[b], bounds[b + 1]); resolves when all are done, rejects with the
   * first error or the signal's reason (after the blocks already running have finished).
   */
  run(task: Name, args: Record<string, number>, bounds: ArrayLike<number>, options?: RunOptions): Promise<void>;
  /** Frees the session's state in the pool threads. Safe to call more than once. */
  close(): void;
}

class Session implements PoolSession {
  /** blocks running on pool threads */
  inFlight = 0;
  private closed = false;

  constructor(
    private readonly pool: WorkerPool,
    readonly id: number,
    private readonly tasks: PoolTasks,
    readonly shared: unknown,
    readonly threads: number,
    readonly poolThreads: number,
    private readonly here: unknown,
  ) {}

  get url(): string {
    return this.tasks.url;
  }

  run(task: string, args: Record<string, number>, bounds: ArrayLike<number>, options: RunOptions = {}): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the pool session is closed'));
    const { signal, onBlock } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const queued: Block[] = [];
      const run: RunState = { session: this, task, args, queued, inFlight: 0, failure: undefined, onBlock, settle: () => {} };
      for (let b = 0; b + 1 < bounds.length; b++) queued.push({ run, index: b, from: bounds[b]!, to: bounds[b + 1]! });
      const onAbort = (): void => this.pool.cancel(run, abortReason(signal!));
      let settled = false;
      run.settle = () => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (run.failure !== undefined) reject(run.failure);
        else resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pool.enqueue(run);
      if (this.here !== undefined && queued.length > 0) void this.runHere(run);
    });
  }

  /** The calling thread's share: queued blocks one at a time, yielding between them. */
  private async runHere(run: RunState): Promise<void> {
    const fn = this.tasks.tasks[run.task];
    for (;;) {
      await yieldToEvents(); // pool answers, dispatches and an abort get through between blocks
      const block = this.pool.take(run);
      if (!block) break;
      run.inFlight++;
      try {
        if (!fn) throw new Error(`no pool task "${run.task}" in ${this.tasks.url}`);
        const result = fn(this.here, run.args, block.from, block.to);
        if (run.failure === undefined) run.onBlock?.(block.index, result);
      } catch (err) {
        this.pool.cancel(run, err);
      } finally {
        run.inFlight--;
      }
    }
    if (run.inFlight === 0) run.settle();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pool.closeSession(this);
  }
}

/** A one-thread session: the blocks run here, in order, between checks of the signal. */
class LocalSession implements PoolSession {
  readonly threads = 1;
  private state: unknown;
  private ready = false;
  private closed = false;

  constructor(
    private readonly tasks: PoolTasks,
    private readonly shared: Record<string, unknown>,
    here: unknown,
  ) {
    if (here !== undefined) {
      this.state = here;
      this.ready = true;
    }
  }

  async run(task: string, args: Record<string, number>, bounds: ArrayLike<number>, options: RunOptions = {}): Promise<void> {
    if (this.closed) throw new Error('the pool session is closed');
    const fn = this.tasks.tasks[task];
    if (!fn) throw new Error(`no pool task "${task}" in ${this.tasks.url}`);
    if (!this.ready) {
      this.state = this.tasks.init ? this.tasks.init(this.shared) : this.shared;
      this.ready = true;
    }
    for (let b = 0; b + 1 < bounds.length; b++) {
      if (options.signal?.aborted) throw abortReason(options.signal);
      const result = fn(this.state, args, bounds[b]!, bounds[b + 1]!);
      options.onBlock?.(b, result);
    }
  }

  close(): void {
    this.closed = true;
    this.state = undefined;
  }
}

function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('cancelled');
}

const ERROR_CLASSES: Record<string, ErrorConstructor> = { RangeError, TypeError, SyntaxError, ReferenceError, EvalError, URIError };

/** The error a task threw in a pool thread, rebuilt here with its class (built-ins) or name, message and stack. */
function rebuildError(e: { name: string; message: string; stack?: string }): Error {
  const err = new (ERROR_CLASSES[e.name] ?? Error)(e.message);
  if (err.name !== e.name) err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}

let shared: WorkerPool | undefined;

/** The process's pool, created on first use (its threads on first parallel run). */
export function workerPool(): WorkerPool {
  shared ??= new WorkerPool(MAX_POOL_THREADS);
  return shared;
}
