// The library API of unirec. `Recommender` is the façade (the caller's ids in and out, files, stores);
// below it, everything to load and clean data, split it, fit models on dense ids and evaluate them.
export {
  Recommender,
  UnknownItemError,
  UnknownModelError,
  UnsupportedError,
  type Attributes,
  type AttributeValue,
  type EventFile,
  type EventRecord,
  type EventSource,
  type Explanation,
  type FromStoreOptions,
  type ItemRecord,
  type ItemView,
  type ModelName,
  type ModelParams,
  type ModelParamsMap,
  type RecommendedItem,
  type RecommendOptions,
  type Recommendations,
  type SimilarItems,
  type SimilarOptions,
  type TrainOptions,
  type UserRecord,
  type Visitor,
} from './api.js';
export type { Store } from './store/store.js';
export { UnirecError, RowError } from './errors.js';
export type { Progress, ProgressTask } from './progress.js';

export { IdMap } from './data/idmap.js';
export { Interactions } from './data/interactions.js';
export { Csr } from './data/csr.js';
export { AttributeTable, type Column } from './data/attributes.js';
export { makeTrainData, type Dataset, type TrainData } from './data/dataset.js';
export { loadDataset, detectFormat, type LoadOptions } from './data/load.js';
export { readGenericMapping, readGeneric, type GenericMapping } from './data/readers/generic.js';
export { cleanDataset, dedupe, kcore, minRating, toImplicit, type CleanOptions } from './data/clean.js';
export {
  makeSplits,
  splitRatio,
  splitLoo,
  splitTemporal,
  splitKfold,
  splitColdItems,
  splitColdUsers,
  PROTOCOLS,
  type Protocol,
  type Split,
  type SplitOptions,
} from './data/splits.js';
export { syntheticShop, type ShopOptions } from './data/synthetic.js';

export {
  tokenize,
  TextVectorizer,
  itemFeatures,
  userFeatures,
  discreteUserAttributes,
  encodeAttribute,
  assembleFeatures,
  type FeatureBlock,
  type FeatureMatrix,
  type ItemFeatureOptions,
  type TextOptions,
  type DiscreteAttribute,
} from './features/index.js';

export type { TextEncoder } from './text/encoder.js';
export { loadTextEncoder, TEXT_ENCODERS, type TextEncoderName, type TextEncoderOptions } from './text/load.js';
export { itemTextVectors, type ItemTextVectors, type ItemVectorOptions } from './text/item-vectors.js';
export { itemTexts, type ItemTextOptions } from './text/item-text.js';
export { VectorCache, CachedEncoder, defaultCachePath } from './text/vector-cache.js';

export { topK, type TopK } from './math/topk.js';
export { Rng } from './math/rng.js';

export {
  createModel,
  loadModel,
  modelNames,
  modelSpec,
  parseParams,
  registerModel,
  type FitContext,
  type History,
  type ModelArtifact,
  type Reason,
  /** The interface every model implements, on dense ids (the façade `Recommender` wraps one). */
  type Recommender as RecommenderModel,
} from './pipeline/index.js';

export { runEvaluation, type EvaluationReport, type RunOptions } from './eval/runner.js';
export { evaluateRanking, evaluateRatings, type RankingOptions, type RankingResult } from './eval/evaluator.js';

export { mmrRerank, type MmrOptions } from './pipeline/mmr.js';
