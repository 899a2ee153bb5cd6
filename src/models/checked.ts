import { UnirecError } from '../errors.js';
import type { TrainData } from '../data/dataset.js';
import type { FitContext, History, ModelArtifact, Recommender } from './recommender.js';

/** The id spaces a model was fitted on: dense user ids are 0..users-1, item ids 0..items-1. */
export interface ModelShape {
  users: number;
  items: number;
}

/** Where the shape travels in a saved artifact's meta, so a loaded model is checked as the fitted one. */
const META_KEY = 'shape';

/**
 * The model behind checks of every call on dense ids: an id out of range, a fractional id or a score
 * buffer of the wrong length throws a RangeError that says which, instead of filling NaN or scoring
 * past the end. One wrapper for every model (the registry applies it), so no model repeats the checks;
 * calls a model makes on itself are not checked (its methods run on the model, not the wrapper).
 * Before `fit` (or for an artifact saved without its shape) only the ids' form is checked.
 */
export function checkedModel<T extends Recommender>(model: T, shape?: ModelShape): T {
  let s = shape;
  const name = model.name;
  const user = (u: number, where: string) => checkId(u, s?.users, 'user', name, where);
  const item = (i: number, where: string) => checkId(i, s?.items, 'item', name, where);
  const buffer = (out: Float32Array, where: string) => {
    if (!(out instanceof Float32Array)) throw new RangeError(`${name}.${where}: out must be a Float32Array`);
    if (s && out.length !== s.items) throw new RangeError(`${name}.${where}: out has length ${out.length}, expected one score per item (${s.items})`);
  };
  const checks: Partial<Record<keyof Recommender, (...args: never[]) => unknown>> = {
    fit: async (train: TrainData, ctx: FitContext) => {
      await model.fit(train, ctx);
      s = { users: train.nUsers, items: train.nItems };
    },
    scoreUser: (u: number, out: Float32Array) => {
      user(u, 'scoreUser');
      buffer(out, 'scoreUser');
      model.scoreUser(u, out);
    },
    scoreUsers: (users: Int32Array, out: Float32Array, threads?: number) => {
      for (const u of users) user(u, 'scoreUsers');
      if (!(out instanceof Float32Array)) throw new RangeError(`${name}.scoreUsers: out must be a Float32Array`);
      if (s && out.length < users.length * s.items) throw new RangeError(`${name}.scoreUsers: out has length ${out.length}, expected at least ${users.length} x ${s.items}`);
      model.scoreUsers!(users, out, threads);
    },
    foldIn: (history: History, out: Float32Array) => {
      checkHistory(history, s, name);
      buffer(out, 'foldIn');
      model.foldIn!(history, out);
    },
    predictRating: (u: number, i: number) => {
      user(u, 'predictRating');
      item(i, 'predictRating');
      return model.predictRating!(u, i);
    },
    similarItems: (i: number, k: number) => {
      // items added to the model's index since fit (Recommender.itemIndex) have neighbours too
      const added = s && model.itemIndex ? model.itemIndex().n : 0;
      checkId(i, s ? Math.max(s.items, added) : undefined, 'item', name, 'similarItems');
      if (!Number.isInteger(k) || k < 0) throw new RangeError(`${name}.similarItems: k must be a whole number >= 0, got ${k}`);
      return model.similarItems!(i, k);
    },
    explain: (u: number, i: number, limit?: number) => {
      user(u, 'explain');
      item(i, 'explain');
      return model.explain!(u, i, limit);
    },
    explainHistory: (history: History, i: number, limit?: number) => {
      checkHistory(history, s, name);
      item(i, 'explainHistory');
      return model.explainHistory!(history, i, limit);
    },
    save: (): ModelArtifact => {
      const a = model.save();
      return s ? { ...a, meta: { ...a.meta, [META_KEY]: { users: s.users, items: s.items } } } : a;
    },
  };
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(model, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      const check = checks[prop as keyof Recommender];
      if (check) return check;
      let b = bound.get(prop);
      if (b === undefined) bound.set(prop, (b = (value as (...args: unknown[]) => unknown).bind(target)));
      return b;
    },
  });
}

/** The shape a checked model saved into its artifact, if any. */
export function shapeOf(artifact: ModelArtifact): ModelShape | undefined {
  const s = artifact.meta[META_KEY] as Partial<ModelShape> | undefined;
  return s && Number.isInteger(s.users) && Number.isInteger(s.items) ? { users: s.users!, items: s.items! } : undefined;
}

function checkId(id: number, size: number | undefined, what: string, model: string, where: string): void {
  if (!Number.isInteger(id) || id < 0 || (size !== undefined && id >= size)) {
    const range = size === undefined ? 'a whole number >= 0' : size === 0 ? 'none (no ' + what + 's at fit time)' : `0..${size - 1}`;
    throw new RangeError(`${model}.${where}: ${what} ${id} is out of range (dense ${what} ids: ${range})`);
  }
}

function checkHistory(h: History, s: ModelShape | undefined, model: string): void {
  if (h === null || typeof h !== 'object' || !(h.items instanceof Int32Array)) throw new UnirecError(`${model}.foldIn: history.items must be an Int32Array`);
  const n = h.items.length;
  for (let t = 0; t < n; t++) checkId(h.items[t]!, s?.items, 'item', model, 'foldIn');
  if (h.values !== undefined && h.values.length !== n) throw new RangeError(`${model}.foldIn: history.values has length ${h.values.length}, history.items ${n}`);
  if (h.ts !== undefined && h.ts.length !== n) throw new RangeError(`${model}.foldIn: history.ts has length ${h.ts.length}, history.items ${n}`);
  if (h.user !== undefined) checkId(h.user, s?.users, 'user', model, 'foldIn');
}
