// Importing this module registers every model with the registry (name -> factory). The compositions of
// models (pipeline, cold-start routing) register from pipeline/index.ts, a layer above.
import './popularity.js';
import './random.js';
import './itemknn.js';
import './userknn.js';
import './bias.js';
import './ease.js';
import './als.js';
import './content.js';
import './demographic.js';
import './social.js';
import './bpr.js';
import './mf.js';
import './svdpp.js';
import './hybrid-mf.js';
import './sasrec.js';
import './bert4rec.js';
import './two-tower.js';

export { withRetrievalParams } from './factor-retrieval.js';
export { createModel, loadModel, modelNames, modelSpec, parseParams, registerModel } from './registry.js';
export type { FitContext, History, ModelArtifact, Reason, Recommender } from './recommender.js';
