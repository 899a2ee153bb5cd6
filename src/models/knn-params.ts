import { z } from 'zod';

/**
 * The parameters both neighbourhood models take (itemknn, userknn): how many neighbours, the cosine's
 * shrinkage, the term weighting of the interaction matrix and whether ratings or just presence count.
 */
export function neighbourhoodParams(defaultK: number) {
  return z
    .object({
      /** neighbours kept per row (item for itemknn, user for userknn) */
      k: z.number().int().positive().default(defaultK),
      /** shrinkage added to the cosine denominator: damps similarities backed by few co-occurrences */
      shrink: z.number().nonnegative().default(10),
      /** term weighting of the matrix before the cosine (popular columns weigh less) */
      weighting: z.enum(['none', 'tfidf', 'bm25']).default('none'),
      bm25K1: z.number().positive().default(1.2),
      bm25B: z.number().min(0).max(1).default(0.75),
      /** 'binary' treats every interaction as 1; 'value' uses ratings/weights */
      values: z.enum(['binary', 'value']).default('binary'),
    })
    .strict();
}
