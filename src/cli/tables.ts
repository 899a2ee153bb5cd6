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
