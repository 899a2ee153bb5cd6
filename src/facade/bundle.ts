import { Csr } from '../data/csr.js';
import { IdMap } from '../data/idmap.js';
import { UnirecError } from '../errors.js';
import type { ModelArtifact, Recommender as Model } from '../models/recommender.js';
import '../pipeline/index.js';
import { loadNested, nestArtifact, type ArtifactHead } from '../models/nested-artifact.js';
import { loadModel } from '../models/registry.js';
import type { ArtifactBytes } from '../store/artifact-bytes.js';
import { decodeArtifact, encodeArtifact } from '../store/artifact-codec.js';
import type { Attributes } from '../store/store.js';

/**
 * Everything a façade recommender holds besides code: the model, the caller's ids behind its dense ids,
 * what each user was seen with (excluded from their lists, and what explanations point at), item
 * popularity (the fallback), item attributes (filters, titles in reasons), and for a recommender loaded
 * from a store, the users the model has not seen and the users with events newer than it.
 */
export interface FacadeState {
  model: Model;
  users: IdMap;
  items: IdMap;
  /** users x items: each user's events (values), deduplicated */
  seen: Csr;
  /** events per item */
  popularity: Float32Array;
  itemAttributes: (Attributes | undefined)[];
  /** 1: never recommended (deleted from the catalogue) */
  hidden: Uint8Array;
  /** 1: the user has events newer than the model: scored by fold-in when the model can */
  stale: Uint8Array;
  /** users the model was not trained on, with their events (from a store) */
  extra: Map<string, { items: Int32Array; values: Float32Array }>;
}

const BUNDLE = 'unirec/recommender';
const BUNDLE_VERSION = 1;
const MODEL_PREFIX = 'model/';

/** The state as one file's bytes (the artifact codec's format: header JSON + typed-array blobs). */
export function encodeState(s: FacadeState): Uint8Array {
  const arrays: ModelArtifact['arrays'] = {};
  const head = nestArtifact(s.model, MODEL_PREFIX, arrays);
  arrays['seen.indptr'] = s.seen.indptr;
  arrays['seen.indices'] = s.seen.indices;
  arrays['seen.data'] = s.seen.data;
  arrays.popularity = s.popularity;
  arrays.hidden = s.hidden;
  arrays.stale = s.stale;
  const extraUsers = [...s.extra.keys()];
  const extraPtr = new Int32Array(extraUsers.length + 1);
  extraUsers.forEach((u, k) => (extraPtr[k + 1] = extraPtr[k]! + s.extra.get(u)!.items.length));
  const extraItems = new Int32Array(extraPtr[extraUsers.length]!);
  const extraValues = new Float32Array(extraItems.length);
  extraUsers.forEach((u, k) => {
    extraItems.set(s.extra.get(u)!.items, extraPtr[k]!);
    extraValues.set(s.extra.get(u)!.values, extraPtr[k]!);
  });
  arrays['extra.indptr'] = extraPtr;
  arrays['extra.items'] = extraItems;
  arrays['extra.values'] = extraValues;
  const artifact: ModelArtifact = {
    model: BUNDLE,
    version: BUNDLE_VERSION,
    params: {},
    meta: { model: head, itemAttributes: s.itemAttributes.map((a) => a ?? null), extraUsers },
    arrays,
  };
  return encodeArtifact(artifact, { users: s.users.toArray(), items: s.items.toArray() });
}

/**
 * The state in `bytes`: a file written by `encodeState`, or a bare model artifact with its ids (what
 * `unirec train` stores), which then has no history: nothing is excluded and the fallback is empty.
 */
export function decodeState(bytes: ArtifactBytes, where: string): FacadeState {
  const { artifact, ids } = decodeArtifact(bytes);
  if (!ids) throw new UnirecError(`${where}: the model has no id lists (saved by an older unirec); retrain it`);
  const users = IdMap.from(ids.users);
  const items = IdMap.from(ids.items);
  const nU = users.size;
  const nI = items.size;
  if (artifact.model !== BUNDLE) {
    return {
      model: loadModel(artifact),
      users,
      items,
      seen: new Csr(nU, nI, new Int32Array(nU + 1), new Int32Array(0), new Float32Array(0)),
      popularity: new Float32Array(nI),
      itemAttributes: [],
      hidden: new Uint8Array(nI),
      stale: new Uint8Array(nU),
      extra: new Map(),
    };
  }
  if (artifact.version !== BUNDLE_VERSION) throw new UnirecError(`${where}: recommender file version ${artifact.version} (this unirec reads ${BUNDLE_VERSION})`);
  const a = artifact.arrays;
  const need = <T>(name: string, ctor: new (...args: never[]) => T): T => {
    const arr = a[name];
    if (!(arr instanceof ctor)) throw new UnirecError(`${where}: the recommender file has no array "${name}"`);
    return arr;
  };
  const meta = artifact.meta as { model: ArtifactHead; itemAttributes: (Attributes | null)[]; extraUsers: string[] };
  const model = loadNested(artifact, meta.model, MODEL_PREFIX);
  const extra = new Map<string, { items: Int32Array; values: Float32Array }>();
  const ptr = need('extra.indptr', Int32Array);
  const ei = need('extra.items', Int32Array);
  const ev = need('extra.values', Float32Array);
  meta.extraUsers.forEach((u, k) => extra.set(u, { items: ei.slice(ptr[k]!, ptr[k + 1]!), values: ev.slice(ptr[k]!, ptr[k + 1]!) }));
  return {
    model,
    users,
    items,
    seen: new Csr(nU, nI, need('seen.indptr', Int32Array), need('seen.indices', Int32Array), need('seen.data', Float32Array)),
    popularity: need('popularity', Float32Array),
    itemAttributes: meta.itemAttributes.map((x) => x ?? undefined),
    hidden: need('hidden', Uint8Array),
    stale: need('stale', Uint8Array),
    extra,
  };
}
