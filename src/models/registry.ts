import { z } from 'zod';
import { UnirecError } from '../errors.js';
import { checkedModel, shapeOf } from './checked.js';
import type { ModelArtifact, Recommender } from './recommender.js';

/** How a model is made: its name, what it is, its parameter schema (with defaults), and its factories. */
export interface ModelSpec<P extends Record<string, unknown> = any> {
  name: string;
  description: string;
  /** A strict zod object schema; its defaults are the model's default params. */
  params: z.ZodType<P>;
  create(params: P): Recommender;
  load(artifact: ModelArtifact): Recommender;
}

const specs = new Map<string, ModelSpec>();

export function registerModel(spec: ModelSpec): void {
  specs.set(spec.name, spec);
}

export function modelNames(): string[] {
  return [...specs.keys()];
}

export function modelSpec(name: string): ModelSpec {
  const spec = specs.get(name);
  if (!spec) throw new UnirecError(`unknown model "${name}"; known models: ${modelNames().join(', ')}`);
  return spec;
}

/** Parses and defaults params for a model; unknown or mistyped params are a clear error. */
export function parseParams(name: string, raw: unknown): Record<string, unknown> {
  const result = modelSpec(name).params.safeParse(raw ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length ? `param "${issue.path.join('.')}"` : 'params';
    throw new UnirecError(`${name}: ${where}: ${issue.message}`);
  }
  return result.data as Record<string, unknown>;
}

/** A new model; its calls on dense ids are checked (out-of-range ids and wrong buffer lengths throw). */
export function createModel(name: string, rawParams: unknown = {}): Recommender {
  return checkedModel(modelSpec(name).create(parseParams(name, rawParams)));
}

/** A saved model, checked as `createModel`'s (against the id spaces it was fitted on). */
export function loadModel(artifact: ModelArtifact): Recommender {
  return checkedModel(modelSpec(artifact.model).load(artifact), shapeOf(artifact));
}
