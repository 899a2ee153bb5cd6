import type { AppendResult, Attributes, EventInput, ModelInfo, Store } from '../store/store.js';
import { Catalog } from './catalog.js';
import { HttpError } from './errors.js';
import { FoldCache } from './fold-cache.js';
import { ResultCache } from './result-cache.js';
import { buildLiveModel, type LiveModel } from './live-model.js';
import { recommend, type Recommendation, type RecommendOptions, similar, type Similar } from './recommend.js';
import { type TrainJob, Trainer } from './trainer.js';

export interface ServiceOptions {
  /** threads for a training job (default 1: the other core keeps serving) */
  trainThreads?: number;
  seed?: number;
  /** where warnings go (default stderr) */
  warn?: (message: string) => void;
}

/**
 * What the HTTP routes talk to: the store (the truth, written first), the in-memory catalogue (kept in
 * step after each committed write) and the model being served (swapped whole).
 */
export class RecommenderService {
  private current: LiveModel | undefined;
  /** activations run one after another, so the store's active flag and the served model agree */
  private activation: Promise<unknown> = Promise.resolve();
  readonly trainer: Trainer;
  readonly foldCache = new FoldCache();
  readonly results = new ResultCache();
  readonly started = Date.now();

  private constructor(
    readonly store: Store,
    readonly catalog: Catalog,
    private readonly warn: (message: string) => void,
    options: ServiceOptions,
  ) {
    this.trainer = new Trainer(store, {
      seed: options.seed ?? 42,
      threads: options.trainThreads ?? 1,
      activate: async (info) => {
        await this.activate(info.name, info.version);
      },
    });
  }

  /** Loads the catalogue and every user's history from the store, and the active model if there is one. */
  static async open(store: Store, options: ServiceOptions = {}): Promise<RecommenderService> {
    const warn = options.warn ?? ((m: string) => process.stderr.write(`unirec: warning: ${m}\n`));
    const service = new RecommenderService(store, Catalog.fromSnapshot(await store.snapshot()), warn, options);
    try {
      const record = await store.activeModel();
      if (record) service.current = buildLiveModel(record, service.catalog);
    } catch (err) {
      // A damaged artifact must not keep the server down: it serves the popularity fallback instead.
      warn(`the active model could not be loaded (${(err as Error).message}); serving popularity until a model is activated`);
    }
    return service;
  }

  get live(): LiveModel | undefined {
    return this.current;
  }

  async postEvents(events: EventInput[]): Promise<AppendResult> {
    const result = await this.store.appendEvents(events);
    this.catalog.addEvents(result.stored);
    return result;
  }

  async putItem(id: string, attributes: Attributes): Promise<boolean> {
    const created = await this.store.putItem(id, attributes);
    this.catalog.putItem(id, attributes);
    return created;
  }

  async deleteItem(id: string): Promise<void> {
    if (!(await this.store.deleteItem(id))) throw new HttpError(404, `unknown item "${id}"`);
    this.catalog.deleteItem(id);
  }

  async putUser(id: string, attributes: Attributes): Promise<boolean> {
    return this.store.putUser(id, attributes);
  }

  async deleteUser(id: string): Promise<void> {
    if (!(await this.store.deleteUser(id))) throw new HttpError(404, `unknown user "${id}"`);
    this.catalog.deleteUser(id);
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
        next = buildLiveModel(record, this.catalog);
      } catch (err) {
        throw new HttpError(409, `cannot serve ${record.name}@${record.version}: ${(err as Error).message}`);
      }
      await this.store.activateModel(record.name, record.version);
      this.current = next;
      // entries of the old model are never read again
      this.foldCache.clear();
      this.results.clear();
      return { ...next.info, active: true };
    });
    this.activation = run.catch(() => undefined);
    return run;
  }

  train(name: string, params: Record<string, unknown>, activate: boolean): { job: TrainJob; done: Promise<TrainJob> } {
    const running = this.trainer.current;
    if (running) throw new HttpError(409, `a training job is running (job ${running.id}, ${running.model}); wait for it to finish`);
    const started = this.trainer.start(name, params, activate);
    // A background job has nobody waiting for its answer: its failure goes to the server's log.
    void started.done.then((job) => {
      if (job.status === 'failed') this.warn(`training job ${job.id} (${job.model}) failed: ${job.error}`);
    });
    return started;
  }

  async close(): Promise<void> {
    await this.trainer.close();
    await this.activation;
  }
}
