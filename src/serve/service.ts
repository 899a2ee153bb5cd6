import type { RetrievalParams } from '../retrieval/options.js';
import type { AppendResult, Attributes, EventInput, ModelInfo, Store, StoreChange } from '../store/store.js';
import { Catalog, type UnknownItemPolicy } from './catalog.js';
import { ChangeFollower } from './change-follower.js';
import { HttpError } from './errors.js';
import { Fanout } from './fanout.js';
import { FoldCache } from './fold-cache.js';
import { DEFAULT_JOB_LIMITS, type JobLimits } from './job-limits.js';
import { buildLiveModel, type LiveModel } from './live-model.js';
import { addCatalogItem, type Placement, placementOf, removeCatalogItem, syncCatalogItems } from './new-items.js';
import { LocalJobs } from './local-jobs.js';
import { QueuedJobs } from './queued-jobs.js';
import { recommend, type Recommendation, type RecommendOptions, similar, type Similar } from './recommend.js';
import type { RedisLocation } from './redis-url.js';
import { ResultCache } from './result-cache.js';
import type { SubmittedJob, TrainingJobs } from './training-jobs.js';

export interface ServiceOptions {
  /**
   * Where a training process opens the store (a SQLite path or a PostgreSQL URL with its password).
   * Omitted: the store's own path, or training in this process for an in-memory store.
   */
  location?: string;
  /** Redis for scale-out: change notices between replicas and the training job queue (run by `unirec worker`) */
  redis?: RedisLocation;
  /** threads for a training job (default 1: the other core keeps serving) */
  trainThreads?: number;
  /** time and memory limits of one training job */
  jobLimits?: JobLimits;
  seed?: number;
  /** how models with item vectors serve, over their own params (e.g. { retrieval: 'hnsw' }) */
  retrieval?: Partial<RetrievalParams>;
  /** events for items the catalogue does not have: hidden from lists until put (default), refused, or listed */
  unknownItems?: UnknownItemPolicy;
  /** how often the store's change log is read when no notice comes (ms; default 1000, 2000 with Redis up, 250 with Redis down) */
  pollMs?: number;
  /** where warnings go (default stderr) */
  warn?: (message: string) => void;
}

export interface Health {
  status: 'ok' | 'degraded';
  store: 'ok' | 'unreachable';
  redis: 'ok' | 'unreachable' | 'not used';
  /** why it is degraded */
  problems: string[];
}

/**
 * What the HTTP routes talk to: the store (the truth, written first), the in-memory catalogue and the
 * model being served (swapped whole). The catalogue follows the store's change log, so it sees every
 * write whichever process made it — this server, another replica, `unirec import`, a training worker —
 * and this server's own writes are in it before they are acknowledged.
 */
export class RecommenderService {
  private current: LiveModel | undefined;
  /** activations run one after another, so the store's active flag and the served model agree */
  private activation: Promise<unknown> = Promise.resolve();
  /** the store's active model changed and is not loaded yet (retried on the next change or poll) */
  private modelStale = false;
  readonly jobs: TrainingJobs;
  readonly foldCache = new FoldCache();
  readonly results = new ResultCache();
  readonly started = Date.now();
  private readonly follower: ChangeFollower;
  private readonly fanout: Fanout | undefined;
  private readonly timer: NodeJS.Timeout;
  private lastPoll = 0;

  private constructor(
    readonly store: Store,
    readonly catalog: Catalog,
    cursor: number,
    private readonly warn: (message: string) => void,
    private readonly options: ServiceOptions,
  ) {
    this.follower = new ChangeFollower(store, cursor, (changes) => this.apply(changes));
    if (options.redis) {
      this.fanout = new Fanout(options.redis, { changed: () => void this.sync() });
      this.jobs = new QueuedJobs(options.redis, this.fanout);
    } else {
      this.jobs = new LocalJobs(store, {
        location: options.location ?? (store.path === ':memory:' ? undefined : store.path),
        seed: options.seed ?? 42,
        threads: options.trainThreads ?? 1,
        limits: options.jobLimits ?? DEFAULT_JOB_LIMITS,
        activate: async (info) => {
          await this.activate(info.name, info.version);
        },
      });
    }
    // The safety net under the Redis notices, and the only path without Redis: poll the change log.
    this.timer = setInterval(() => {
      if (Date.now() - this.lastPoll >= this.pollInterval()) void this.sync();
    }, 100);
    this.timer.unref();
  }

  /** Loads the catalogue and every user's history from the store, and the active model if there is one. */
  static async open(store: Store, options: ServiceOptions = {}): Promise<RecommenderService> {
    const warn = options.warn ?? ((m: string) => process.stderr.write(`unirec: warning: ${m}\n`));
    const snap = await store.snapshot();
    const service = new RecommenderService(store, Catalog.fromSnapshot(snap, { unknownItems: options.unknownItems }), snap.cursor, warn, options);
    try {
      const record = await store.activeModel();
      if (record) service.swap(buildLiveModel(record, service.catalog, options.retrieval));
    } catch (err) {
      // A damaged artifact must not keep the server down: it serves the popularity fallback instead.
      warn(`the active model could not be loaded (${(err as Error).message}); serving popularity until a model is activated`);
    }
    return service;
  }

  private pollInterval(): number {
    if (this.options.pollMs !== undefined) return this.options.pollMs;
    if (!this.fanout) return 1000;
    return this.fanout.up ? 2000 : 250;
  }

  get live(): LiveModel | undefined {
    return this.current;
  }

  /** Whether every part this server depends on is reachable, and what is not. */
  health(): Health {
    const problems: string[] = [];
    const store = this.follower.lastError ? 'unreachable' : 'ok';
    if (store !== 'ok') problems.push(`the store is unreachable (${this.follower.lastError!.message}): answering from memory, writes refused`);
    const redis = !this.fanout ? 'not used' : this.fanout.up ? 'ok' : 'unreachable';
    if (redis === 'unreachable') problems.push('Redis is unreachable: changes from other processes are polled every 250 ms; training cannot be queued');
    return { status: problems.length ? 'degraded' : 'ok', store, redis, problems };
  }

  /** Reads whatever other processes committed since the last read (errors are kept for /health). */
  async sync(): Promise<void> {
    this.lastPoll = Date.now();
    try {
      await this.follower.catchUp();
    } catch {
      return; // reported by health(); the next poll tries again
    }
    if (this.modelStale) await this.reloadActive();
  }

  /** Applies committed changes to the catalogue (synchronous: a page is applied whole). */
  private apply(changes: StoreChange[]): void {
    for (const change of changes) {
      switch (change.type) {
        case 'event':
          this.catalog.addEvents([change.event]);
          break;
        case 'item':
          if (change.deleted) this.catalog.deleteItem(change.id);
          else this.catalog.putItem(change.id, change.attributes ?? {});
          this.itemChanged(change.id, change.deleted);
          break;
        case 'user-deleted':
          this.catalog.deleteUser(change.id);
          break;
        case 'user':
          break; // user attributes are read from the store when a model needs them
        case 'model':
          if (this.current?.label !== `${change.name}@${change.version}`) this.modelStale = true;
          break;
      }
    }
  }

  /** Serves whatever the store says is active now (another process activated it). */
  private reloadActive(): Promise<void> {
    const run = this.activation.then(async () => {
      if (!this.modelStale) return;
      const record = await this.store.activeModel().catch((err: Error) => {
        this.warn(`could not read the active model: ${err.message}`);
        return null;
      });
      if (record === null) return; // unreachable: stays stale, retried on the next poll
      this.modelStale = false;
      if (!record || record.name === this.current?.name && record.version === this.current.version) return;
      try {
        this.swap(buildLiveModel(record, this.catalog, this.options.retrieval));
      } catch (err) {
        this.warn(`model ${record.name}@${record.version} was activated elsewhere but cannot be served here: ${(err as Error).message}`);
      }
    });
    this.activation = run.catch(() => undefined);
    return run;
  }

  /** The served model's item index follows the catalogue: a put item is added (from its attributes, when the model can), a deleted one removed. */
  private itemChanged(id: string, deleted: boolean): void {
    const live = this.current;
    if (!live?.model.itemIndex) return;
    const c = this.catalog.items.get(id);
    try {
      if (deleted) removeCatalogItem(live, this.catalog, c);
      else addCatalogItem(live, this.catalog, c);
    } catch (err) {
      this.warn(`item "${id}" could not be added to ${live.label}'s index: ${(err as Error).message}`);
    }
  }

  private swap(next: LiveModel): void {
    // items put or deleted since the model was trained (or since it was built, while it was being activated)
    syncCatalogItems(next, this.catalog, (message) => this.warn(message));
    this.current = next;
    // entries of the old model are never read again
    this.foldCache.clear();
    this.results.clear();
  }

  /** After a committed write: tell the other processes, and apply it here before acknowledging. */
  private async written(): Promise<void> {
    this.fanout?.notifyChanged();
    await this.sync();
  }

  async postEvents(events: EventInput[]): Promise<AppendResult> {
    this.catalog.checkEvents(events);
    const result = await this.store.appendEvents(events);
    await this.written();
    return result;
  }

  /** Stores the item, then says whether the served model recommends it yet (and why not). */
  async putItem(id: string, attributes: Attributes): Promise<{ created: boolean } & Placement> {
    const created = await this.store.putItem(id, attributes);
    await this.written();
    return { created, ...placementOf(this.current, this.catalog, this.catalog.items.get(id)) };
  }

  async deleteItem(id: string): Promise<void> {
    if (!(await this.store.deleteItem(id))) throw new HttpError(404, `unknown item "${id}"`);
    await this.written();
  }

  async putUser(id: string, attributes: Attributes): Promise<boolean> {
    const created = await this.store.putUser(id, attributes);
    await this.written();
    return created;
  }

  async deleteUser(id: string): Promise<void> {
    if (!(await this.store.deleteUser(id))) throw new HttpError(404, `unknown user "${id}"`);
    await this.written();
  }

  recommend(user: string, options: RecommendOptions): Recommendation {
    // One read of the reference: the whole request uses one model even if another is swapped in.
    const live = this.current;
    const history = this.catalog.users.get(user);
    const key = ResultCache.key(user, options);
    if (live && history) {
      const hit = this.results.get(key, live, history.lastSeq, this.catalog.revision);
      if (hit) return hit;
    }
    const result = recommend(this.catalog, live, user, options, this.foldCache);
    if (live && history && !result.fallback) this.results.set(key, live, history.lastSeq, this.catalog.revision, result);
    return result;
  }

  similar(item: string, k: number): Similar {
    const result = similar(this.catalog, this.current, item, k);
    if (!result) throw new HttpError(404, `unknown item "${item}"`);
    return result;
  }

  /** Serves `name@version` (the latest version when omitted): loaded and checked first, then swapped in. */
  activate(name: string, version?: number): Promise<ModelInfo> {
    const run = this.activation.then(async () => {
      const record = await this.store.getModel(name, version).catch((err: Error) => {
        throw new HttpError(409, `cannot serve ${name}${version === undefined ? '' : `@${version}`}: ${err.message}`);
      });
      if (!record) throw new HttpError(404, version === undefined ? `no trained model "${name}"` : `no model ${name}@${version}`);
      let next: LiveModel;
      try {
        next = buildLiveModel(record, this.catalog, this.options.retrieval);
      } catch (err) {
        throw new HttpError(409, `cannot serve ${record.name}@${record.version}: ${(err as Error).message}`);
      }
      await this.store.activateModel(record.name, record.version);
      this.swap(next);
      this.fanout?.notifyChanged();
      return { ...next.info, active: true };
    });
    this.activation = run.catch(() => undefined);
    return run;
  }

  async train(name: string, params: Record<string, unknown>, activate: boolean): Promise<SubmittedJob> {
    const started = await this.jobs.submit(name, params, activate);
    // A background job has nobody waiting for its answer: its failure goes to the server's log.
    void started.done.then((job) => {
      if (job.status === 'failed') this.warn(`training job ${job.id} (${job.model}) failed: ${job.error}`);
    });
    return started;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.jobs.close();
    await this.activation;
    await this.fanout?.close();
  }
}
