/**
 * How fast the dashboard is on ml-1m (1M events), in a real browser; a measurement, not a test:
 *
 *   npm run bench:dashboard -- [--model als] [--db PATH]
 *
 * Imports ../shared/data/ml-1m into a temporary store with `unirec import`, trains a model with
 * `unirec train`, starts the server in this process, then opens every dashboard page in Chromium and
 * prints, per page, the time until its content shows and the slowest API call it made (browser
 * Resource Timing), cold (first visit after start) and warm (second visit). Ends non-zero when a page
 * or an API call takes 1 s or more. With --db PATH the store is kept there and reused when it exists.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../src/serve/server.js';
import { launchChromium } from '../test/helpers/browser.js';
import { SHARED_DATA } from '../test/helpers/shared-data.js';

const arg = (name: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const model = arg('model') ?? 'als';
const bin = path.resolve('bin/unirec.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'unirec-dash-ml1m-'));
const db = arg('db') ?? path.join(dir, 'ml1m.db');
const reuse = existsSync(db);
const log = (m: string) => process.stderr.write(`timing: ${m}\n`);

function timed(what: string, f: () => void): void {
  const start = performance.now();
  f();
  log(`${what}: ${((performance.now() - start) / 1000).toFixed(1)} s`);
}

try {
  if (!reuse) {
    timed('import ml-1m', () => execFileSync(process.execPath, [bin, 'import', '--db', db, '--data', path.join(SHARED_DATA, 'ml-1m')], { stdio: 'ignore' }));
    timed(`train ${model}`, () => execFileSync(process.execPath, [bin, 'train', '--db', db, '--model', model], { stdio: 'ignore' }));
  }
  const startAt = performance.now();
  const server = await startServer({ db, port: 0, keys: { read: new Set(), write: new Set() }, notice: () => {} });
  log(`server start (loads 1M events): ${((performance.now() - startAt) / 1000).toFixed(1)} s`);
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));

  const pages: [string, string][] = [
    ['overview', '[data-testid=top-users] li'],
    ['users', '[data-testid=users-list] tbody tr'],
    ['users/1', '[data-testid=recommendations] tbody tr'],
    ['items', '[data-testid=items-list] tbody tr'],
    ['items/2858', '[data-testid=similar-content] li'],
    ['models', '[data-testid=models-table]'],
    ['experiments', 'main h1'],
  ];
  let worst = 0;
  const rows: string[] = [];
  for (const visit of ['cold', 'warm']) {
    for (const [path_, ready] of pages) {
      const start = performance.now();
      await page.goto(`${server.url}/dashboard/${path_ === 'overview' ? '' : path_}`);
      await page.locator(ready).first().waitFor({ timeout: 10_000 });
      const shown = performance.now() - start;
      const calls = await page.evaluate(() =>
        (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((e) => e.initiatorType === 'fetch').map((e) => ({ url: e.name, ms: e.duration })),
      );
      const slowest = calls.reduce((a, b) => (b.ms > a.ms ? b : a), { url: '-', ms: 0 });
      worst = Math.max(worst, shown, slowest.ms);
      rows.push(`${visit.padEnd(5)} ${path_.padEnd(12)} content in ${shown.toFixed(0).padStart(4)} ms; slowest API ${slowest.ms.toFixed(0).padStart(4)} ms ${new URL(slowest.url, server.url).pathname}`);
    }
  }
  process.stdout.write(`${rows.join('\n')}\n`);
  if (errors.length) process.stdout.write(`console errors:\n${errors.join('\n')}\n`);
  await browser.close();
  await server.close();
  if (worst >= 1000 || errors.length) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
