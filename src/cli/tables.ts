import Table from 'cli-table3';

/** Metrics of several runs side by side: one row per run, one column per metric. */
export function metricsTable(
  runs: { name: string; metrics: Record<string, number> }[],
  keys?: string[],
): string {
  const columns = keys ?? Object.keys(runs[0]?.metrics ?? {}).filter((k) => !k.endsWith('_std'));
  const table = new Table({ head: ['model', ...columns], style: { head: [], border: [] } });
  for (const run of runs) {
    table.push([run.name, ...columns.map((k) => formatMetric(run.metrics[k]))]);
  }
  return table.toString();
}

export function formatMetric(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '-';
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4);
}

/** The metrics a terminal report leads with, in this order (rows); the rest is in --json. */
const MAIN_METRICS = ['ndcg', 'recall', 'precision', 'map', 'mrr', 'hit', 'auc', 'gauc', 'rmse', 'mae', 'coverage', 'novelty', 'diversity', 'popularity', 'gini'];

/**
 * One evaluation's metrics for a terminal: a row per main metric, a column per cut-off K (metrics
 * without a K, like AUC, in the first column), so ten metrics at three Ks fit in 80 columns. Metrics
 * not shown (per-slice values, _std siblings, other diversities) are counted in a last line.
 */
export function evaluationTable(metrics: Record<string, number>): string {
  const ks = [...new Set(Object.keys(metrics).map((m) => /@(\d+)$/.exec(m)?.[1]).filter((k): k is string => k !== undefined))].sort((a, b) => Number(a) - Number(b));
  const columns = ks.length ? ks.map((k) => `@${k}`) : ['value'];
  const table = new Table({
    head: ['metric', ...columns],
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' }, // no line between rows
    colAligns: ['left', ...columns.map(() => 'right' as const)],
  });
  const shown = new Set<string>();
  for (const name of MAIN_METRICS) {
    if (metrics[name] !== undefined) {
      shown.add(name);
      table.push([name, formatMetric(metrics[name]), ...columns.slice(1).map(() => '')]);
      continue;
    }
    const row = ks.map((k) => metrics[`${name}@${k}`]);
    if (row.every((v) => v === undefined)) continue;
    ks.forEach((k) => shown.add(`${name}@${k}`));
    table.push([name, ...row.map(formatMetric)]);
  }
  const rest = Object.keys(metrics).filter((m) => !shown.has(m)).length;
  return table.toString() + (rest > 0 ? `\n(${rest} more metrics, per slice and beyond accuracy: --json has them all)` : '');
}
