import { Worker } from 'node:worker_threads';
import { UnirecError } from '../errors.js';
import type { AppendResult, EventInput } from './store.js';

export type WriterRequest = { id: number; events: EventInput[]; close?: undefined } | { close: true; id?: undefined; events?: undefined };
type PlainError = { message: string; code?: string; client: boolean };
export interface WriterReply {
  results: ({ id: number; ok: AppendResult } | { id: number; err: PlainError })[];
  /** the replies of one commit carry `commit: true` */
  commit?: boolean;
  ready?: boolean;
  closed?: boolean;
}

/**
 * Group commit on a thread of its own (SqliteOptions.writerThread, `unirec serve --writer-thread`):
 * better-sqlite3 is synchronous, so a commit's sync of the log (milliseconds on a slow or busy disk)
 * stops the event loop, and every request with it. Here the event
 * loop posts each batch to the writer thread and goes on serving; the thread commits every batch that
 * arrived while its previous commit was syncing in one transaction (a savepoint per batch), and each
 * promise resolves only after the commit that holds its batch.
 */
export class WriterThread {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (r: AppendResult) => void; reject: (e: unknown) => void }>();
  private next = 1;
  private closed: Promise<void> | undefined;
  private readonly ready: Promise<void>;
  /** transactions committed and the batches they held */
  readonly stats = { commits: 0, batches: 0 };

  constructor(path: string, synchronous: 'FULL' | 'NORMAL') {
    this.worker = new Worker(new URL('./writer-thread-main.js', import.meta.url), { workerData: { path, synchronous } });
    let started!: () => void;
    let failed!: (e: unknown) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    this.ready.catch(() => undefined);
    this.worker.on('message', (m: WriterReply) => {
      if (m.ready) started();
      if (m.commit) {
        this.stats.commits++;
        this.stats.batches += m.results.length;
      }
      for (const r of m.results) {
        const w = this.waiting.get(r.id);
        if (!w) continue;
        this.waiting.delete(r.id);
        if (this.waiting.size === 0 && !this.closed) this.worker.unref();
        if ('ok' in r) w.resolve(r.ok);
        else w.reject(revive(r.err));
      }
    });
    this.worker.on('error', (err) => {
      failed(err);
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    });
    // The thread keeps the process up only while a write is waiting for it.
    this.worker.unref();
  }

  async append(events: EventInput[]): Promise<AppendResult> {
    if (this.closed) throw new UnirecError('the store is closed');
    const id = this.next++;
    const done = new Promise<AppendResult>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    if (this.waiting.size === 1) this.worker.ref();
    this.worker.postMessage({ id, events } satisfies WriterRequest);
    return done;
  }

  /** Commits what is queued, closes the thread's connection, ends the thread. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      // Until the thread has committed what is queued and closed its connection, it keeps the process up.
      this.worker.ref();
      await this.ready.catch(() => undefined);
      await new Promise<void>((resolve) => {
        this.worker.on('message', (m: WriterReply) => m.closed && resolve());
        this.worker.once('exit', () => resolve());
        this.worker.postMessage({ close: true } satisfies WriterRequest);
      });
      await this.worker.terminate();
    })();
    return this.closed;
  }
}

/** The thread's error back as one the HTTP layer maps: a client's mistake (400) or SQLite's code (507/503). */
function revive(e: PlainError): Error {
  if (e.client) return new UnirecError(e.message);
  return Object.assign(new Error(e.message), { code: e.code });
}
