/**
 * `npm run bench -- native`: the native core (native/*.cc) against the scalar JS reference, kernel by
 * kernel (FLOPs, bytes, GFLOP/s, share of the measured FMA peak), then the model-level figures of
 * issue 18 through the real CLI, each model run with the native core and with UNIREC_NATIVE=0 back to
 * back, so the metrics show the speed came without a quality change.
 */
import os from 'node:os';
import path from 'node:path';
import { data, type Run, unirec } from './unirec.js';

const best = async (f: () => unknown, reps = 3): Promise<number> => {
  let b = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await f();
    b = Math.min(b, (performance.now() - t0) / 1000);
  }
  return b;
};

export async function nativeCore(): Promise<string> {
  const { native, nativeStatus } = await import('../src/math/native.js');
  const { gemm } = await import('../src/math/gemm.js');
  const { gramDense, gramSparse } = await import('../src/math/gram.js');
  const { spdInverse } = await import('../src/math/spd-inverse.js');
  const { alsScratch, implicitAlsRows } = await import('../src/math/implicit-als.js');
  const { loadDataset, cleanDataset, makeTrainData } = await import('../src/index.js');
  const nat = native();
  if (!nat) return `The native core is not available here (${nativeStatus()}); nothing to compare.`;

  // the peak: 12 independent chains of 4-wide float64 FMAs per thread, best of 40 runs of ~10 ms (short
  // runs, so one of them finds the cores free on this shared machine)
  const peak = (threads: number): number => {
    let b = 0;
    for (let r = 0; r < 40; r++) {
      const [s, f] = nat.fmaPeak(4e6, threads);
      b = Math.max(b, f / s / 1e9);
    }
    return b;
  };
  const peak1 = peak(1);
  const peak2 = peak(2);

  const rows: string[] = [];
  const add = (kernel: string, threads: number, flops: number, bytes: number, js: number | undefined, nt: number, f32 = false): void => {
    const p = (threads === 1 ? peak1 : peak2) * (f32 ? 2 : 1);
    const g = (s: number) => flops / s / 1e9;
    rows.push(
      `| ${kernel} | ${threads} | ${(flops / 1e9).toFixed(3)} | ${(bytes / 2 ** 20).toFixed(1)} | ${js === undefined ? '-' : (js * 1000).toFixed(1)} | ${js === undefined ? '-' : g(js).toFixed(2)} | ${(nt * 1000).toFixed(1)} | ${g(nt).toFixed(1)} | ${((100 * g(nt)) / p).toFixed(0)}% | ${js === undefined ? '-' : `${(js / nt).toFixed(1)}x`} |`,
    );
  };
  const rand = (n: number, Ctor: Float32ArrayConstructor | Float64ArrayConstructor = Float64Array) => {
    const a = new Ctor(n);
    for (let i = 0; i < n; i++) a[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
    return a;
  };

  for (const n of [512]) {
    const a = rand(n * n, Float32Array) as Float32Array;
    const b = rand(n * n, Float32Array) as Float32Array;
    const c = new Float32Array(n * n);
    add(`sgemm ${n}^3 (A B)`, 1, 2 * n ** 3, 12 * n * n, await best(() => gemm(n, n, n, 1, a, b, 0, c)), await best(() => nat.sgemm(false, false, n, n, n, 1, a, n, b, n, 0, c, n, 1)), true);
    const a64 = rand(n * n) as Float64Array;
    const b64 = rand(n * n) as Float64Array;
    const c64 = new Float64Array(n * n);
    add(`dgemm ${n}^3 (A B)`, 1, 2 * n ** 3, 24 * n * n, await best(() => gemm(n, n, n, 1, a64, b64, 0, c64)), await best(() => nat.dgemm(false, false, n, n, n, 1, a64, n, b64, n, 0, c64, n, 1)));
    add(`dgemm ${n}^3 (A^T B^T)`, 1, 2 * n ** 3, 24 * n * n, await best(() => gemm(n, n, n, 1, a64, b64, 0, c64, true, true)), await best(() => nat.dgemm(true, true, n, n, n, 1, a64, n, b64, n, 0, c64, n, 1)));
  }
  {
    const n = 2048;
    const a = rand(n * n) as Float64Array;
    const c = new Float64Array(n * n);
    for (const threads of [1, 2]) add(`dgemm ${n}^3 (A A^T)`, threads, 2 * n ** 3, 24 * n * n, undefined, await best(() => nat.dgemm(false, true, n, n, n, 1, a, n, a, n, 0, c, n, threads), 2));
  }
  {
    const m = 6040;
    const f = 64;
    const x = rand(m * f, Float32Array) as Float32Array;
    const out = new Float64Array(f * f);
    const x64 = Float64Array.from(x);
    add(`gram X^T X, ${m} x ${f} (ALS)`, 1, 2 * m * f * f, 4 * m * f + 8 * f * f, await best(() => gramDense(x, m, f, out)), await best(() => nat.dgemm(true, false, f, f, m, 1, x64, f, x64, f, 0, out, f, 1)));
  }
  const spd = (n: number): Float64Array => {
    const x = rand(n * 64) as Float64Array;
    const g = new Float64Array(n * n);
    nat.dgemm(false, true, n, n, 64, 1, x, 64, x, 64, 0, g, n, 2);
    for (let i = 0; i < n; i++) g[i * n + i]! += 10;
    return g;
  };
  {
    const n = 1536;
    const g = spd(n);
    add(`SPD inverse ${n}, float64`, 1, n ** 3, 8 * n * n, await best(() => spdInverse(g.slice(), n), 1), await best(() => nat.spdInverse(g.slice(), n, 1)));
    const n2 = 3706;
    const g2 = spd(n2);
    for (const threads of [1, 2]) add(`SPD inverse ${n2} (EASE ml-1m), float64`, threads, n2 ** 3, 8 * n2 * n2, undefined, await best(() => nat.spdInverse(g2.slice(), n2, threads), 2));
  }

  // kernels on ml-1m's real interactions (all of them: the whole file, not a split)
  const ds = cleanDataset(await loadDataset(path.join(data, 'ml-1m')));
  const train = makeTrainData(ds.interactions, ds.users.size, ds.items.size);
  const { byUser, byItem, nUsers, nItems } = train;
  {
    let work = 0;
    for (let u = 0; u < nUsers; u++) work += byUser.rowLength(u) * (byUser.rowLength(u) + 1) / 2;
    const g = new Float64Array(nItems * nItems);
    add(`sparse Gram X^T X, ml-1m (${(work / 1e6).toFixed(0)} M adds)`, 1, work, 12 * work, await best(() => gramSparse(byUser, byItem, true), 1), await best(() => nat.gramSparse(byUser.indptr, byUser.indices, byUser.data, byItem.indptr, byItem.indices, byItem.data, nUsers, nItems, true, g, 1)));
    add(`sparse Gram X^T X, ml-1m`, 2, work, 12 * work, undefined, await best(() => nat.gramSparse(byUser.indptr, byUser.indices, byUser.data, byItem.indptr, byItem.indices, byItem.data, nUsers, nItems, true, g, 2)));
  }
  {
    const f = 64;
    const users = rand(nUsers * f, Float32Array) as Float32Array;
    const items = rand(nItems * f, Float32Array) as Float32Array;
    const yty = new Float64Array(f * f);
    gramDense(items, nItems, f, yty);
    for (let k = 0; k < f; k++) yty[k * f + k]! += 30;
    const nnz = byUser.indptr[nUsers]!;
    // (cgSteps + 1) (2 f^2 + 4 f n_u) + 10 f cgSteps per row, 3 CG steps
    const flops = 4 * (2 * f * f * nUsers + 4 * f * nnz) + 30 * f * nUsers;
    const bytes = 4 * f * nnz + 8 * f * nnz * 4;
    const u0 = users.slice();
    const js = await best(() => {
      users.set(u0);
      implicitAlsRows(byUser, users, items, yty, f, 2, 3, true, 0, nUsers, alsScratch(f));
    }, 1);
    for (const threads of [1, 2]) {
      add(`ALS user half-sweep, ml-1m, f 64, 3 CG`, threads, flops, bytes, threads === 1 ? js : undefined, await best(() => {
        users.set(u0);
        nat.alsRows(byUser.indptr, byUser.indices, byUser.data, users, items, yty, f, 2, 3, true, 0, 0, nUsers, nItems, threads);
      }));
    }
  }
  {
    // EASE scoring: every user's history rows of a dense n x n float32 B, summed
    const n = nItems;
    const b = rand(n * n, Float32Array) as Float32Array;
    const nnz = byUser.indptr[nUsers]!;
    const all = Int32Array.from({ length: nUsers }, (_, u) => u);
    const block = 32;
    const out = new Float32Array(block * n);
    const js = await best(() => {
      for (let u = 0; u < nUsers; u++) {
        const o = out.subarray(0, n);
        o.fill(0);
        for (let p = byUser.indptr[u]!; p < byUser.indptr[u + 1]!; p++) {
          const row = byUser.indices[p]! * n;
          for (let i = 0; i < n; i++) o[i]! += b[row + i]!;
        }
      }
    }, 1);
    const nt = await best(() => {
      for (let u0 = 0; u0 < nUsers; u0 += block) nat.spmmRows(byUser.indptr, byUser.indices, byUser.data, true, b, n, n, all.subarray(u0, Math.min(nUsers, u0 + block)), out, 1);
    }, 2);
    add(`EASE scoring, all ml-1m users (sparse x dense)`, 1, 2 * nnz * n, 4 * nnz * n, js, nt, true);
  }
  {
    // ALS scoring: users x items^T, float32 GEMM in blocks of 32 users
    const f = 64;
    const U = rand(nUsers * f, Float32Array) as Float32Array;
    const V = rand(nItems * f, Float32Array) as Float32Array;
    const { scoreRows } = await import('../src/math/factors.js');
    const out = new Float32Array(32 * nItems);
    const js = await best(() => {
      for (let u = 0; u < nUsers; u++) scoreRows(V, f, U, u * f, out.subarray(0, nItems));
    }, 1);
    const nt = await best(() => {
      for (let u0 = 0; u0 < nUsers; u0 += 32) {
        const m = Math.min(32, nUsers - u0);
        nat.sgemm(false, true, m, nItems, f, 1, U.subarray(u0 * f), f, V, f, 0, out, nItems, 1);
      }
    }, 2);
    add(`factor scoring, all ml-1m users x items, f 64`, 1, 2 * f * nUsers * nItems, 4 * f * (nUsers + nItems) + 4 * nUsers * nItems, js, nt, true);
  }

  {
    // one SGD epoch of biased MF on ml-100k's 100k ratings, 100 factors: the JS loop of models/mf.ts vs mfEpoch
    const ds100k = cleanDataset(await loadDataset(path.join(data, 'ml-100k')));
    const x = ds100k.interactions;
    const n = x.length;
    const nu = ds100k.users.size;
    const ni = ds100k.items.size;
    const f = 100;
    const order = Int32Array.from({ length: n }, (_, r) => (r * 7919) % n);
    const P = rand(nu * f, Float32Array) as Float32Array;
    const Q = rand(ni * f, Float32Array) as Float32Array;
    const bu = new Float32Array(nu);
    const bi = new Float32Array(ni);
    const [mu, lr, reg] = [3.5, 0.005, 0.02];
    const js = await best(() => {
      for (let t = 0; t < n; t++) {
        const r = order[t]!;
        const u = x.user[r]!;
        const i = x.item[r]!;
        let dot = 0;
        for (let k = 0; k < f; k++) dot += P[u * f + k]! * Q[i * f + k]!;
        const err = x.value[r]! - (mu + bu[u]! + bi[i]! + dot);
        bu[u] = bu[u]! + lr * (err - reg * bu[u]!);
        bi[i] = bi[i]! + lr * (err - reg * bi[i]!);
        for (let k = 0; k < f; k++) {
          const pk = P[u * f + k]!;
          const qk = Q[i * f + k]!;
          P[u * f + k] = pk + lr * (err * qk - reg * pk);
          Q[i * f + k] = qk + lr * (err * pk - reg * qk);
        }
      }
    });
    const nt = await best(() => nat.mfEpoch(order, x.user, x.item, x.value, P, Q, bu, bi, f, mu, lr, reg, true, nu, ni));
    // FLOPs per rating 8 f + 10; bytes: the two factor rows read and written (16 f)
    add(`mf SGD epoch, ml-100k, 100 factors`, 1, n * (8 * f + 10), n * 16 * f, js, nt, true);
  }

  // model level, through the CLI, native then JS back to back
  const ml1m = path.join(data, 'ml-1m');
  const ml100k = path.join(data, 'ml-100k');
  const base = ['--protocol', 'ratio', '--k', '10', '--seed', '42', '--threads', '2', '--json'];
  const js = (args: string[]): Run => {
    process.env.UNIREC_NATIVE = '0';
    try {
      return unirec(args);
    } finally {
      delete process.env.UNIREC_NATIVE;
    }
  };
  const alsArgs = ['evaluate', '--data', ml1m, '--model', 'als', ...base];
  const easeArgs = ['evaluate', '--data', ml1m, '--model', 'ease', '--params', '{"lambda":250}', ...base];
  const mfArgs = ['evaluate', '--data', ml100k, '--model', 'mf', '--protocol', 'kfold', '--params', '{"factors":100,"epochs":20,"learningRate":0.005,"regularization":0.02}', '--json'];
  const runs = {
    als: [unirec(alsArgs), js(alsArgs)],
    ease: [unirec(easeArgs), js(easeArgs)],
    mf: [unirec(mfArgs), js(mfArgs)],
  };
  const m = (r: Run, k: string) => (r.report.metrics[k] as number).toFixed(6);
  const fit = (r: Run) => r.report.fit_seconds as number;
  const ev = (r: Run) => r.report.eval_seconds as number;
  const iters = 15;
  const [alsN, alsJ] = runs.als;
  const [easeN, easeJ] = runs.ease;
  const [mfN, mfJ] = runs.mf;
  const same = (a: Run, b: Run, keys: string[]) => keys.every((k) => Math.abs(a.report.metrics[k] - b.report.metrics[k]) <= 1e-4);
  const load = os.loadavg().map((v) => v.toFixed(1)).join(', ');
  return [
    `Kernels run on: **${nativeStatus()}**. Measured peak (native/kernels.inc \`fmaPeak\`: 12 independent chains of 4-wide`,
    `float64 FMAs per thread, kept in registers, best of 40 runs of 0.19 GFLOP each): **${peak1.toFixed(1)} GFLOP/s on 1 thread,`,
    `${peak2.toFixed(1)} on 2** (float32 peak: twice that). Share of peak uses the float64 figure, doubled for float32 kernels.`,
    'JS = the scalar reference kernels of src/math (1 thread); best of 3 (1-2 for the long ones). Bytes: the operands once.',
    '',
    '| kernel | threads | GFLOP | operand MiB | JS ms | JS GFLOP/s | native ms | native GFLOP/s | of peak | native / JS |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    'The sparse Gram and the two scoring kernels are bound by memory and scattered loads, not by FMAs (their "of peak"',
    'counts one FLOP per add): the Gram does one scattered read-modify-write per co-occurrence, EASE scoring streams',
    '4 bytes of B per multiply-add from L2/L3.',
    '',
    '### Models, native core vs UNIREC_NATIVE=0, back to back (2 threads)',
    '',
    '```sh',
    alsN.command.replaceAll(data, '../shared/data'),
    easeN.command.replaceAll(data, '../shared/data'),
    mfN.command.replaceAll(data, '../shared/data'),
    '# and each again with UNIREC_NATIVE=0',
    '```',
    '',
    '| work | peer (PEERS.md) | native | JS | native / peer | metrics native / JS |',
    '| --- | --- | ---: | ---: | ---: | --- |',
    `| ALS ml-1m, 64 factors, 3 CG steps, s per iteration (fit / ${iters}) | implicit 0.403-0.431 | ${(fit(alsN) / iters).toFixed(3)} | ${(fit(alsJ) / iters).toFixed(3)} | ${(fit(alsN) / iters / 0.431).toFixed(2)}x | NDCG@10 ${m(alsN, 'ndcg@10')} / ${m(alsJ, 'ndcg@10')}, Recall@10 ${m(alsN, 'recall@10')} / ${m(alsJ, 'recall@10')} |`,
    `| ALS ml-1m, full-ranking evaluation s | | ${ev(alsN).toFixed(2)} | ${ev(alsJ).toFixed(2)} | | |`,
    `| EASE ml-1m fit (lambda 250: sparse Gram + dense inverse) | numpy/OpenBLAS 3.0-4.3 | ${fit(easeN).toFixed(2)} | ${fit(easeJ).toFixed(2)} | ${(fit(easeN) / 3.0).toFixed(2)}x of 3.0 | NDCG@10 ${m(easeN, 'ndcg@10')} / ${m(easeJ, 'ndcg@10')}, Recall@10 ${m(easeN, 'recall@10')} / ${m(easeJ, 'recall@10')} |`,
    `| EASE ml-1m whole evaluate, fit + eval s | RecBole 12.6 + 8.6 = 21.2 | ${fit(easeN).toFixed(2)} + ${ev(easeN).toFixed(2)} | ${fit(easeJ).toFixed(2)} + ${ev(easeJ).toFixed(2)} | ${((fit(easeN) + ev(easeN)) / 21.2).toFixed(2)}x | whole run ${easeN.wallSeconds.toFixed(1)} s / ${easeJ.wallSeconds.toFixed(1)} s |`,
    `| mf ml-100k, 100 factors, 20 epochs, fit s per fold (5 folds) | Surprise SVD 0.89-1.15 | ${fit(mfN).toFixed(3)} | ${fit(mfJ).toFixed(3)} | ${(fit(mfN) / 0.89).toFixed(2)}x of 0.89 | RMSE ${m(mfN, 'rmse')} / ${m(mfJ, 'rmse')}, MAE ${m(mfN, 'mae')} / ${m(mfJ, 'mae')} |`,
    '',
    `- Metrics equal within 1e-4 (native vs JS): ALS ${same(alsN, alsJ, ['ndcg@10', 'recall@10']) ? 'yes' : 'NO'}, EASE ${same(easeN, easeJ, ['ndcg@10', 'recall@10']) ? 'yes' : 'NO'}, mf ${same(mfN, mfJ, ['rmse', 'mae']) ? 'yes' : 'NO'}.`,
    '',
    `_Machine: ${os.cpus().length} cores shared with other jobs; load average at the end: ${load}. Runs took the CPU lock (flock) but other sessions' non-bench work still shares the cores: read ratios measured back to back._`,
  ].join('\n');
}
