import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluationTable } from '../../src/cli/tables.js';

test('evaluate prints a table that fits a terminal: a row per main metric, a column per K, the rest counted', () => {
  const metrics: Record<string, number> = { auc: 0.91234, gauc: 0.8 };
  for (const k of [5, 10, 20]) {
    for (const m of ['recall', 'precision', 'ndcg', 'map', 'mrr', 'hit', 'coverage', 'novelty', 'diversity', 'diversity_cf', 'popularity', 'gini']) {
      metrics[`${m}@${k}`] = k / 100 + m.length / 1000;
    }
  }
  const text = evaluationTable(metrics);
  const lines = text.split('\n');
  for (const line of lines) assert.ok(line.length <= 80, `"${line}" is ${line.length} columns`);
  const header = lines.find((l) => l.includes('metric'))!;
  assert.ok(header.indexOf('@5') < header.indexOf('@10') && header.indexOf('@10') < header.indexOf('@20'));
  const row = (name: string) => lines.find((l) => new RegExp(`^│ ${name}\\s`).test(l));
  assert.match(row('ndcg')!, /0\.0540.*0\.1040.*0\.2040/); // 'ndcg'.length = 4 -> k/100 + 0.004
  assert.match(row('auc')!, /0\.9123/);
  assert.ok(lines.findIndex((l) => l.startsWith('│ ndcg')) < lines.findIndex((l) => l.startsWith('│ recall')), 'NDCG leads');
  assert.equal(row('diversity_cf'), undefined);
  assert.match(lines.at(-1)!, /^\(3 more metrics.*--json has them all\)$/);
});
