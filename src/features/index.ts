// Feature spaces: attribute columns encoded as sparse feature matrices with readable feature names.
export { tokenize, ENGLISH_STOP_WORDS, type TokenizeOptions } from './tokenize.js';
export { assembleFeatures, csrFromRowMaps, featureIndex, normalizeRows, sparseDot, type BlockRange, type FeatureBlock, type FeatureMatrix } from './block.js';
export { columnLabel, multiHot, oneHot, type CategoricalOptions } from './categorical.js';
export { binOf, bucketBlock, fitBins, fitStandardizer, formatNumber, standardBlock, type Bins, type Standardizer } from './numeric.js';
export { TextVectorizer, textBlock, type TextOptions } from './text.js';
export { defaultItemWeight, itemFeatureBlocks, itemFeatures, type ItemFeatureOptions } from './item.js';
export {
  AGE_EDGES,
  ageBucket,
  attributeBlock,
  discreteUserAttributes,
  encodeAttribute,
  userFeatures,
  type DiscreteAttribute,
  type UserAttributeOptions,
} from './user.js';
