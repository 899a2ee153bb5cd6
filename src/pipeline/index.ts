// Importing this module registers every recommender: the models (models/index.ts) and the compositions of
// them that live a layer above the models they combine (the fusion pipeline, cold-start routing).
import './pipeline.js';
import './cold-start.js';

export { createModel, loadModel, modelNames, modelSpec, parseParams, registerModel } from '../models/index.js';
export type { FitContext, History, ModelArtifact, Reason, Recommender } from '../models/index.js';
