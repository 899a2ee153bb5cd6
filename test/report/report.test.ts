import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { main } from '../../src/cli/main.js';
import type { EvaluationReport } from '../../src/eval/runner.js';
import type { ReportData } from '../../src/report/html.js';
import { readRuns, renderReport } from '../../src/report/index.js';
import { runFixture } from './fixture.js';

/** The report file without a browser: self-contained, holding the runs' numbers; bad input fails clearly. */

function embedded(html: string): ReportData {
  const m = /<script id="report-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m, 'the data is embedded as JSON');
  return JSON.parse(m[1]!) as ReportData;
}

/**
 * Runs a failing CLI call in-process (fast); returns the exit code and stderr. stdout is not captured:
 * node --test reports results through the test process's stdout.
 */
async function failing(...args: string[]): Promise<{ code: number; stderr: string }> {
  const write = process.stderr.write;
  let stderr = '';
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await main(['node', 'unirec', ...args]), stderr };
  } finally {
    process.stderr.write = write;
  }
}

test('unirec report writes one self-contained HTML file with the runs and their numbers', async () => {
  const fixture = await runFixture();
  const out = join(fixture.dir, 'nested', 'report.html');
  const r = spawnSync(process.execPath, ['bin/unirec.js', 'report', '--runs', ...fixture.files, '--out', out, '--title', 'Shop models'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^wrote .*report\.html \(3 runs, \d+ KB\)\n$/);
  const html = readFileSync(out, 'utf8');

  // offline: nothing is loaded from elsewhere, Chart.js is inlined, a CSP forbids any fetch
  assert.doesNotMatch(html, /<(script|img|iframe)[^>]*\ssrc\s*=/i, 'no src= on script/img/iframe');
  assert.doesNotMatch(html, /<link\b/i, 'no <link> (stylesheets, fonts, preloads)');
  assert.doesNotMatch(html, /\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i, 'no http(s) or protocol-relative src/href');
  assert.doesNotMatch(html, /url\(\s*["']?\s*(https?:)?\/\//i, 'no remote url() in CSS');
  assert.doesNotMatch(html, /@import/i);
  assert.match(html, /Chart\.js v4\.\d+\.\d+/, 'Chart.js is inlined');
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.doesNotMatch(html, /sourceMappingURL/);
  assert.match(html, /<title>Shop models<\/title>/);

  // the embedded runs are the evaluate JSON, number for number
  const data = embedded(html);
  assert.deepEqual(data.runs.map((x) => x.label), ['popularity', 'itemknn', 'content']);
  assert.deepEqual(data.runs.map((x) => x.source), [fixture.files[0], `${fixture.files[1]}:1`, `${fixture.files[2]}[0]`]);
  fixture.runs.forEach((run, i) => {
    assert.deepEqual(data.runs[i]!.metrics, run.metrics, `${run.model} metrics`);
    assert.deepEqual(data.runs[i]!.slices, run.slices, `${run.model} slices`);
    assert.deepEqual(data.runs[i]!.popularity_curve, run.popularity_curve, `${run.model} popularity curve`);
  });
  const chart = (id: string) => data.sections.flatMap((s) => s.charts).find((c) => c.id === id);
  const knn = fixture.runs[1]!;
  assert.deepEqual(chart('accuracy-recall')!.variants[0]!.datasets[1]!.data, [5, 10, 20].map((k) => knn.metrics[`recall@${k}`]));
  assert.deepEqual(
    data.sections.map((s) => s.id),
    ['accuracy', 'beyond', 'popularity-bias', 'slices', 'cold-start', 'time'],
  );
  // the summary table shows the reference-K numbers (4 decimals) and marks the best run
  assert.match(html, new RegExp(`<strong>${knn.metrics['ndcg@10']!.toFixed(4)}</strong>`));
  assert.ok(html.includes(fixture.runs[0]!.metrics['recall@10']!.toFixed(4)));
});

test('the evaluate JSON carries what the report plots: K list, popularity curve, slices, cold info', async () => {
  const { runs } = await runFixture();
  const [popularity, knn, cold] = runs as [EvaluationReport, EvaluationReport, EvaluationReport];
  for (const run of runs) {
    assert.deepEqual(run.ks, [5, 10, 20]);
    assert.equal(run.dataset, 'synthetic-shop');
    assert.ok(run.evaluated_users! > 0);
    const curve = run.popularity_curve!;
    assert.equal(curve.items.reduce((s, n) => s + n, 0), run.data.items, 'the buckets cover the catalogue');
    for (const k of ['5', '10', '20']) assert.ok(Math.abs(curve.recommended_share[k]!.reduce((s, x) => s + x, 0) - 1) < 1e-9);
  }
  // popularity recommends only the head; itemknn reaches further down the catalogue
  const tailShare = (r: EvaluationReport) => r.popularity_curve!.recommended_share['10']!.slice(1).reduce((s, x) => s + x, 0);
  assert.ok(tailShare(popularity) < tailShare(knn), `${tailShare(popularity)} < ${tailShare(knn)}`);
  assert.ok(popularity.popularity_curve!.recommended_share['10']![0]! > popularity.popularity_curve!.train_share[0]!, 'popularity is over-represented');
  assert.ok(cold.cold!.items! > 0);
});

test('labels tell runs of the same model apart, and markup in a name cannot break out of the page', async () => {
  const { runs, dir } = await runFixture();
  const knn = runs[1]!;
  const other = { ...knn, params: { ...knn.params, k: 10 }, model: 'itemknn' };
  const evil = { ...runs[0]!, model: '</script><script>window.hacked=1</script><!--' };
  const file = join(dir, 'more.json');
  writeFileSync(file, JSON.stringify([knn, other, evil]));
  const loaded = await readRuns([file]);
  assert.deepEqual(loaded.map((r) => r.label).slice(0, 2), ['itemknn · k=50', 'itemknn · k=10']);
  const html = renderReport(loaded);
  assert.ok(!html.includes('</script><script>window.hacked'), 'the name is escaped in the JSON and in the tables');
  assert.ok(html.includes('&lt;/script&gt;&lt;script&gt;window.hacked'), 'the table shows it as text');
  assert.equal(embedded(html).runs[2]!.model, evil.model, 'and the JSON still holds it exactly');
  assert.equal((html.match(/<\/script>/g) ?? []).length, 3, 'only the three scripts of the page end');
});

test('bad run files fail with the file and what is wrong', async () => {
  const { dir, runs } = await runFixture();
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const out = join(dir, 'never.html');
  const cases: [string, RegExp][] = [
    [join(dir, 'missing.json'), /missing\.json: no such file/],
    [write('broken.json', '{"model": "als",'), /broken\.json: not valid JSON/],
    [write('lines.jsonl', `${JSON.stringify(runs[0])}\nnot json\n`), /lines\.jsonl:2: not valid JSON/],
    [write('wrong.json', JSON.stringify({ ...runs[0], metrics: { ...runs[0]!.metrics, 'ndcg@10': 'high' } })), /wrong\.json: .*field "metrics\.ndcg@10": .*number/],
    [write('nomodel.json', JSON.stringify({ ...runs[0], model: undefined })), /nomodel\.json: .*field "model"/],
    [write('notime.json', JSON.stringify({ ...runs[0], fit_seconds: -1 })), /notime\.json: .*field "fit_seconds"/],
    [write('array.json', JSON.stringify([runs[0], { model: 'x' }])), /array\.json\[1\]: /],
    [write('empty.json', '[]'), /empty\.json: an empty array/],
    [write('blank.jsonl', '\n\n'), /blank\.jsonl: no evaluate results/],
    [write('curve.json', JSON.stringify({ ...runs[0], popularity_curve: { ...runs[0]!.popularity_curve, train_share: [1] } })), /curve\.json: .*popularity_curve.*one value per bucket/],
    [dir, /is a folder/],
  ];
  for (const [path, message] of cases) {
    const r = await failing('report', '--runs', path, '--out', out);
    assert.equal(r.code, 1, path);
    assert.match(r.stderr, /^unirec: error: /, path);
    assert.match(r.stderr, message, r.stderr);
  }
  const r = await failing('report', '--out', out);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--runs/);
  assert.throws(() => readFileSync(out), /ENOENT/, 'nothing is written on failure');
});
