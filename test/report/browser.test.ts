import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { writeReport } from '../../src/report/index.js';
import type { EvaluationReport } from '../../src/eval/runner.js';
import { CHROMIUM_PATH, collectPageErrors, HAS_CHROMIUM, launchChromium, screenshot } from '../helpers/browser.js';
import { runFixture } from './fixture.js';

/**
 * The report in a real browser, offline: it renders without errors or network requests, and every
 * chart holds the numbers of the evaluate JSON it was built from (read back through Chart.js).
 */

const skip = HAS_CHROMIUM ? false : `Chromium not found at ${CHROMIUM_PATH} (install it or set UNIREC_CHROMIUM)`;

interface ChartState {
  type: string;
  labels: string[];
  datasets: { label: string; data: (number | null)[] }[];
}

let browser: Browser | undefined;

before(async () => {
  if (!skip) browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

test('the report opens offline, draws every chart, and its charts show the evaluate JSON numbers', { skip, timeout: 60_000 }, async () => {
  const fixture = await runFixture();
  const out = join(fixture.dir, 'report.html');
  await writeReport(fixture.files, out);
  const [popularity, knn, cold] = fixture.runs as [EvaluationReport, EvaluationReport, EvaluationReport];

  const context = await browser!.newContext({ offline: true, viewport: { width: 1280, height: 900 } });
  const requests: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    requests.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url()); });
  const errors = collectPageErrors(page);
  try {
    await page.goto(pathToFileURL(out).href);
    await page.waitForSelector('body[data-charts-ready="true"]', { timeout: 10_000 });
    const read = (): Promise<Record<string, ChartState>> =>
      page.evaluate(() => {
        const Chart = (globalThis as unknown as { Chart: { getChart(c: unknown): { config: { type: string }; data: { labels: string[]; datasets: { label: string; data: (number | null)[] }[] } } | undefined } }).Chart;
        const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ id: string }> } }).document;
        const out: Record<string, ChartState> = {};
        for (const canvas of Array.from(doc.querySelectorAll('canvas'))) {
          const chart = Chart.getChart(canvas);
          if (!chart) continue;
          out[canvas.id] = {
            type: chart.config.type,
            labels: [...chart.data.labels],
            datasets: chart.data.datasets.map((d) => ({ label: d.label, data: [...d.data] })),
          };
        }
        return out;
      });
    const shown = await read();
    const canvases = await page.locator('canvas').count();
    assert.equal(Object.keys(shown).length, canvases, 'every canvas has a chart');
    const series = (id: string, label: string): (number | null)[] => {
      const chart = shown[id];
      assert.ok(chart, `chart ${id} is on the page (have ${Object.keys(shown).join(', ')})`);
      const d = chart.datasets.find((x) => x.label === label);
      assert.ok(d, `${id} has a dataset "${label}" (have ${chart.datasets.map((x) => x.label).join(', ')})`);
      return d.data;
    };
    const atK = (run: EvaluationReport, name: string): (number | null)[] => [5, 10, 20].map((k) => run.metrics[`${name}@${k}`] ?? null);

    // metrics per model at several K: the exact floats of the JSON
    for (const name of ['ndcg', 'recall', 'hit', 'precision', 'map', 'mrr', 'coverage', 'diversity', 'novelty', 'popularity', 'gini']) {
      const id = ['coverage', 'diversity', 'novelty', 'popularity', 'gini'].includes(name) ? `beyond-${name}` : `accuracy-${name}`;
      assert.deepEqual(shown[id]!.labels, ['@5', '@10', '@20'], id);
      for (const run of [popularity, knn]) assert.deepEqual(series(id, run.model), atK(run, name), `${id} ${run.model}`);
      assert.equal(shown[id]!.datasets.length, 2, `${id}: the cold-items run is not mixed with the warm ones`);
    }
    assert.deepEqual(series('accuracy-auc', 'itemknn'), [knn.metrics['auc'], knn.metrics['gauc']]);
    assert.ok(knn.metrics['ndcg@10']! > popularity.metrics['ndcg@10']!, 'the fixture is a real comparison: itemknn beats popularity');

    // popularity-bias curve at K = 10: the catalogue line and each model's share of slots
    const curve = shown['popularity-curve']!;
    assert.equal(curve.type, 'line');
    assert.equal(curve.labels.length, popularity.popularity_curve!.items.length);
    assert.deepEqual(series('popularity-curve', 'itemknn'), knn.popularity_curve!.recommended_share['10']);
    assert.deepEqual(series('popularity-curve', 'popularity'), popularity.popularity_curve!.recommended_share['10']);
    assert.ok(curve.datasets.some((d) => JSON.stringify(d.data) === JSON.stringify(popularity.popularity_curve!.train_share)), 'catalogue line');

    // slices: user activity at ndcg@10, item popularity at recall@10 (warm runs only)
    const activity = popularity.slices!.filter((s) => s.group === 'user activity');
    assert.deepEqual(shown['slice-user-activity']!.labels, activity.map((s) => s.name));
    assert.deepEqual(series('slice-user-activity', 'itemknn'), knn.slices!.filter((s) => s.group === 'user activity').map((s) => s.metrics['ndcg@10']));
    assert.ok(!shown['slice-user-activity']!.datasets.some((d) => d.label === 'content'), 'cold runs are not in the slice charts');
    const itemSlices = (run: EvaluationReport, m: string) => run.slices!.filter((s) => s.group === 'item popularity').map((s) => s.metrics[m] ?? null);
    assert.deepEqual(series('slice-item-popularity', 'popularity'), itemSlices(popularity, 'recall@10'));
    assert.ok(shown['slice-user-gender'], 'a demographic slice chart');

    // cold start at K = 10, and the time chart
    assert.deepEqual(shown['cold-start']!.labels.slice(0, 2), ['recall@10', 'ndcg@10']);
    assert.deepEqual(series('cold-start', `content (${cold.cold!.items} cold items)`).slice(0, 2), [cold.metrics['recall@10'], cold.metrics['ndcg@10']]);
    assert.deepEqual(shown['time']!.labels, ['popularity', 'itemknn', 'content']);
    assert.deepEqual(series('time', 'fit (training)'), [popularity.fit_seconds, knn.fit_seconds, cold.fit_seconds]);
    assert.deepEqual(series('time', 'evaluation'), [popularity.eval_seconds, knn.eval_seconds, cold.eval_seconds]);

    // the variant selector swaps the data: share of recommendations per popularity bucket
    await page.selectOption('#slice-item-popularity-variant', { label: 'share@20' });
    const swapped = (await read())['slice-item-popularity']!;
    assert.deepEqual(swapped.datasets.find((d) => d.label === 'popularity')!.data, itemSlices(popularity, 'share@20'));

    // the canvas was really painted (not just configured)
    const painted = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { getElementById(id: string): { width: number; height: number; getContext(t: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } } } }).document;
      const canvas = doc.getElementById('accuracy-ndcg');
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let p = 3; p < pixels.length; p += 4) if (pixels[p]! > 0) n++;
      return n / (pixels.length / 4);
    });
    assert.ok(painted > 0.02, `the NDCG chart has ink on ${(painted * 100).toFixed(1)}% of its pixels`);

    const path = await screenshot(page, 'report');
    assert.ok(path.endsWith('report.png'));
    assert.deepEqual(errors, [], 'no console errors');
    assert.deepEqual(requests, [], 'no network requests');
  } finally {
    await context.close();
  }
});
