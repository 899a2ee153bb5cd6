import { loadModel } from './registry.js';
import type { ModelArtifact, Recommender } from './recommender.js';

/** A model's artifact without its arrays (they move into the parent's, under a prefix). */
export type ArtifactHead = Omit<ModelArtifact, 'arrays'>;

/**
 * Saves a model held by a composite one (a pipeline's retrievers, a router's routes): its arrays go
 * into the parent's `arrays` under `prefix`, its head is returned for the parent's meta.
 */
export function nestArtifact(model: Recommender, prefix: string, arrays: ModelArtifact['arrays']): ArtifactHead {
  const a = model.save();
  for (const [name, arr] of Object.entries(a.arrays)) arrays[`${prefix}${name}`] = arr;
  return { model: a.model, version: a.version, params: a.params, meta: a.meta };
}

/** The model `nestArtifact(model, prefix, ...)` saved into `parent`. */
export function loadNested(parent: ModelArtifact, head: ArtifactHead, prefix: string): Recommender {
  const arrays: ModelArtifact['arrays'] = {};
  for (const [name, arr] of Object.entries(parent.arrays)) if (name.startsWith(prefix)) arrays[name.slice(prefix.length)] = arr;
  return loadModel({ ...head, arrays });
}
