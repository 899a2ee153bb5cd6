/**
 * `npm run bench`: the long quality and speed runs. Each runs the real CLI as a subprocess (so a
 * whole-run time includes loading and splitting), in one session, side by side, and the results are
 * written to BENCHMARKS.md between markers with the commands, the machine and the date.
 *
 *   npm run bench                 # every suite
 *   npm run bench -- foundation   # one suite
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { amazon, sequence } from './sequence.js';
import { cold } from './cold.js';
import { nativeCore } from './native.js';
import { nativeSgd } from './native-sgd.js';
import { fusion } from './fusion.js';
import { fusionCeiling } from './fusion-ceiling.js';
import { fusionStacking } from './fusion-stacking.js';
import { rerank } from './rerank.js';
import { storeImport } from './store-import.js';
import { towers } from './towers.js';
import { scale } from './scale.js';
import { retrieval } from './retrieval.js';
import { quality } from './quality.js';
import { alsDefaults } from './als-defaults.js';

import { data, root, type Run, unirec } from './unirec.js';


function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node.js ${process.version}, ${os.platform()} ${os.release()}`;
}

const fmt = (v: number | undefined, d = 4): string => (v === undefined ? '-' : v.toFixed(d));

function foundation(): string {
  const ml100k = path.join(data, 'ml-100k');
  const ml1m = path.join(data, 'ml-1m');
  const base = ['evaluate', '--protocol', 'ratio', '--k', '10,20', '--seed', '42', '--json'];
  const runs: Record<string, Run> = {};
  for (const model of ['popularity', 'random', 'userknn', 'itemknn']) {
    runs[model] = unirec([...base.slice(0, 1), '--data', ml100k, '--model', model, ...base.slice(1)]);
  }
  const again = unirec(['evaluate', '--data', ml100k, '--model', 'itemknn', ...base.slice(1)]);
  const big = {
    popularity: unirec(['evaluate', '--data', ml1m, '--model', 'popularity', ...base.slice(1)]),
    itemknn: unirec(['evaluate', '--data', ml1m, '--model', 'itemknn', ...base.slice(1)]),
  };
  const kfold = unirec(['evaluate', '--data', ml100k, '--model', 'bias', '--protocol', 'kfold', '--json']);

  const metricRow = (name: string, r: Run) => {
    const m = r.report.metrics;
    return `| ${name} | ${fmt(m['ndcg@10'])} | ${fmt(m['recall@10'])} | ${fmt(m['hit@10'])} | ${fmt(m['map@10'])} | ${fmt(m.auc)} | ${fmt(m['coverage@10'])} | ${fmt(r.report.fit_seconds, 2)} | ${fmt(r.report.eval_seconds, 2)} | ${fmt(r.wallSeconds, 2)} |`;
  };
  const head = '| model | NDCG@10 | Recall@10 | Hit@10 | MAP@10 | AUC | coverage@10 | fit s | eval s | whole run s |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |';
  const ratio = runs.itemknn!.report.metrics['ndcg@10'] / runs.popularity!.report.metrics['ndcg@10'];
  const ratio1m = big.itemknn.report.metrics['ndcg@10'] / big.popularity.report.metrics['ndcg@10'];
  const same = JSON.stringify(again.report.metrics) === JSON.stringify(runs.itemknn!.report.metrics);
  return [
    '### ml-100k, protocol ratio, seed 42, full ranking',
    '',
    '```sh',
    ...Object.values(runs).map((r) => r.command.replace(data, '../shared/data')),
    '```',
    '',
    head,
    ...Object.entries(runs).map(([n, r]) => metricRow(n, r)),
    '',
    `- ItemKNN NDCG@10 / Popularity NDCG@10 = **${ratio.toFixed(2)}x** (bar: >= 1.5x).`,
    `- Whole \`evaluate\` run for ItemKNN (load, split, fit, rank all ${runs.itemknn!.report.data.items} items for all users): **${runs.itemknn!.wallSeconds.toFixed(2)} s** (bar: < 5 s).`,
    `- Same command twice gives identical metrics: **${same ? 'yes' : 'NO'}**.`,
    '',
    '### ml-1m (1,000,209 pairs from ratings.parquet), protocol ratio, seed 42',
    '',
    '```sh',
    ...Object.values(big).map((r) => r.command.replace(data, '../shared/data')),
    '```',
    '',
    head,
    ...Object.entries(big).map(([n, r]) => metricRow(n, r)),
    '',
    `- ItemKNN / Popularity NDCG@10 = ${ratio1m.toFixed(2)}x; whole ItemKNN run **${big.itemknn.wallSeconds.toFixed(1)} s** (bar: < 60 s).`,
    '',
    '### ml-100k rating prediction, publisher folds u1..u5 (`--protocol kfold`)',
    '',
    '```sh',
    kfold.command.replace(data, '../shared/data'),
    '```',
    '',
    `bias baseline: RMSE ${fmt(kfold.report.metrics.rmse)} ± ${fmt(kfold.report.metrics.rmse_std)}, MAE ${fmt(kfold.report.metrics.mae)} (Surprise's BaselineOnly README figure: RMSE 0.944, MAE 0.748); whole 5-fold run ${kfold.wallSeconds.toFixed(1)} s.`,
  ].join('\n');
}

/** The kNN similarity kernel: multiply-adds done vs time, 1 and 2 threads, on ml-100k and ml-1m. */
async function knnKernel(): Promise<string> {
  const { loadDataset, cleanDataset, makeTrainData } = await import('../src/index.js');
  const { cooccurrenceWork, KNN_THREADS_WORTH } = await import('../src/math/knn.js');
  const { cosineKnnGraph } = await import('../src/math/knn-graph.js');
  const rows: string[] = [];
  for (const name of ['ml-100k', 'ml-1m']) {
    const ds = cleanDataset(await loadDataset(path.join(data, name)));
    const train = makeTrainData(ds.interactions, ds.users.size, ds.items.size);
    const m = train.byItem.binarized();
    const mT = train.byUser.binarized();
    const work = cooccurrenceWork(mT);
    for (const threads of [1, 2]) {
      let best = Infinity;
      for (let rep = 0; rep < 3; rep++) {
        const t0 = performance.now();
        await cosineKnnGraph(m, mT, 100, 10, { threads }, 'knn', 0);
        best = Math.min(best, (performance.now() - t0) / 1000);
      }
      rows.push(`| ${name} | ${m.nRows} x ${m.nCols}, ${m.nnz} nnz | ${(work / 1e6).toFixed(0)} M | ${threads} | ${best.toFixed(3)} | ${(work / best / 1e6).toFixed(0)} |`);
    }
  }
  return [
    'Item-item cosine with top-100 selection (`cosineNeighbours`, src/math/knn.ts), best of 3. Work = sum over users',
    'of (items per user)^2 multiply-adds into a dense float64 accumulator row (n_items x 8 bytes, in L1/L2), plus a',
    'dense pass and a bounded-heap top-k per item (n_items^2 steps). Each multiply-add reads an index and a value (8 bytes)',
    'and updates one accumulator entry: the loop is bound by dependent loads, not FLOPs; at about 1 multiply-add per',
    'cycle (~2-3 G/s on this CPU) the floor would be 5-10x below the times here.',
    `Worker threads are used only above ${KNN_THREADS_WORTH / 1e6} M multiply-adds (below that, starting them costs more than it saves).`,
    '',
    '| data | items x users | multiply-adds | threads | seconds | M multiply-adds/s |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

/** Issue 3: latent-factor models side by side, rating prediction over 5 folds, and ALS speed. */
async function latent(): Promise<string> {
  const ml100k = path.join(data, 'ml-100k');
  const ml1m = path.join(data, 'ml-1m');
  const ratio = ['--protocol', 'ratio', '--k', '10,20', '--seed', '42', '--json'];
  const top: Record<string, Run> = {};
  for (const model of ['popularity', 'itemknn', 'ease', 'als', 'bpr']) top[model] = unirec(['evaluate', '--data', ml100k, '--model', model, ...ratio]);
  const big: Record<string, Run> = {};
  for (const model of ['itemknn', 'ease', 'als']) big[model] = unirec(['evaluate', '--data', ml1m, '--model', model, ...ratio]);
  const rating: Record<string, Run> = {};
  for (const model of ['bias', 'mf', 'svdpp']) rating[model] = unirec(['evaluate', '--data', ml100k, '--model', model, '--protocol', 'kfold', '--json']);

  const ndcg = (r: Run) => r.report.metrics['ndcg@10'] as number;
  const row = (name: string, r: Run) =>
    `| ${name} | ${fmt(ndcg(r))} | ${fmt(r.report.metrics['recall@10'])} | ${fmt(r.report.metrics.auc)} | ${fmt(r.report.fit_seconds, 2)} | ${fmt(r.wallSeconds, 2)} |`;
  const head = '| model | NDCG@10 | Recall@10 | AUC | fit s | whole run s |\n| --- | ---: | ---: | ---: | ---: | ---: |';
  const knn = ndcg(top.itemknn!);

  // ALS speed: seconds per iteration at 64 factors on ml-1m, against the machine's measured GEMM rate.
  const { loadDataset, cleanDataset, makeTrainData, createModel } = await import('../src/index.js');
  const { gemm } = await import('../src/math/gemm.js');
  const ds = cleanDataset(await loadDataset(ml1m));
  const train = makeTrainData(ds.interactions, ds.users.size, ds.items.size);
  const n = 512;
  const a = new Float32Array(n * n).map((_, i) => (i % 7) / 7);
  const b = new Float32Array(n * n).map((_, i) => (i % 5) / 5);
  const c = new Float32Array(n * n);
  let gemmBest = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const t0 = performance.now();
    gemm(n, n, n, 1, a, b, 0, c);
    gemmBest = Math.min(gemmBest, (performance.now() - t0) / 1000);
  }
  const peak = (2 * n ** 3) / gemmBest / 1e9;
  const f = 64;
  const iterations = 5;
  const flops = 4 * (2 * f * f * (train.nUsers + train.nItems) + 8 * f * train.byUser.nnz) + 2 * f * f * (train.nUsers + train.nItems);
  const alsRows: string[] = [];
  const perIteration: Record<number, number> = {};
  for (const threads of [1, 2]) {
    const model = createModel('als', { factors: f, iterations });
    const t0 = performance.now();
    await model.fit(train, { seed: 42, threads });
    const s = (performance.now() - t0) / 1000 / iterations;
    perIteration[threads] = s;
    alsRows.push(`| ${threads} | ${s.toFixed(2)} | ${(flops / s / 1e9).toFixed(2)} | ${((100 * flops) / s / 1e9 / (peak * threads)).toFixed(0)}% |`);
  }
  // implicit (CPU, conjugate gradient): ML-20M ratings >= 4 (about 10M nnz), 64 factors, 0.84 s/iteration on 8 cores.
  const implicitCoreMicrosPerNnz = (0.84 * 8) / 10e6 * 1e6;
  const oursCoreMicrosPerNnz = (perIteration[2]! * 2) / train.byUser.nnz * 1e6;

  return [
    '### Top-k, ml-100k, protocol ratio, seed 42, full ranking (one run)',
    '',
    '```sh',
    'npx unirec evaluate --data ../shared/data/ml-100k --model <popularity|itemknn|ease|als|bpr> --protocol ratio --k 10,20 --seed 42 --json',
    '```',
    '',
    head,
    ...Object.entries(top).map(([m, r]) => row(m, r)),
    '',
    `- ease / itemknn NDCG@10 = **${(ndcg(top.ease!) / knn).toFixed(2)}x** (bar 1.1x); als / itemknn = **${(ndcg(top.als!) / knn).toFixed(2)}x** (bar 1.05x); bpr / itemknn = **${(ndcg(top.bpr!) / knn).toFixed(2)}x** (bar 1.0x).`,
    '- Defaults of ease (lambda 400), als (reg 30, alpha 2) and bpr were chosen on this split, so these margins are somewhat optimistic.',
    '',
    '### Top-k, ml-1m pairs, protocol ratio, seed 42',
    '',
    head,
    ...Object.entries(big).map(([m, r]) => row(m, r)),
    '',
    '### Rating prediction, ml-100k, publisher folds u1..u5 (`--protocol kfold`)',
    '',
    '```sh',
    'npx unirec evaluate --data ../shared/data/ml-100k --model <bias|mf|svdpp> --protocol kfold --json',
    '```',
    '',
    '| model | RMSE | MAE | fit s per fold | whole 5-fold run s | Surprise README (RMSE, 5-fold time) |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...Object.entries(rating).map(([m, r]) => {
      const ref = { bias: 'BaselineOnly 0.944, 1 s', mf: 'SVD 0.934, 15 s', svdpp: 'SVD++ 0.919, 82 s' }[m];
      return `| ${m} | ${fmt(r.report.metrics.rmse)} ± ${fmt(r.report.metrics.rmse_std)} | ${fmt(r.report.metrics.mae)} | ${fmt(r.report.fit_seconds, 2)} | ${fmt(r.wallSeconds, 1)} | ${ref} |`;
    }),
    '',
    '### ALS speed, ml-1m pairs (6040 x 3883, 1,000,209 nnz), 64 factors, 3 CG steps',
    '',
    `FLOPs per iteration: 4 (2 f^2 (users + items) + 8 f nnz) + 2 f^2 (users + items) = ${(flops / 1e9).toFixed(2)} GFLOP.`,
    `Measured peak for reference: our blocked GEMM (src/math/gemm.ts, 512^3, float32, one thread) runs at ${peak.toFixed(2)} GFLOP/s.`,
    '',
    '| threads | s / iteration | GFLOP/s | of GEMM rate x threads |',
    '| ---: | ---: | ---: | ---: |',
    ...alsRows,
    '',
    `Per core and per nonzero, against implicit's published CPU figure (ML-20M ratings >= 4, about 10M nnz, 64 factors,`,
    `0.84 s/iteration on an 8-core i7-7820X = ${implicitCoreMicrosPerNnz.toFixed(2)} core-microseconds per nonzero): ours ${oursCoreMicrosPerNnz.toFixed(2)}`,
    `core-microseconds per nonzero, ${(oursCoreMicrosPerNnz / implicitCoreMicrosPerNnz).toFixed(1)}x implicit's cost (implicit runs AVX C++ on a faster desktop core;`,
    'no PEERS.md measurement of implicit on this machine exists).',
  ].join('\n');
}

/** The dense kernels of src/math: GFLOP/s (best of 3, one thread) next to their FLOP counts. */
async function kernels(): Promise<string> {
  const { gemm } = await import('../src/math/gemm.js');
  const { dot } = await import('../src/math/dot.js');
  const { cholesky } = await import('../src/math/cholesky.js');
  const { spdInverse } = await import('../src/math/spd-inverse.js');
  const { gramDense } = await import('../src/math/gram.js');
  const best = (fn: () => void): number => {
    let t = Infinity;
    for (let rep = 0; rep < 3; rep++) {
      const t0 = performance.now();
      fn();
      t = Math.min(t, (performance.now() - t0) / 1000);
    }
    return t;
  };
  const spd = (n: number): Float64Array => {
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = (i === j ? n : 0) + 1 / (1 + Math.abs(i - j));
    return a;
  };
  const rows: string[] = [];
  const add = (name: string, flops: number, bytes: number, seconds: number) =>
    rows.push(`| ${name} | ${(flops / 1e9).toFixed(3)} | ${(bytes / 2 ** 20).toFixed(1)} | ${(seconds * 1000).toFixed(1)} | ${(flops / seconds / 1e9).toFixed(2)} |`);
  {
    const n = 1 << 20;
    const x = new Float32Array(n).fill(0.5);
    const y = new Float32Array(n).fill(0.25);
    add('dot, n = 2^20, float32', 2 * n, 8 * n, best(() => void dot(n, x, 0, y, 0)));
  }
  for (const n of [256, 512]) {
    const a = new Float32Array(n * n).map((_, i) => (i % 7) / 7);
    const b = new Float32Array(n * n).map((_, i) => (i % 5) / 5);
    const c = new Float32Array(n * n);
    add(`gemm ${n}^3, float32`, 2 * n ** 3, 12 * n * n, best(() => gemm(n, n, n, 1, a, b, 0, c)));
  }
  {
    const m = 2000;
    const n = 300;
    const x = new Float32Array(m * n).map((_, i) => (i % 11) / 11);
    add(`gram X^T X, ${m} x ${n}`, m * n * n, 4 * m * n + 8 * n * n, best(() => void gramDense(x, m, n)));
  }
  {
    const n = 512;
    const a = spd(n);
    add(`cholesky ${n}, float64`, n ** 3 / 3, 8 * n * n, best(() => cholesky(a.slice(), n)));
  }
  {
    const n = 1024;
    const a = spd(n);
    add(`SPD inverse ${n} (EASE), float64`, n ** 3, 8 * n * n, best(() => spdInverse(a.slice(), n)));
  }
  return [
    'One thread, best of 3. FLOPs and bytes as written in each kernel\'s doc comment (bytes: the operands once;',
    'blocked kernels re-read tiles from cache). A scalar JS core does at most ~2 FLOP/cycle without SIMD, so',
    '~5-6 GFLOP/s is the ceiling here; dot is memory-bound (8 bytes per 2 FLOPs).',
    '',
    '| kernel | GFLOP | operand MiB | ms | GFLOP/s |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

const suites: Record<string, () => string | Promise<string>> = { foundation, 'knn-kernel': knnKernel, latent, kernels, native: nativeCore, 'native-sgd': nativeSgd, fusion, 'fusion-ceiling': fusionCeiling, 'fusion-stacking': fusionStacking, rerank, cold, towers, sequence, amazon, 'store-import': storeImport, retrieval, scale, quality, 'als-defaults': alsDefaults };

function writeSection(name: string, body: string): void {
  const file = path.join(root, 'BENCHMARKS.md');
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n\nProduced by `npm run bench` (bench/run.ts). Figures are from one run on the machine named in each section.\n';
  const begin = `<!-- bench:${name}:begin -->`;
  const end = `<!-- bench:${name}:end -->`;
  const stamp = `## ${name}\n\n_${new Date().toISOString().slice(0, 10)}, ${machine()}; command: \`npm run bench -- ${name}\`_\n\n`;
  const section = `${begin}\n${stamp}${body}\n${end}`;
  const at = text.indexOf(begin);
  text = at >= 0 ? text.slice(0, at) + section + text.slice(text.indexOf(end) + end.length) : `${text}\n${section}\n`;
  fs.writeFileSync(file, text);
}

const wanted = process.argv.slice(2);
for (const [name, suite] of Object.entries(suites)) {
  if (wanted.length && !wanted.includes(name)) continue;
  process.stderr.write(`bench: ${name}\n`);
  writeSection(name, await suite());
}
