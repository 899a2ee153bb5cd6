import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { labelRuns, parseRuns } from '../report/runs.js';

/** One `unirec evaluate --json` result, as the experiment page shows it. */
export interface EvalRun {
  /** file it came from (and its line or index when the file holds several) */
  source: string;
  /** tells the run apart from others of the same model (as in `unirec report`) */
  label: string;
  model: string;
  protocol: string;
  dataset?: string;
  seed?: number;
  params: Record<string, unknown>;
  data: { users: number; items: number; interactions: number };
  /** null: not defined for this run (e.g. no user in a slice) */
  metrics: Record<string, number | null>;
  fit_seconds: number;
  eval_seconds: number;
}

export interface EvalRuns {
  runs: EvalRun[];
  /** files that are not evaluate results, with the reason */
  problems: { source: string; error: string }[];
}

const MAX_FILES = 1000;
const MAX_BYTES = 8 * 1024 * 1024;

/**
 * Evaluation results from a folder: every `*.json` file (one `unirec evaluate --json` object, or an
 * array of them) and `*.jsonl` file (one per line, as `unirec evaluate --json >> runs.jsonl` writes),
 * checked and labelled as `unirec report` does. A file that is not a result is reported, not fatal.
 * The folder is read on each call, so a run saved while the server is up shows on the next visit.
 */
export async function readEvalRuns(dir: string): Promise<EvalRuns> {
  const parsed: ReturnType<typeof parseRuns> = [];
  const problems: EvalRuns['problems'] = [];
  const names = (await readdir(dir)).filter((n) => /\.jsonl?$/i.test(n)).sort();
  if (names.length > MAX_FILES) problems.push({ source: dir, error: `${names.length} result files; only the first ${MAX_FILES} are read` });
  for (const name of names.slice(0, MAX_FILES)) {
    try {
      const info = await stat(join(dir, name));
      if (!info.isFile()) continue;
      if (info.size > MAX_BYTES) throw new Error(`${name}: ${info.size} bytes, more than the ${MAX_BYTES} read`);
      parsed.push(...parseRuns(await readFile(join(dir, name), 'utf8'), name));
    } catch (err) {
      problems.push({ source: name, error: (err as Error).message });
    }
  }
  const runs = labelRuns(parsed).map((r) => ({
    source: r.source,
    label: r.label,
    model: r.model,
    protocol: r.protocol,
    ...(r.dataset === undefined ? {} : { dataset: r.dataset }),
    ...(r.seed === undefined ? {} : { seed: r.seed }),
    params: r.params,
    data: r.data,
    metrics: r.metrics,
    fit_seconds: r.fit_seconds,
    eval_seconds: r.eval_seconds,
  }));
  return { runs, problems };
}
