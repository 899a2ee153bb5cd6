import { cleanDataset } from '../data/clean.js';
import { makeTrainData } from '../data/dataset.js';
import { UnirecError } from '../errors.js';
import '../pipeline/index.js';
import { createModel, parseParams } from '../models/registry.js';
import type { Progress } from '../progress.js';
import { encodeArtifactPieces } from '../store/artifact-codec.js';
import { datasetFromSnapshot } from '../store/dataset.js';
import type { ModelInfo, Store } from '../store/store.js';

export interface TrainOptions {
  seed?: number;
  threads?: number;
  progress?: Progress;
  signal?: AbortSignal;
  /** called after the fit, before the model is registered; throwing keeps the model out of the store */
  beforeSave?: () => void;
  /**
   * When given, the version is reserved before the save and told here first (the save waits for it): a
   * process that may be killed while it saves tells another one what to take back (see runTraining).
   */
  onVersion?: (version: number) => Promise<void>;
}

/**
 * Fits a model on everything in the store and registers it as the next version of its name (not yet
 * active). The model remembers the external ids behind its dense ids and the last event it saw, so a
 * server can map requests onto it and fold in whatever arrived later.
 */
export async function trainFromStore(store: Store, name: string, rawParams: unknown, options: TrainOptions = {}): Promise<ModelInfo> {
  const params = parseParams(name, rawParams); // fail on bad params before reading the whole store
  const snap = await store.snapshot();
  // Repeated (user, item) events count once, with the latest value, as in every other command.
  const ds = cleanDataset(datasetFromSnapshot(snap), { dedupe: 'last' });
  if (ds.interactions.length === 0) throw new UnirecError(`the store ${store.path} has no events to train on; import data or POST /events first`);
  const train = makeTrainData(ds.interactions, ds.users.size, ds.items.size, {
    hasRatings: ds.hasRatings,
    itemTable: ds.itemTable,
    userTable: ds.userTable,
  });
  const model = createModel(name, params);
  const started = performance.now();
  await model.fit(train, { seed: options.seed ?? 42, threads: options.threads ?? 1, progress: options.progress, signal: options.signal });
  const fitSeconds = (performance.now() - started) / 1000;
  options.beforeSave?.();
  // In pieces (views on the model's arrays): a 10^6-item model with its graph is not copied whole again.
  const artifact = encodeArtifactPieces(model.save(), { users: ds.users.toArray(), items: ds.items.toArray() });
  let version: number | undefined;
  if (options.onVersion) {
    version = await store.reserveModelVersion(name);
    await options.onVersion(version);
  }
  return store.saveModel({
    name,
    version,
    params: { ...model.params },
    metrics: { fit_seconds: fitSeconds, users: ds.users.size, items: ds.items.size, interactions: ds.interactions.length },
    trainedThroughSeq: snap.seq,
    artifact,
  });
}
