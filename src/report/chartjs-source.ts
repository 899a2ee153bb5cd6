import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UnirecError } from '../errors.js';

let cached: string | undefined;

/**
 * The Chart.js UMD bundle (defines the global `Chart`) from the installed `chart.js` package, for
 * inlining into the report: the page must work offline, so it never loads a script from a CDN. The
 * package's exports map hides `dist/chart.umd.js`, so it is found next to the resolved main entry.
 */
export function chartJsSource(): string {
  if (cached !== undefined) return cached;
  const require = createRequire(import.meta.url);
  let path: string;
  try {
    path = join(dirname(require.resolve('chart.js')), 'chart.umd.js');
    cached = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UnirecError(`cannot read the Chart.js bundle (is the chart.js package installed?): ${(err as Error).message}`);
  }
  // the source map is not inlined, so its reference would only make devtools look for a missing file
  cached = cached.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  return cached;
}
