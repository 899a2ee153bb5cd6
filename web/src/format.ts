/** Numbers as people read them: integers with separators, others to 4 significant digits. */
export function num(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  return Number(x.toPrecision(4)).toString();
}

export function date(unixSeconds: number | null | undefined): string {
  if (unixSeconds === null || unixSeconds === undefined) return '–';
  return new Date(unixSeconds * 1000).toISOString().replace('T', ' ').slice(0, 16);
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function attributeText(v: unknown): string {
  if (Array.isArray(v)) return v.join(', ');
  if (v === null || v === undefined) return '–';
  return String(v);
}

/** Metrics where lower is better (errors, time, popularity bias); every other metric: higher is better. */
export function lowerIsBetter(metric: string): boolean {
  return /^(rmse|mae|popularity@|gini@|fit_seconds|eval_seconds)/.test(metric) || metric.endsWith('_std');
}
