import type { IdMap } from '../data/idmap.js';
import type { Interactions } from '../data/interactions.js';
import { type ArtifactBytes, byteLength } from './artifact-bytes.js';

/**
 * The store keeps what a running recommender needs to survive a restart: the event log, the catalogue
 * (items and users with JSON attributes) and the trained model artifacts with their versions.
 * The interface is asynchronous so a networked store (PostgreSQL) can implement it; the SQLite one
 * answers at once.
 */

/** Attribute values an item or user may carry (flat: no nested objects). */
export type AttributeValue = string | number | boolean | null | (string | number)[];
export type Attributes = Record<string, AttributeValue>;

/** An event as a client sends it. */
export interface EventInput {
  user: string;
  item: string;
  /** rating or weight; default 1 */
  value?: number;
  /** Unix seconds; default now */
  ts?: number;
  /** 'rating', 'click', 'purchase'...; default 'interaction' */
  kind?: string;
  /** client idempotency key: an event whose key was seen before is acknowledged but not stored again */
  key?: string;
}

/** An event as stored, with its position in the log. */
export interface StoredEvent {
  seq: number;
  user: string;
  item: string;
  value: number;
  /** NaN when the source had no time */
  ts: number;
  kind: string;
  key?: string;
}

export interface AppendResult {
  /** events newly stored, in log order */
  stored: StoredEvent[];
  /** events acknowledged but not stored because their key was already in the log */
  duplicates: number;
}

/** A trained model as the registry lists it (without the artifact bytes). */
export interface ModelInfo {
  name: string;
  version: number;
  params: Record<string, unknown>;
  metrics: Record<string, number>;
  /** sha256 of the artifact bytes, hex */
  checksum: string;
  /** Unix seconds */
  created: number;
  active: boolean;
  /** the last event seq the model was trained on */
  trainedThroughSeq: number;
  bytes: number;
}

export interface ModelRecord extends ModelInfo {
  /** the artifact's bytes as stored: its chunks in order (decodeArtifact reads them as they are) */
  artifact: ArtifactBytes;
}

export interface NewModel {
  name: string;
  params: Record<string, unknown>;
  metrics: Record<string, number>;
  trainedThroughSeq: number;
  /** the encoded artifact, whole or in pieces (encodeArtifactPieces: no copy of the model's arrays) */
  artifact: ArtifactBytes;
  /** a number from `reserveModelVersion` (not yet saved); without it, the next number of the name */
  version?: number;
}

/** What the registry says of a model just saved as `version` (not active yet). */
export function newModelInfo(model: NewModel, version: number, checksum: string, created: number): ModelInfo {
  return {
    name: model.name,
    version,
    params: model.params,
    metrics: model.metrics,
    checksum,
    created,
    active: false,
    trainedThroughSeq: model.trainedThroughSeq,
    bytes: byteLength(model.artifact),
  };
}

/**
 * A consistent view of the whole store, read in one transaction: dense ids for users and items (in the
 * order they entered the store), the events as columnar interactions over those ids (in log order),
 * and the catalogue attributes.
 */
export interface StoreSnapshot {
  /** the last event seq included (0 when there are none) */
  seq: number;
  /** the change-log position this snapshot includes: `changesSince(cursor)` gives what came after it */
  cursor: number;
  users: IdMap;
  items: IdMap;
  interactions: Interactions;
  /** log position (seq) per row */
  seqs: Float64Array;
  /** event kind per row, as an index into `kinds` */
  kind: Uint16Array;
  kinds: string[];
  /** items removed from the catalogue (still in the ids, never recommended) */
  deletedItems: Uint8Array;
  itemAttributes: (Attributes | undefined)[];
  userAttributes: (Attributes | undefined)[];
}

/**
 * One committed change, as the change log replays it to the processes that keep the store in memory
 * (API replicas, a server after `unirec import`). Item and user changes carry the state at read time,
 * so replaying an older change is harmless: a later one follows it in the same feed.
 */
export type StoreChange =
  | { type: 'event'; event: StoredEvent }
  /** an item put (attributes) or deleted (attributes undefined, deleted true) */
  | { type: 'item'; id: string; attributes: Attributes | undefined; deleted: boolean }
  | { type: 'user'; id: string; attributes: Attributes | undefined }
  | { type: 'user-deleted'; id: string }
  /** a model version was activated */
  | { type: 'model'; name: string; version: number };

export interface ChangeFeed {
  /** the position after the last change returned (the cursor to ask from next time) */
  cursor: number;
  changes: StoreChange[];
  /** true when `limit` cut the feed: ask again from `cursor` */
  more: boolean;
}

export interface StoreCounts {
  events: number;
  users: number;
  items: number;
  models: number;
}

export interface Store {
  readonly path: string;
  /** Appends a batch in one transaction: all of it is stored, or none (and the error is thrown). */
  appendEvents(events: EventInput[]): Promise<AppendResult>;
  /**
   * The latest events of a user, newest first by time (`ts`; ties and events without a time, which come
   * last, by log order: an import need not be in time order); undefined when the user is unknown.
   */
  userHistory(user: string, limit: number): Promise<StoredEvent[] | undefined>;

  /** Creates or replaces an item's attributes; a deleted item comes back. Returns true when it is new. */
  putItem(id: string, attributes: Attributes): Promise<boolean>;
  /** Removes an item from the catalogue (its events stay in the log). False when unknown or already deleted. */
  deleteItem(id: string): Promise<boolean>;
  getItem(id: string): Promise<Attributes | undefined>;
  putUser(id: string, attributes: Attributes): Promise<boolean>;
  /** Forgets a user: attributes and events. False when unknown. */
  deleteUser(id: string): Promise<boolean>;
  getUser(id: string): Promise<Attributes | undefined>;

  /** Many items or users at once, in one transaction (imports). */
  putItems(rows: { id: string; attributes: Attributes }[]): Promise<void>;
  putUsers(rows: { id: string; attributes: Attributes }[]): Promise<void>;

  snapshot(): Promise<StoreSnapshot>;
  /**
   * The changes committed after `cursor`, in commit order (at most about `limit` of them; one write's
   * events are never split). Every write method above adds to this log in its own transaction, so a
   * process that loaded a snapshot and replays the feed from its cursor sees exactly what the store has.
   */
  changesSince(cursor: number, limit?: number): Promise<ChangeFeed>;
  counts(): Promise<StoreCounts>;

  /** Registers a trained model as the next version of its name, or as the version it reserved (not active). */
  saveModel(model: NewModel): Promise<ModelInfo>;
  /**
   * Takes the next version number of a name for a model about to be saved with it (NewModel.version).
   * A number is never handed out twice, saved or not: a process told the number before the save starts
   * can take the version back (deleteModel) whatever became of the process saving it.
   */
  reserveModelVersion(name: string): Promise<number>;
  listModels(name?: string): Promise<ModelInfo[]>;
  /** The artifact of a model version (latest when version is omitted), checksum verified. */
  getModel(name: string, version?: number): Promise<ModelRecord | undefined>;
  /** Makes this version the one served (and no other). Undefined when it does not exist. */
  activateModel(name: string, version: number): Promise<ModelInfo | undefined>;
  activeModel(): Promise<ModelRecord | undefined>;
  /**
   * Removes a model version and its artifact. False when it does not exist; the active model is refused
   * (activate another first), so a server never finds its model gone.
   */
  deleteModel(name: string, version: number): Promise<boolean>;

  close(): Promise<void>;
}
