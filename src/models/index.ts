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
// The TensorFlow.js models are imported by name rather than for effect: a declaration file keeps an
// effect-only import, and through it a user's strict TypeScript build (no skipLibCheck) would check
// the tfjs typings, which have errors of their own. Imported by name, the .d.ts leaves them out.
import * as sasrec from './sasrec.js';
import * as bert4rec from './bert4rec.js';
import * as twoTower from './two-tower.js';

void [sasrec, bert4rec, twoTower];

export { withRetrievalParams } from './factor-retrieval.js';
export { createModel, loadModel, modelNames, modelSpec, parseParams, registerModel } from './registry.js';
export type { FitContext, History, ModelArtifact, Reason, Recommender } from './recommender.js';
