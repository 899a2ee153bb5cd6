import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { trialLine } from '../../src/cli/tune.js';

const bin = resolve('bin/unirec.js');

test('tune shows each trial as "trial 3/20" with params as key=value', () => {
  assert.equal(
    trialLine({ trial: 3, params: { k: 50, shrink: 12.3456789, weighting: 'bm25' }, value: 0.123456, fit_seconds: 1 }, 20, 'ndcg@10'),
    'trial  3/20  ndcg@10 0.1235  k=50 shrink=12.35 weighting=bm25',
  );
  assert.match(trialLine({ trial: 20, params: {}, value: 1, fit_seconds: 1 }, 20, 'auc'), /^trial 20\/20 /);
});

test('report --out defaults to report.html in the current folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unirec-report-'));
  try {
    const run = spawnSync(process.execPath, [bin, 'evaluate', '--data', 'synthetic', '--model', 'popularity', '--k', '10', '--json'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    writeFileSync(join(dir, 'pop.json'), run.stdout);
    const r = spawnSync(process.execPath, [bin, 'report', '--runs', 'pop.json'], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^wrote report\.html \(1 run,/);
    assert.ok(existsSync(join(dir, 'report.html')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('models lists a param chosen from the data with its rule (ALS regularization)', () => {
  const r = spawnSync(process.execPath, [bin, 'models'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = `\n${r.stdout}`;
  const start = out.indexOf('\nals ');
  assert.ok(start >= 0, out);
  const als = out.slice(start, out.indexOf('\n', out.indexOf('regularization:', start)));
  assert.match(als, /"alpha":2/);
  assert.match(als, /regularization: from the data: \(1 \+ alpha\) \/ 3 x clamp\(mean events per user, 10, 30\)$/);
});
