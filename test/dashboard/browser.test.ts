import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { cleanDataset } from '../../src/data/clean.js';
import { syntheticShop } from '../../src/data/synthetic.js';
import { type EvaluationReport, runEvaluation } from '../../src/eval/runner.js';
import { DEFAULT_WEB_ROOT } from '../../src/serve/routes/dashboard.js';
import { type RunningServer, startServer } from '../../src/serve/server.js';
import { trainFromStore } from '../../src/serve/training.js';
import { collectPageErrors, HAS_CHROMIUM, launchChromium, screenshot } from '../helpers/browser.js';
import { shopStore, tempDir } from '../serve/fixture.js';

// The dashboard in a real browser (Debian's Chromium, headless), against `unirec serve` on a synthetic
// shop with two trained models and a folder of evaluation runs: every page renders real content with
// no console error, each API call it makes answers within 1 s, and a user's recommendations change
// when an event is posted from the page. Screenshots go to test-artifacts/screenshots/.

const BUILT = existsSync(join(DEFAULT_WEB_ROOT, 'index.html'));
const skip = !HAS_CHROMIUM ? 'Chromium is not installed (/usr/bin/chromium; .ci/run installs it)' : !BUILT ? `the dashboard is not built (${DEFAULT_WEB_ROOT}): npm run build` : false;

const SHOP = { users: 200, items: 80, eventsPerUser: 12, seed: 11 };
const tmp = tempDir('unirec-dash-browser-');
let server: RunningServer;
let browser: Browser;
let page: Page;
let errors: string[];
const runs: EvaluationReport[] = [];

before(async () => {
  if (skip) return;
  const dbPath = join(tmp.dir, 'shop.db');
  const store = await shopStore(dbPath, { shop: SHOP, model: 'itemknn' });
  await trainFromStore(store, 'popularity', {}); // a second model for the models page (not active)
  await store.close();
  // Real evaluation results on the same kind of data, as `unirec evaluate --json` writes them.
  const runsDir = join(tmp.dir, 'runs');
  mkdirSync(runsDir);
  const dataset = cleanDataset(syntheticShop(SHOP));
  for (const model of ['popularity', 'itemknn']) {
    const report = await runEvaluation({ dataset, model, protocol: 'ratio', seed: 42, ks: [5, 10, 20], threads: 1 });
    runs.push(report);
    writeFileSync(join(runsDir, `${model}.json`), JSON.stringify(report));
  }
  writeFileSync(join(runsDir, 'scratch.json'), '{"model": 1}');
  server = await startServer({ db: dbPath, port: 0, keys: { read: new Set(), write: new Set() }, runsDir, synchronous: 'normal', notice: () => {} });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  errors = collectPageErrors(page);
});

after(async () => {
  await browser?.close();
  await server?.close();
  tmp.cleanup();
});

/** Opens a dashboard page and waits until its requests have settled. */
async function open(path: string): Promise<void> {
  await page.goto(`${server.url}/dashboard/${path}`, { waitUntil: 'networkidle' });
}

/** Every API call the page has made so far, with its duration in the browser (ms). */
async function apiTimings(): Promise<{ url: string; ms: number }[]> {
  return page.evaluate(() =>
    (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
      .filter((e) => e.initiatorType === 'fetch')
      .map((e) => ({ url: e.name, ms: e.duration })),
  );
}

/** No console error, and every API call within 1 s. */
async function assertHealthy(context: string, minCalls = 1): Promise<void> {
  assert.deepEqual(errors, [], `${context}: console errors`);
  const timings = await apiTimings();
  assert.ok(timings.length >= minCalls, `${context}: ${timings.length} API calls`);
  for (const t of timings) assert.ok(t.ms < 1000, `${context}: ${t.url} took ${t.ms.toFixed(0)} ms`);
}

/** Canvas pixels that are not transparent: a chart was drawn. */
async function drawnPixels(selector: string): Promise<number> {
  return page.$eval(selector, (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
    return n;
  });
}

const text = (selector: string) => page.locator(selector).innerText();

test('overview: counts from the store, events-over-time chart, served model, top items and users', { skip }, async () => {
  await open('');
  const health = (await (await fetch(`${server.url}/health`)).json()) as { users: number; items: number; events: number };
  assert.equal(await text('[data-testid=stat-users] .stat-value'), health.users.toLocaleString('en-US'));
  assert.equal(await text('[data-testid=stat-items] .stat-value'), health.items.toLocaleString('en-US'));
  assert.equal(await text('[data-testid=stat-events] .stat-value'), health.events.toLocaleString('en-US'));
  assert.equal(await text('[data-testid=active-model]'), 'itemknn@1');
  assert.ok((await drawnPixels('canvas[aria-label="events over time"]')) > 1000, 'the events chart is drawn');
  assert.equal(await page.locator('[data-testid=top-items] li').count(), 10);
  assert.equal(await page.locator('[data-testid=top-users] li').count(), 10);
  await screenshot(page, 'dashboard-overview');
  await assertHealthy('overview');
});

test('click through to a user, post an event from the page, and see the recommendations change', { skip }, async () => {
  await open('');
  const first = page.locator('[data-testid=top-users] li a').first();
  const user = await first.innerText();
  await first.click();
  await page.waitForURL(`**/dashboard/users/${user}`);
  await page.locator('[data-testid=recommendations] tbody tr').first().waitFor();
  assert.equal(await text('[data-testid=user-id]'), user);
  const rows = page.locator('[data-testid=recommendations] tbody tr');
  assert.equal(await rows.count(), 10);
  assert.equal(await text('[data-testid=rec-model]'), 'itemknn@1');
  const reasons = await page.locator('[data-testid=recommendations] td.reasons').first().innerText();
  assert.match(reasons, /similar to an item you interacted with/, 'explanations are shown');
  const historyBefore = await page.locator('[data-testid=history] tbody tr').count();
  assert.ok(historyBefore >= 5);
  await screenshot(page, 'dashboard-user-before');

  // "+ event" on the top recommendation: the user has now seen it, so it leaves the list and another enters.
  const top = (await rows.first().getAttribute('data-item'))!;
  await page.locator(`[data-testid="interact-${top}"]`).click();
  await page.locator('[data-testid=changes]').waitFor();
  await page.waitForFunction((item) => !document.querySelector(`[data-testid=recommendations] tr[data-item="${item}"]`), top);
  assert.match(await text('[data-testid=left]'), /Dropped out/);
  assert.ok((await page.locator('[data-testid=entered] .tag').count()) >= 1, 'an item entered the top 10');
  assert.equal(await page.locator('[data-testid=history] tbody tr').first().getAttribute('data-item'), top, 'the event is the newest in the history');
  assert.equal(await rows.count(), 10);
  // The server agrees: the item is in the history and out of the recommendations.
  const recs = (await (await fetch(`${server.url}/recommend/${user}?k=10`)).json()) as { items: { id: string }[] };
  assert.ok(!recs.items.some((i) => i.id === top));
  assert.deepEqual(
    await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-item'))),
    recs.items.map((i) => i.id),
  );

  // The form: a purchase of an item typed by id.
  const listed = new Set(recs.items.map((i) => i.id));
  const other = (await (await fetch(`${server.url}/dashboard/api/items?limit=100`)).json()) as { items: { id: string }[] };
  const seen = new Set(await page.locator('[data-testid=history] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-item'))));
  const fresh = other.items.find((i) => !listed.has(i.id) && !seen.has(i.id))!.id;
  await page.getByLabel('item id').fill(fresh);
  await page.getByLabel('kind').selectOption('purchase');
  await page.getByRole('button', { name: 'Post event' }).click();
  await page.locator('[data-testid=changes] h2', { hasText: `purchase on ${fresh}` }).waitFor();
  const newest = page.locator('[data-testid=history] tbody tr').first();
  assert.equal(await newest.getAttribute('data-item'), fresh);
  assert.match(await newest.innerText(), /purchase/);
  await screenshot(page, 'dashboard-user-after');
  await assertHealthy('user page', 4);
});

test('item page: attributes, similar items by the model and by content', { skip }, async () => {
  await open('items');
  await page.locator('[data-testid=items-list] tbody tr').first().waitFor();
  await page.getByLabel('search items').fill('tent');
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid=items-list] tbody tr')];
    return rows.length > 0 && rows.every((r) => /tent/i.test(r.textContent ?? ''));
  });
  const link = page.locator('[data-testid=items-list] tbody tr a').first();
  const id = await link.innerText();
  await link.click();
  await page.waitForURL(`**/dashboard/items/${id}`);
  await page.locator('[data-testid=similar-content] li').first().waitFor();
  assert.match(await text('[data-testid=item-title]'), /tent/i);
  assert.match(await text('table.attributes'), /category\s+tents/);
  assert.equal(await page.locator('[data-testid=similar-cf] li').count(), 10);
  const content = await page.locator('[data-testid=similar-content] li').allInnerTexts();
  assert.equal(content.length, 10);
  for (const line of content) assert.match(line, /shares \S/, 'each neighbour says which features it shares');
  // Neighbours by content share attributes (category, brand, tags, description words): tents are 1 in
  // 12 of the catalogue, so about 1 of 10 random items would be a tent.
  const hrefs = await page.locator('[data-testid=similar-content] li > a').evaluateAll((as) => as.map((a) => decodeURIComponent(a.getAttribute('href')!.split('/').pop()!)));
  const attributesOf = async (item: string) =>
    ((await (await fetch(`${server.url}/items/${encodeURIComponent(item)}`)).json()) as { attributes: { category: string } }).attributes;
  assert.equal((await attributesOf(id)).category, 'tents');
  let tents = 0;
  for (const neighbour of hrefs) {
    const a = await attributesOf(neighbour);
    if (a.category === 'tents') tents++;
  }
  assert.ok(tents >= 3, `${tents} of 10 content neighbours are tents`);
  await screenshot(page, 'dashboard-item');
  await assertHealthy('item page');
});

test('users page lists users; models page activates another version', { skip }, async () => {
  await open('users');
  await page.locator('[data-testid=users-list] tbody tr').first().waitFor();
  assert.equal(await page.locator('[data-testid=users-list] tbody tr').count(), 100);
  await assertHealthy('users page');

  await open('models');
  await page.locator('[data-testid=models-table]').waitFor();
  assert.equal(await text('[data-testid=models-active]'), 'itemknn@1');
  assert.deepEqual(await page.locator('[data-testid=models-table] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-model'))), ['itemknn@1', 'popularity@1']);
  assert.match(await text('[data-testid=models-table] thead'), /fit_seconds/);
  // Beside each version, its evaluation run with the same params (from the runs folder).
  const itemknnRun = runs.find((r) => r.model === 'itemknn')!;
  const offline = await text('[data-testid="offline-itemknn@1"]');
  assert.match(offline, /^ratio/);
  const shownNdcg = Number(/ndcg@5 ([\d.]+)/.exec(offline)?.[1]);
  assert.ok(Math.abs(shownNdcg - itemknnRun.metrics['ndcg@5']!) < 1e-3, `${offline} vs ${itemknnRun.metrics['ndcg@5']}`);
  assert.ok((await drawnPixels('canvas[aria-label^="models by"]')) > 500);
  await page.locator('[data-testid="activate-popularity@1"]').click();
  await page.locator('[data-testid=models-active]', { hasText: 'popularity@1' }).waitFor();
  assert.equal(((await (await fetch(`${server.url}/health`)).json()) as { model: string }).model, 'popularity@1');
  await screenshot(page, 'dashboard-models');
  await page.locator('[data-testid="activate-itemknn@1"]').click();
  await page.locator('[data-testid=models-active]', { hasText: 'itemknn@1' }).waitFor();
  await assertHealthy('models page');
});

test('experiments page: the numbers of the evaluation files, charted, and the bad file reported', { skip }, async () => {
  await open('experiments');
  await page.locator('[data-testid=runs-table]').waitFor();
  const table = page.locator('[data-testid=runs-table]');
  assert.deepEqual(await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run'))), ['itemknn.json', 'popularity.json']);
  for (const report of runs) {
    for (const metric of ['ndcg@10', 'recall@20', 'hit@5', 'auc']) {
      const shown = await table.locator(`tr[data-run="${report.model}.json"] td[data-metric="${metric}"]`).innerText();
      assert.ok(Math.abs(Number(shown) - report.metrics[metric]!) <= Math.abs(report.metrics[metric]!) * 1e-3, `${report.model} ${metric}: page ${shown}, file ${report.metrics[metric]}`);
    }
  }
  // The model that learns is marked best on ndcg@10 (planted structure: itemknn beats popularity).
  const best = runs[0]!.metrics['ndcg@10']! > runs[1]!.metrics['ndcg@10']! ? runs[0]! : runs[1]!;
  assert.equal(best.model, 'itemknn');
  assert.equal(await table.locator('td.best[data-metric="ndcg@10"]').count(), 1);
  assert.equal(await table.locator('tr[data-run="itemknn.json"] td.best[data-metric="ndcg@10"]').count(), 1);
  assert.ok((await drawnPixels('canvas[aria-label="ndcg@10 by model"]')) > 500);
  assert.ok((await drawnPixels('canvas[aria-label="ndcg at K"]')) > 500);
  assert.match(await text('[data-testid=runs-problems]'), /scratch\.json: not a `unirec evaluate --json` result: field "model"/);
  await screenshot(page, 'dashboard-experiments');
  await assertHealthy('experiments page');
});

test('an unknown page path shows the app with a way back, not a server error', { skip }, async () => {
  await open('no/such/page');
  assert.match(await text('main'), /There is no dashboard page/);
  await page.getByRole('link', { name: 'Back to the overview' }).click();
  await page.locator('[data-testid=stat-users]').waitFor();
  assert.deepEqual(errors, []);
});
