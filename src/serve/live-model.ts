import { IdMap } from '../data/idmap.js';
import { UnirecError } from '../errors.js';
import '../pipeline/index.js';
import type { Recommender } from '../models/recommender.js';
import { withRetrievalParams } from '../models/factor-retrieval.js';
import { loadModel } from '../models/registry.js';
import type { RetrievalParams } from '../retrieval/options.js';
import { decodeArtifact } from '../store/artifact-codec.js';
import type { ModelInfo, ModelRecord } from '../store/store.js';
import type { Catalog } from './catalog.js';

/**
 * The model being served, with everything needed to use it: the external ids behind its dense ids,
 * the mapping between the catalogue's indices and its own, and the last event it was trained on.
 * Built whole before it is published, so swapping models is one reference assignment and no request
 * can see half of one. After that it changes only by items the catalogue gains or loses (new-items.ts):
 * appended to its item index, ids and maps in one synchronous step between two requests.
 */
export interface LiveModel {
  readonly name: string;
  readonly version: number;
  /** "name@version" */
  readonly label: string;
  readonly info: ModelInfo;
  readonly model: Recommender;
  readonly users: IdMap;
  readonly items: IdMap;
  readonly trainedThroughSeq: number;
  /** items the model was trained on: model item indices from here on were added from the catalogue since */
  readonly trainedItems: number;
  /** catalogue index -> model item index (-1: not in the model); items added later are looked up by id */
  readonly fromCatalog: Int32Array;
  /** model item index -> catalogue index (-1: not in the catalogue); grows with added items */
  toCatalog: Int32Array;
  /** per-request scratch (requests are scored synchronously, one at a time), as long as `items` */
  scratch: { scores: Float32Array; exclude: Uint8Array };
}

/** `retrieval` overrides how a model with item vectors serves (`serve --retrieval hnsw`): its index is built at load. */
export function buildLiveModel(record: ModelRecord, catalog: Catalog, retrieval?: Partial<RetrievalParams>): LiveModel {
  const { artifact: bytes, ...info } = record;
  const { artifact, ids } = decodeArtifact(bytes);
  if (!ids) throw new UnirecError(`model ${record.name}@${record.version} has no id lists; retrain it with this unirec`);
  const model = loadModel(retrieval ? withRetrievalParams(artifact, retrieval) : artifact);
  const users = IdMap.from(ids.users);
  const items = IdMap.from(ids.items);
  const fromCatalog = new Int32Array(catalog.items.size);
  for (let c = 0; c < fromCatalog.length; c++) fromCatalog[c] = items.get(catalog.items.external(c));
  const toCatalog = new Int32Array(items.size);
  for (let m = 0; m < toCatalog.length; m++) toCatalog[m] = catalog.items.get(items.external(m));
  const live: LiveModel = {
    name: record.name,
    version: record.version,
    label: `${record.name}@${record.version}`,
    info,
    model,
    users,
    items,
    trainedThroughSeq: record.trainedThroughSeq,
    trainedItems: items.size,
    fromCatalog,
    toCatalog,
    scratch: { scores: new Float32Array(items.size), exclude: new Uint8Array(items.size) },
  };
  return Object.seal(live);
}

/** The model's index of a catalogue item, or -1. */
export function modelItem(live: LiveModel, catalog: Catalog, c: number): number {
  const m = c < live.fromCatalog.length ? live.fromCatalog[c]! : -1;
  return m >= 0 ? m : live.items.get(catalog.items.external(c));
}
