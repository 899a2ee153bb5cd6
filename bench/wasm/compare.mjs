// The technology comparison of issue 18 (BENCHMARKS.md, "native core: choosing the technology"): float32 and
// float64 GEMM 512^3 in the scalar JS reference, WebAssembly SIMD (gemm.ts here, AssemblyScript) and the native
// addon, one thread, best of 3; the float64 SPD inverse in JS and native. Run from the repo root after
// `npx tsc -p tsconfig.json` and `npx -p assemblyscript@0.28.20 asc bench/wasm/gemm.ts -O3 --enable simd
// --runtime stub --initialMemory 512 --noAssert -o /tmp/gemm.wasm`:  node bench/wasm/compare.mjs /tmp/gemm.wasm
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const native = require(path.resolve('build/Release/unirec_native.node'));
const { gemm } = await import(path.resolve('dist/src/math/gemm.js'));
const { spdInverse } = await import(path.resolve('dist/src/math/spd-inverse.js'));
const mem = new WebAssembly.Memory({ initial: 512 });
const { instance } = await WebAssembly.instantiate(fs.readFileSync(process.argv[2] ?? '/tmp/gemm.wasm'), { env: { memory: mem, abort() {} } });
const w = instance.exports; const wm = w.memory ?? mem;
const N = 512, fl = 2 * N ** 3;
const best = (f) => { let b = Infinity; for (let r = 0; r < 3; r++) { const t = performance.now(); f(); b = Math.min(b, performance.now() - t); } return b / 1000; };
const out = [];
for (const [name, Arr, bytes] of [['float32', Float32Array, 4], ['float64', Float64Array, 8]]) {
  const A = Arr.from({ length: N * N }, () => Math.random() - 0.5), B = Arr.from({ length: N * N }, () => Math.random() - 0.5), C = new Arr(N * N);
  const tj = best(() => gemm(N, N, N, 1, A, B, 0, C));
  const a0 = 0, b0 = N * N * bytes, c0 = 2 * N * N * bytes;
  new Arr(wm.buffer, a0, N * N).set(A); new Arr(wm.buffer, b0, N * N).set(B);
  const tw = best(() => (name === 'float32' ? w.sgemm : w.dgemm)(N, N, N, a0, b0, c0));
  const tn = best(() => native[name === 'float32' ? 'sgemm' : 'dgemm'](false, false, N, N, N, 1, A, N, B, N, 0, C, N, 1));
  out.push(`gemm ${name} ${N}^3, 1 thread: JS ${(fl / tj / 1e9).toFixed(1)} GFLOP/s, WASM SIMD ${(fl / tw / 1e9).toFixed(1)}, native ${(fl / tn / 1e9).toFixed(1)}`);
}
const n = 1536; const X = Float64Array.from({ length: n * 64 }, Math.random); const G = new Float64Array(n * n);
native.dgemm(false, true, n, n, 64, 1, X, 64, X, 64, 0, G, n, 1); for (let i = 0; i < n; i++) G[i * n + i] += 5;
const tj = best(() => spdInverse(G.slice(), n)); const tn = best(() => native.spdInverse(G.slice(), n, 1));
out.push(`SPD inverse float64 ${n}, 1 thread: JS ${tj.toFixed(3)} s (${(n ** 3 / tj / 1e9).toFixed(1)} GFLOP/s), native ${tn.toFixed(3)} s (${(n ** 3 / tn / 1e9).toFixed(1)} GFLOP/s)`);
const [s, f] = native.fmaPeak(2e8, 1); out.push(`FMA peak (1 thread, 12 chains of 4-double FMAs): ${(f / s / 1e9).toFixed(1)} GFLOP/s`);
console.log(out.join('\n'));
