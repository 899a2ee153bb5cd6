/**
 * What an interaction's value means, named in the config (`valueKind`) so that play counts never pass
 * for ratings:
 * - 'rating': explicit ratings (rating models, RMSE, minRating, rating-weighted content profiles);
 * - 'count': how many times (plays, purchases, visits): implicit feedback; cleanDataset turns counts
 *   into the confidence countConfidence(count), so 352,698 plays weigh 13.8, not 352,698;
 * - 'weight': an implicit weight used as it is.
 */
export const VALUE_KINDS = ['rating', 'count', 'weight'] as const;
export type ValueKind = (typeof VALUE_KINDS)[number];

/**
 * The confidence of a count: 1 + ln(count) from 1 up (one play = 1, as an unweighted event), the count
 * itself below 1 — the sublinear term frequency of TF-IDF, and Hu, Koren & Volinsky's log confidence
 * up to its scale (an implicit model's own alpha multiplies it).
 */
export function countConfidence(count: number): number {
  return count >= 1 ? 1 + Math.log(count) : Math.max(0, count);
}
