/** Shared by the bench suites: run the real CLI and format figures. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const data = path.resolve(root, '../shared/data');
export const models = path.resolve(root, '../shared/models');
const bin = path.join(root, 'bin/unirec.js');

export interface Run {
  command: string;
  wallSeconds: number;
  report: any;
}

/** Runs `unirec <args>` and parses its JSON stdout; wall time measured around the whole process. */
export function unirec(args: string[]): Run {
  const start = process.hrtime.bigint();
  const out = execFileSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] });
  const wallSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  const relative = (a: string) => a.replaceAll(data, '../shared/data').replaceAll(models, '../shared/models');
  const shown = args.map((a) => (a.startsWith('{') || a.startsWith('[') ? `'${relative(a)}'` : relative(a)));
  return { command: `npx unirec ${shown.join(' ')}`, wallSeconds, report: JSON.parse(out) };
}

export const fmt = (v: number | undefined, d = 4): string => (v === undefined ? '-' : v.toFixed(d));

/** Relative change in percent, signed. */
export const pct = (v: number, base: number): string => `${v >= base ? '+' : ''}${((v / base - 1) * 100).toFixed(1)}%`;
