import { z } from 'zod';
import { DEFAULT_HNSW, type HnswOptions } from './hnsw-index.js';
import type { VectorKind } from './vector-store.js';

/**
 * The retrieval params every model with item vectors takes (spread into its strict param schema):
 *   retrieval  'exact' scans every item; 'hnsw' searches a graph index built at fit time
 *   vectors    how item (and user) vectors are stored and scored: float32, float16, int8 (per-row scale)
 *   rerank     int8 exact scan: candidates kept per result by the quantized first pass, re-scored on the stored rows
 *   hnswM, hnswEfConstruction, hnswEf, hnswSpace   the graph (hnsw-index.ts)
 */
export const retrievalParamShape = {
  retrieval: z.enum(['exact', 'hnsw']).default('exact'),
  vectors: z.enum(['float32', 'float16', 'int8']).default('float32'),
  rerank: z.number().int().positive().default(4),
  hnswM: z.number().int().min(2).max(128).default(DEFAULT_HNSW.m),
  hnswEfConstruction: z.number().int().positive().default(DEFAULT_HNSW.efConstruction),
  hnswEf: z.number().int().positive().default(DEFAULT_HNSW.ef),
  hnswSpace: z.enum(['mips', 'ip']).default(DEFAULT_HNSW.space),
};

export interface RetrievalOptions {
  retrieval: 'exact' | 'hnsw';
  vectors: VectorKind;
  rerank: number;
  hnsw: HnswOptions;
}

/** The retrieval params of a model, parsed. */
export type RetrievalParams = { [K in keyof typeof retrievalParamShape]: z.infer<(typeof retrievalParamShape)[K]> };

/** The options from a model's parsed params (and its seed, for the graph's level draws). */
export function retrievalOptions(p: RetrievalParams, seed = DEFAULT_HNSW.seed): RetrievalOptions {
  return {
    retrieval: p.retrieval,
    vectors: p.vectors,
    rerank: p.rerank,
    hnsw: { space: p.hnswSpace, m: p.hnswM, efConstruction: p.hnswEfConstruction, ef: p.hnswEf, seed },
  };
}

export const EXACT_FLOAT32: RetrievalOptions = { retrieval: 'exact', vectors: 'float32', rerank: 4, hnsw: DEFAULT_HNSW };
