import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { gemm } from '../../src/math/gemm.js';
import { gramSparse, type SparseRows } from '../../src/math/gram.js';
import { alsScratch, implicitAlsRows } from '../../src/math/implicit-als.js';
import { native, nativeStatus } from '../../src/math/native.js';
import { Rng } from '../../src/math/rng.js';
import { spdInverse } from '../../src/math/spd-inverse.js';
import { maxDiff, randomMatrix, randomSpd } from '../helpers/matrices.js';

/**
 * The native core against the scalar JS reference, kernel by kernel. Tolerances: float64 kernels agree to
 * ~1e-12 relative (different summation order and FMA rounding), float32 products to ~1e-5 relative; the
 * thread count never changes a bit. Skipped (with the reason) where the addon is not built.
 */
const nat = native();
const skip = nat ? false : `native core not available: ${nativeStatus()}`;

/** max |a - b| / max(1, max |b|) */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  return maxDiff(a, b) / scale;
}

function randomCsr(nRows: number, nCols: number, density: number, seed: number): SparseRows {
  const rng = new Rng(seed);
  const indptr = new Int32Array(nRows + 1);
  const indices: number[] = [];
  const data: number[] = [];
  for (let r = 0; r < nRows; r++) {
    for (let c = 0; c < nCols; c++) {
      if (rng.next() < density) {
        indices.push(c);
        data.push(1 + Math.floor(rng.next() * 5));
      }
    }
    indptr[r + 1] = indices.length;
  }
  return { nRows, nCols, indptr, indices: Int32Array.from(indices), data: Float32Array.from(data) };
}

function transposeCsr(x: SparseRows): SparseRows {
  const counts = new Int32Array(x.nCols + 1);
  for (let p = 0; p < x.indptr[x.nRows]!; p++) counts[x.indices[p]! + 1]!++;
  for (let c = 0; c < x.nCols; c++) counts[c + 1]! += counts[c]!;
  const indptr = Int32Array.from(counts);
  const fill = Int32Array.from(counts);
  const indices = new Int32Array(x.indices.length);
  const data = new Float32Array(x.indices.length);
  for (let r = 0; r < x.nRows; r++)
    for (let p = x.indptr[r]!; p < x.indptr[r + 1]!; p++) {
      const at = fill[x.indices[p]!]!++;
      indices[at] = r;
      data[at] = x.data[p]!;
    }
  return { nRows: x.nCols, nCols: x.nRows, indptr, indices, data };
}

test('native dgemm / sgemm equal the JS gemm for every transpose, 1x1 and sizes off the 6 x 8 / 96 / 256 blocks', { skip }, () => {
  for (const [m, k, n] of [
    [1, 1, 1],
    [5, 3, 7],
    [97, 257, 61],
    [13, 600, 130],
  ] as const) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const a = randomMatrix(m, k, m + 7 * k);
        const b = randomMatrix(k, n, k + 3 * n);
        const c0 = randomMatrix(m, n, 5);
        const want = Float64Array.from(c0);
        gemm(m, n, k, 2, a, b, 0.5, want, transA, transB);
        const lda = transA ? m : k;
        const ldb = transB ? k : n;
        const got = Float64Array.from(c0);
        nat!.dgemm(transA, transB, m, n, k, 2, a, lda, b, ldb, 0.5, got, n, 1);
        assert.ok(relDiff(got, want) < 1e-13, `dgemm m=${m} k=${k} n=${n} ${transA} ${transB}: ${relDiff(got, want)}`);
        const two = Float64Array.from(c0);
        nat!.dgemm(transA, transB, m, n, k, 2, a, lda, b, ldb, 0.5, two, n, 2);
        assert.deepEqual(two, got, 'dgemm: 2 threads give the same bits as 1');
        const gotF = Float32Array.from(c0);
        nat!.sgemm(transA, transB, m, n, k, 2, Float32Array.from(a), lda, Float32Array.from(b), ldb, 0.5, gotF, n, 2);
        assert.ok(relDiff(gotF, want) < 2e-5, `sgemm m=${m} k=${k} n=${n}: ${relDiff(gotF, want)}`);
      }
    }
  }
  // beta = 0 ignores NaN garbage in C; k = 0 only scales C
  const c = new Float64Array(4).fill(NaN);
  nat!.dgemm(false, false, 2, 2, 3, 1, Float64Array.of(1, 2, 3, 4, 5, 6), 3, Float64Array.of(1, 0, 0, 1, 1, 1), 2, 0, c, 2, 1);
  assert.deepEqual(Array.from(c), [4, 5, 10, 11]);
  const c2 = Float64Array.of(1, 2);
  nat!.dgemm(false, false, 1, 2, 0, 1, new Float64Array(0), 0, new Float64Array(0), 2, 3, c2, 2, 1);
  assert.deepEqual(Array.from(c2), [3, 6]);
});

test('native dgemm rejects arrays too short for the shape, and the wrong element type', { skip }, () => {
  assert.throws(() => nat!.dgemm(false, false, 4, 4, 4, 1, new Float64Array(15), 4, new Float64Array(16), 4, 0, new Float64Array(16), 4, 1), /too short/);
  assert.throws(() => nat!.dgemm(false, false, 1, 1, 1, 1, new Float32Array(1) as unknown as Float64Array, 1, new Float64Array(1), 1, 0, new Float64Array(1), 1, 1), /typed-array type/);
});

test('native spdInverse equals the JS sweep (1e-10), inverts, gives the same bits on 1 and 2 threads, rejects non-SPD', { skip }, () => {
  for (const n of [1, 5, 127, 128, 129, 300]) {
    const a = randomSpd(n, n);
    const want = Float64Array.from(a);
    spdInverse(want, n);
    const got = Float64Array.from(a);
    nat!.spdInverse(got, n, 1);
    assert.ok(relDiff(got, want) < 1e-10, `n=${n}: ${relDiff(got, want)}`);
    const two = Float64Array.from(a);
    nat!.spdInverse(two, n, 2);
    assert.deepEqual(two, got);
    // only the lower triangle is read
    const upperGarbage = Float64Array.from(a);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) upperGarbage[i * n + j] = NaN;
    nat!.spdInverse(upperGarbage, n, 2);
    assert.deepEqual(upperGarbage, got);
  }
  const bad = Float64Array.of(1, 2, 2, 1);
  assert.throws(() => nat!.spdInverse(bad, 2, 1), RangeError);
});

test('native gramSparse equals the JS sparse Gram, binary exactly and valued to 1e-12', { skip }, () => {
  const x = randomCsr(70, 140, 0.2, 3);
  const xT = transposeCsr(x);
  for (const binary of [true, false]) {
    const want = gramSparse(x, xT, binary);
    const got = new Float64Array(140 * 140).fill(7);
    nat!.gramSparse(x.indptr, x.indices, x.data, xT.indptr, xT.indices, xT.data, x.nRows, x.nCols, binary, got, 2);
    if (binary) assert.deepEqual(got, want);
    else assert.ok(relDiff(got, want) < 1e-12);
  }
});

test('native alsRows equals implicitAlsRows (1e-4 relative on float32 factors), any thread count the same bits', { skip }, () => {
  const f = 19;
  const rows = randomCsr(90, 60, 0.15, 11);
  const rng = new Rng(5);
  const y = Float32Array.from({ length: 60 * f }, () => rng.next() * 0.3);
  const x0 = Float32Array.from({ length: 90 * f }, () => rng.next() * 0.01);
  const yty = new Float64Array(f * f);
  for (let i = 0; i < 60; i++) for (let a = 0; a < f; a++) for (let b = 0; b < f; b++) yty[a * f + b]! += y[i * f + a]! * y[i * f + b]!;
  for (let a = 0; a < f; a++) yty[a * f + a]! += 0.5;
  for (const [binary, regPerEvent] of [[true, 0], [false, 0.1]] as const) {
    const want = Float32Array.from(x0);
    implicitAlsRows(rows, want, y, yty, f, 2, 3, binary, 0, 90, alsScratch(f), regPerEvent);
    const got = Float32Array.from(x0);
    nat!.alsRows(rows.indptr, rows.indices, rows.data, got, y, yty, f, 2, 3, binary, regPerEvent, 0, 90, 60, 1);
    assert.ok(relDiff(got, want) < 1e-4, `binary=${binary}: ${relDiff(got, want)}`);
    const two = Float32Array.from(x0);
    nat!.alsRows(rows.indptr, rows.indices, rows.data, two, y, yty, f, 2, 3, binary, regPerEvent, 0, 90, 60, 2);
    assert.deepEqual(two, got);
  }
  const badIndex = { ...rows, indices: Int32Array.from(rows.indices, (c) => c + 60) };
  assert.throws(() => nat!.alsRows(badIndex.indptr, badIndex.indices, rows.data, Float32Array.from(x0), y, yty, f, 2, 3, true, 0, 0, 90, 60, 1), /out of range/);
});

test('native spmmRows equals summing the rows of B per CSR row (float32, 1e-6), for any list of rows', { skip }, () => {
  const n = 700; // more than one 512-column tile
  const x = randomCsr(40, n, 0.05, 2);
  const b = Float32Array.from(randomMatrix(n, n, 9));
  const rows = Int32Array.of(39, 0, 17, 17, 5);
  for (const binary of [true, false]) {
    const want = new Float32Array(rows.length * n);
    rows.forEach((r, t) => {
      for (let p = x.indptr[r]!; p < x.indptr[r + 1]!; p++) {
        const v = binary ? 1 : x.data[p]!;
        for (let i = 0; i < n; i++) want[t * n + i]! += v * b[x.indices[p]! * n + i]!;
      }
    });
    const got = new Float32Array(rows.length * n).fill(NaN);
    nat!.spmmRows(x.indptr, x.indices, x.data, binary, b, n, n, rows, got, 2);
    assert.ok(relDiff(got, want) < 1e-6, `binary=${binary}`);
  }
});

test('native mfEpoch equals the JS SGD epoch of models/mf.ts (float32 factors, 1e-5)', { skip }, () => {
  const rng = new Rng(1);
  const nUsers = 30;
  const nItems = 40;
  const n = 500;
  const f = 13;
  const users = Int32Array.from({ length: n }, () => rng.int(nUsers));
  const items = Int32Array.from({ length: n }, () => rng.int(nItems));
  const values = Float32Array.from({ length: n }, () => 1 + rng.int(5));
  const order = Int32Array.from({ length: n }, (_, i) => (i * 7) % n);
  const p0 = Float32Array.from({ length: nUsers * f }, () => rng.normal() * 0.1);
  const q0 = Float32Array.from({ length: nItems * f }, () => rng.normal() * 0.1);
  const [mu, lr, reg] = [3.5, 0.005, 0.02];
  const P = Float32Array.from(p0);
  const Q = Float32Array.from(q0);
  const bu = new Float32Array(nUsers);
  const bi = new Float32Array(nItems);
  for (let t = 0; t < n; t++) {
    const r = order[t]!;
    const u = users[r]!;
    const i = items[r]!;
    let dot = 0;
    for (let k = 0; k < f; k++) dot += P[u * f + k]! * Q[i * f + k]!;
    const err = values[r]! - (mu + bu[u]! + bi[i]! + dot);
    bu[u] = bu[u]! + lr * (err - reg * bu[u]!);
    bi[i] = bi[i]! + lr * (err - reg * bi[i]!);
    for (let k = 0; k < f; k++) {
      const pk = P[u * f + k]!;
      const qk = Q[i * f + k]!;
      P[u * f + k] = pk + lr * (err * qk - reg * pk);
      Q[i * f + k] = qk + lr * (err * pk - reg * qk);
    }
  }
  const P2 = Float32Array.from(p0);
  const Q2 = Float32Array.from(q0);
  const bu2 = new Float32Array(nUsers);
  const bi2 = new Float32Array(nItems);
  nat!.mfEpoch(order, users, items, values, P2, Q2, bu2, bi2, f, mu, lr, reg, true, nUsers, nItems);
  assert.ok(maxDiff(P2, P) < 1e-5 && maxDiff(Q2, Q) < 1e-5 && maxDiff(bu2, bu) < 1e-5 && maxDiff(bi2, bi) < 1e-5);
  assert.throws(() => nat!.mfEpoch(order, users, items, values, P2, Q2, bu2, bi2, f, mu, lr, reg, true, nUsers - 1, nItems), /out of range|too short/);
});

test('the FMA peak probe reports positive time and 96 FLOPs per pass', { skip }, () => {
  const [seconds, flops] = nat!.fmaPeak(1000, 1);
  assert.ok(seconds >= 0);
  assert.equal(flops, 96_000);
});

test('without the addon (UNIREC_NATIVE=0, or a missing .node) native() is undefined, so every caller takes the JS path', () => {
  // (the models' JS path under UNIREC_NATIVE=0 is exercised end to end by test/models/native-parity.test.ts)
  const script = `
    const { native, nativeStatus } = await import('./dist/src/math/native.js');
    console.log(JSON.stringify({ native: native() !== undefined, status: nativeStatus() }));
  `;
  for (const env of [{ UNIREC_NATIVE: '0' }, { UNIREC_NATIVE_PATH: '/nonexistent/unirec_native.node' }]) {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { native: boolean; status: string };
    assert.equal(r.native, false);
    assert.match(r.status, /^js \(/);
  }
});

test('native ALS row solves with more factors than the call before stay inside their buffers', { skip: native() ? false : 'the native core is not built' }, () => {
  // The solves keep per-thread buffers between calls; sized for a smaller model, they once overflowed and
  // corrupted the heap (a crash at exit). glibc's MALLOC_CHECK_ makes any such corruption fatal at once.
  const script = `
    const { makeTrainData } = await import(${JSON.stringify(new URL('../../src/data/dataset.js', import.meta.url).href)});
    const { Interactions } = await import(${JSON.stringify(new URL('../../src/data/interactions.js', import.meta.url).href)});
    const { Als, alsParams } = await import(${JSON.stringify(new URL('../../src/models/als.js', import.meta.url).href)});
    const us = [], is = [];
    for (let i = 0; i < 8; i++) for (let u = i < 4 ? 0 : 10; u < (i < 4 ? 10 : 20); u++) us.push(u), is.push(i);
    const train = makeTrainData(new Interactions(Int32Array.from(us), Int32Array.from(is), new Float32Array(us.length).fill(1), new Float64Array(us.length)), 20, 8);
    for (const f of [4, 8, 16, 32]) await new Als(alsParams({ factors: f })).fit(train, { seed: 3, threads: 1 });
    console.log('fitted');`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, MALLOC_CHECK_: '3' } });
  assert.match(out, /fitted/);
});

test('native softmaxXent equals a float64 softmax cross-entropy (1e-6), the same bits on 1 and 2 threads, safe at extreme logits', { skip: native() ? false : 'the native core is not built' }, () => {
  const nat = native()!;
  const rng = new Rng(8);
  for (const [n, c] of [[1, 1], [3, 7], [70, 8], [65, 1001]] as const) {
    const logits = Float32Array.from({ length: n * c }, () => 6 * rng.normal());
    if (n * c > 8) logits[5] = -1e4; // far below the row's max: its probability is 0, not NaN
    const targets = Int32Array.from({ length: n }, () => rng.int(c));
    const scale = 1 / n;
    let wantLoss = 0;
    const want = new Float64Array(n * c);
    for (let r = 0; r < n; r++) {
      const row = logits.subarray(r * c, (r + 1) * c);
      const max = Math.max(...row);
      let sum = 0;
      for (let j = 0; j < c; j++) sum += Math.exp(row[j]! - max);
      wantLoss += Math.log(sum) + max - row[targets[r]!]!;
      for (let j = 0; j < c; j++) want[r * c + j] = (Math.exp(row[j]! - max) / sum - (j === targets[r] ? 1 : 0)) * scale;
    }
    const one = Float32Array.from(logits);
    const two = Float32Array.from(logits);
    const loss1 = nat.softmaxXent(one, n, c, targets, scale, 1);
    const loss2 = nat.softmaxXent(two, n, c, targets, scale, 2);
    assert.ok(Math.abs(loss1 - wantLoss) < 1e-5 * Math.max(1, Math.abs(wantLoss)), `n=${n} c=${c}: loss ${loss1} vs ${wantLoss}`);
    assert.equal(loss1, loss2, 'the same loss on 1 and 2 threads');
    assert.deepEqual(one, two, 'the same gradient bits on 1 and 2 threads');
    let err = 0;
    for (let k = 0; k < n * c; k++) err = Math.max(err, Math.abs(one[k]! - want[k]!));
    assert.ok(err < 1e-6, `n=${n} c=${c}: gradient max error ${err}`);
  }
  assert.throws(() => nat.softmaxXent(new Float32Array(6), 2, 3, Int32Array.of(0, 3), 1, 1), /target out of range/);
  assert.throws(() => nat.softmaxXent(new Float32Array(5), 2, 3, Int32Array.of(0, 1), 1, 1), /too short/);
});
