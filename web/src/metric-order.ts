// Pure helpers of the experiments page (no React), tested by test/dashboard/web-logic.test.ts.

/** The metric families people compare first, in this order; the others follow by name. */
const LEADING = ['ndcg', 'recall', 'auc', 'gauc', 'precision', 'map', 'mrr', 'hit', 'rmse', 'mae'];

const rank = (family: string) => {
  const i = LEADING.indexOf(family);
  return i < 0 ? LEADING.length : i;
};

/** NDCG, recall and AUC first, then the other accuracy metrics, then the rest by name; K ascending within a family. */
export function metricOrder(a: string, b: string): number {
  const [fa, ka] = a.split('@');
  const [fb, kb] = b.split('@');
  if (fa === fb) return Number(ka ?? 0) - Number(kb ?? 0);
  return rank(fa!) - rank(fb!) || fa!.localeCompare(fb!);
}

/** Params as people read them: `k=50 shrink=10 weighting=bm25` (nested values as compact JSON). */
export function paramsText(params: Record<string, unknown> | undefined): string {
  const entries = Object.entries(params ?? {});
  if (entries.length === 0) return 'defaults';
  return entries.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
}
