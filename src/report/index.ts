import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { renderReport, type ReportOptions } from './html.js';
import { readRuns } from './runs.js';

export { renderReport, type ReportData, type ReportOptions } from './html.js';
export { labelRuns, parseRuns, readRuns, RunSchema, type LoadedRun, type Run } from './runs.js';

/** Reads evaluate JSON files and writes the HTML report to `out`; returns the runs and the file size. */
export async function writeReport(runFiles: readonly string[], out: string, options: ReportOptions = {}): Promise<{ runs: number; bytes: number }> {
  const runs = await readRuns(runFiles);
  const html = renderReport(runs, options);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, html);
  return { runs: runs.length, bytes: Buffer.byteLength(html) };
}
