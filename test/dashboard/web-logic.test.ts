import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

/**
 * The dashboard's pure helpers (web/src/*.ts without React), transpiled here as Vite would: the
 * dashboard is built by Vite, not by the project's tsc, so its modules are not in dist/.
 */
const dir = mkdtempSync(join(tmpdir(), 'unirec-web-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function load<T>(name: string): Promise<T> {
  const source = readFileSync(resolve('web/src', `${name}.ts`), 'utf8');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, js);
  return (await import(pathToFileURL(file).href)) as T;
}

// The modules' shapes, written here: importing their types would make tsc compile web/ into dist/.
interface MetricOrder {
  metricOrder(a: string, b: string): number;
  paramsText(params: Record<string, unknown>): string;
}
interface TimelineModule {
  timeline(perDay: { day: string; events: number }[]): { labels: string[]; values: number[]; unit: string; before: number; after: number };
}

test('the experiments table leads with NDCG, recall and AUC, K ascending; params read as key=value', async () => {
  const { metricOrder, paramsText } = await load<MetricOrder>('metric-order');
  const metrics = ['coverage@10', 'auc', 'recall@20', 'gini@10', 'ndcg@20', 'recall@10', 'ndcg@10', 'novelty@10', 'precision@10'];
  assert.deepEqual(metrics.sort(metricOrder), ['ndcg@10', 'ndcg@20', 'recall@10', 'recall@20', 'auc', 'precision@10', 'coverage@10', 'gini@10', 'novelty@10']);
  assert.equal(paramsText({ k: 50, weighting: 'bm25', retrievers: [{ model: 'als' }] }), 'k=50 weighting=bm25 retrievers=[{"model":"als"}]');
  assert.equal(paramsText({}), 'defaults');
});

test('the events chart is clipped to where the data is, and says what it left out', async () => {
  const { timeline } = await load<TimelineModule>('timeline');
  // MovieLens-like: two months of 1998 with 1000 events a day, one event at 1970 and three posted in 2026.
  const perDay = [{ day: '1970-01-01', events: 1 }];
  for (let d = 1; d <= 60; d++) perDay.push({ day: new Date(Date.UTC(1998, 0, d)).toISOString().slice(0, 10), events: 1000 });
  perDay.push({ day: '2026-12-04', events: 3 });
  const t = timeline(perDay);
  assert.equal(t.unit, 'day');
  assert.equal(t.labels[0], '1998-01-01');
  assert.equal(t.labels.at(-1), '1998-03-01');
  assert.equal(t.labels.length, 60);
  assert.deepEqual([t.before, t.after], [1, 3]);
  // Data without strays is shown whole, gaps as zeros.
  const whole = timeline([{ day: '2020-01-01', events: 5 }, { day: '2020-01-04', events: 5 }]);
  assert.deepEqual(whole.values, [5, 0, 0, 5]);
  assert.deepEqual([whole.before, whole.after], [0, 0]);
});
