import type { TrainData } from '../data/dataset.js';
import type { Interactions } from '../data/interactions.js';
import type { TopK } from '../math/topk.js';
import type { RawAttributes } from '../features/new-item.js';
import type { Progress } from '../progress.js';
import type { ItemRetrieval } from '../retrieval/item-retrieval.js';
import type { TrainingLog } from '../training-log.js';

/** What `fit` gets besides the data. */
export interface FitContext {
  seed: number;
  /** Worker threads the model may use (1 = this thread only). */
  threads: number;
  signal?: AbortSignal;
  progress?: Progress;
  /** Validation interactions (same id spaces), for early stopping or tuning; never the test split. */
  valid?: Interactions;
}

/** A user known only by their events (a user unseen at fit time, or fresh events of a known one). */
export interface History {
  items: Int32Array;
  /** rating or weight per event; 1 when absent */
  values?: Float32Array;
  /** time per event (for sequence models) */
  ts?: Float64Array;
  /**
   * The user's dense id when the user tables know them (a user held out of training: their attributes
   * are known, their events were not used). Models that read user attributes use it; others ignore it.
   */
  user?: number;
  /** Attributes of a user no table knows (a new visitor): column -> value, e.g. { age: 31, gender: 'F' }. */
  attributes?: Record<string, string | number>;
}

/** One reason an item was recommended: what contributed, and how much of the score it carries. */
export interface Reason {
  kind: 'item' | 'user' | 'feature' | 'popularity' | 'model';
  /** dense id of the contributing item or user, when there is one */
  id?: number;
  /** contribution to the score */
  weight: number;
  text: string;
}

/** A trained model as plain data: typed arrays plus JSON-able params and metadata. */
export interface ModelArtifact {
  model: string;
  /** artifact format version of that model */
  version: number;
  params: Record<string, unknown>;
  meta: Record<string, unknown>;
  arrays: Record<string, Float32Array | Float64Array | Int32Array | Uint8Array>;
}

/**
 * Every model implements this. Scores are "higher is better"; the evaluator and the pipeline exclude
 * seen items, so a model need not.
 */
export interface Recommender {
  readonly name: string;
  readonly params: Readonly<Record<string, unknown>>;
  fit(train: TrainData, ctx: FitContext): Promise<void>;
  /** Fills out[i] with the score of item i for a user seen at fit time (out.length = nItems). */
  scoreUser(user: number, out: Float32Array): void;
  /**
   * Optional batch form of scoreUser: row t of out (nItems wide) gets users[t]'s scores, equal to
   * scoreUser's up to float rounding. Lets evaluation score a block of users with one GEMM, on up to
   * `threads` threads of the native core.
   */
  scoreUsers?(users: Int32Array, out: Float32Array, threads?: number): void;
  /** Scores every item for a user known only by `history` (fold-in without retraining). */
  foldIn?(history: History, out: Float32Array): void;
  /** Predicted rating, for explicit-feedback models (RMSE/MAE). */
  predictRating?(user: number, item: number): number;
  /** The k items most similar to `item`, best first, `item` itself excluded. */
  similarItems?(item: number, k: number): TopK;
  /**
   * The k best items for a user seen at fit time (dense id) or one known by `history`, without scoring
   * every item when the model has an item index (`retrieval: "hnsw"` param), best first; never an item
   * with exclude[i] = 1. `excluded` (how many items `exclude` marks, when known) sizes the over-fetch.
   */
  retrieve?(query: number | History, k: number, exclude?: Uint8Array, excluded?: number): TopK;
  /**
   * The item index `retrieve` searches, for a server to add items (`add(vector[, bias])` returns the
   * next dense id) and remove them (`remove(item)`) without retraining; `scoreUser` still covers the
   * trained items only, and `save` does not keep added items (the next training does).
   */
  itemIndex?(): ItemRetrieval;
  /**
   * The vector (and item bias, 0 when the model has none) of an item the model was not trained on, from
   * its catalogue attributes, for `itemIndex().add`; undefined when the attributes mean nothing to the
   * model. Models that derive item vectors from features have it (hybrid-mf, two-tower).
   */
  itemVectorOf?(attributes: RawAttributes): { vector: Float32Array; bias: number } | undefined;
  /**
   * Whether `itemVectorOf` can place any item at all: false for a model fitted without item attributes
   * (no attribute encoder), or loaded from an artifact without the weights it needs.
   */
  placesNewItems?(): boolean;
  /** Why `item` scores as it does for `user`: the largest contributions first. */
  explain?(user: number, item: number, limit?: number): Reason[];
  /** As `explain`, for a user known by `history` (as `foldIn` scored them): reasons still name their items. */
  explainHistory?(history: History, item: number, limit?: number): Reason[];
  save(): ModelArtifact;
  /** Epoch-based models: what the last fit did (epochs run, best epoch, per-epoch loss and valid metric). */
  training?(): TrainingLog | undefined;
}

export function ensureNotAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('cancelled');
}
