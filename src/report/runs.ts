import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { UnirecError } from '../errors.js';

/**
 * Evaluation runs for the report: `unirec evaluate --json` objects read from files, checked, and given
 * a short label that tells them apart in the charts.
 */

/** JSON has no NaN: an undefined metric (e.g. a slice without users) is written as null. */
const metricValue = z.number().nullable();
const count = z.number().int().nonnegative();

const SliceSchema = z.object({
  group: z.string(),
  name: z.string(),
  users: count,
  items: count.optional(),
  metrics: z.record(z.string(), metricValue),
});

const CurveSchema = z
  .object({
    items: z.array(count),
    mean_popularity: z.array(z.number()),
    train_share: z.array(z.number()),
    recommended_share: z.record(z.string(), z.array(z.number())),
  })
  .refine(
    (c) => [c.mean_popularity, c.train_share, ...Object.values(c.recommended_share)].every((a) => a.length === c.items.length),
    'every array must have one value per bucket (as many as "items")',
  );

/** The fields of the evaluate JSON the report reads (unknown fields are ignored). */
export const RunSchema = z.object({
  model: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
  protocol: z.string().min(1),
  seed: z.number().optional(),
  dataset: z.string().optional(),
  data: z.object({ users: count, items: count, interactions: count }),
  ks: z.array(z.number().int().positive()).optional(),
  evaluated_users: count.optional(),
  metrics: z.record(z.string(), metricValue).refine((m) => Object.keys(m).length > 0, 'must hold at least one metric'),
  fit_seconds: z.number().nonnegative(),
  eval_seconds: z.number().nonnegative(),
  slices: z.array(SliceSchema).optional(),
  popularity_curve: CurveSchema.optional(),
  warnings: z.array(z.string()).optional(),
  folds: count.optional(),
  cold: z.object({ items: count.optional(), users: count.optional(), events: count.optional() }).optional(),
});

export type Run = z.infer<typeof RunSchema>;

export interface LoadedRun extends Run {
  /** where it came from: file, file[index] (JSON array) or file:line (JSON lines) */
  source: string;
  /** unique among the runs of one report */
  label: string;
}

/**
 * Reads runs from files: a `.json` file holds one evaluate object or an array of them; any other file
 * is read as JSON lines (one object per line, as `unirec evaluate --json >> runs.jsonl` writes).
 * Every problem names the file (and line or index) and the field.
 */
export async function readRuns(paths: readonly string[]): Promise<LoadedRun[]> {
  if (paths.length === 0) throw new UnirecError('no run files given (--runs <files...>)');
  const runs: Omit<LoadedRun, 'label'>[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UnirecError(`${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : (err as Error).message}`);
    }
    runs.push(...parseRuns(text, path));
  }
  return labelRuns(runs);
}

/** The runs in one file's text (see readRuns); `path` only names the source in messages. */
export function parseRuns(text: string, path: string): Omit<LoadedRun, 'label'>[] {
  const out: Omit<LoadedRun, 'label'>[] = [];
  if (path.toLowerCase().endsWith('.json')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new UnirecError(`${path}: not valid JSON (${(err as Error).message})`);
    }
    if (Array.isArray(value)) {
      if (value.length === 0) throw new UnirecError(`${path}: an empty array; expected evaluate results`);
      value.forEach((v, i) => out.push(checkRun(v, `${path}[${i}]`)));
    } else {
      out.push(checkRun(value, path));
    }
  } else {
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      const source = `${path}:${i + 1}`;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        throw new UnirecError(`${source}: not valid JSON (${(err as Error).message})`);
      }
      out.push(checkRun(value, source));
    });
    if (out.length === 0) throw new UnirecError(`${path}: no evaluate results in the file (it is empty)`);
  }
  return out;
}

function checkRun(value: unknown, source: string): Omit<LoadedRun, 'label'> {
  const parsed = RunSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length ? `field "${issue.path.map(String).join('.')}"` : 'the value';
    const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : '';
    throw new UnirecError(`${source}: not a \`unirec evaluate --json\` result: ${field}: ${issue.message}${more}`);
  }
  return { ...parsed.data, source };
}

/**
 * Labels: the model name, plus what tells runs of the same model apart (dataset, protocol, the params
 * that differ, the file), and #n as a last resort.
 */
export function labelRuns(runs: readonly Omit<LoadedRun, 'label'>[]): LoadedRun[] {
  const labels = runs.map((run) => {
    const same = runs.filter((r) => r.model === run.model);
    if (same.length === 1) return run.model;
    const parts = [run.model];
    const varies = (f: (r: Omit<LoadedRun, 'label'>) => unknown): boolean => new Set(same.map((r) => JSON.stringify(f(r)))).size > 1;
    if (varies((r) => r.dataset ?? r.data)) parts.push(run.dataset ?? `${run.data.users}x${run.data.items}`);
    if (varies((r) => r.protocol)) parts.push(run.protocol);
    const keys = [...new Set(same.flatMap((r) => Object.keys(r.params)))].sort();
    const differing = keys.filter((k) => varies((r) => r.params[k]));
    if (differing.length) parts.push(differing.map((k) => `${k}=${short(run.params[k])}`).join(' '));
    if (varies((r) => r.seed)) parts.push(`seed ${run.seed}`);
    if (parts.length === 1) parts.push(basename(run.source));
    return parts.join(' · ');
  });
  const seen = new Map<string, number>();
  for (const l of labels) seen.set(l, (seen.get(l) ?? 0) + 1);
  const nth = new Map<string, number>();
  return runs.map((run, i) => {
    let label = labels[i]!;
    if (seen.get(label)! > 1) {
      const n = (nth.get(label) ?? 0) + 1;
      nth.set(label, n);
      label = `${label} #${n}`;
    }
    return { ...run, label };
  });
}

function short(value: unknown): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value) ?? 'unset';
  return s.length > 24 ? `${s.slice(0, 23)}…` : s;
}
