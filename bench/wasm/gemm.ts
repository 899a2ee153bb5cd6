// WebAssembly SIMD GEMM kernels in AssemblyScript, for the technology comparison only (bench/wasm/compare.mjs);
// not part of the package. Compiled with asc, excluded from tsconfig.json.
// C (m x n) = A (m x k) B (k x n), row-major, 4 x 8 register tile of f32x4 (8 accumulators).
export function sgemm(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize): void {
  for (let i = 0; i < m; i += 4) {
    for (let j = 0; j < n; j += 8) {
      let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
      let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
      for (let p = 0; p < k; p++) {
        const bp = b + (((p * n + j) as usize) << 2);
        const b0 = v128.load(bp), b1 = v128.load(bp, 16);
        const ap = a + (((i * k + p) as usize) << 2);
        let x = f32x4.splat(load<f32>(ap));
        c00 = f32x4.add(c00, f32x4.mul(x, b0)); c01 = f32x4.add(c01, f32x4.mul(x, b1));
        x = f32x4.splat(load<f32>(ap + ((k as usize) << 2)));
        c10 = f32x4.add(c10, f32x4.mul(x, b0)); c11 = f32x4.add(c11, f32x4.mul(x, b1));
        x = f32x4.splat(load<f32>(ap + ((k as usize) << 3)));
        c20 = f32x4.add(c20, f32x4.mul(x, b0)); c21 = f32x4.add(c21, f32x4.mul(x, b1));
        x = f32x4.splat(load<f32>(ap + ((k as usize) * 12)));
        c30 = f32x4.add(c30, f32x4.mul(x, b0)); c31 = f32x4.add(c31, f32x4.mul(x, b1));
      }
      const cp = c + (((i * n + j) as usize) << 2);
      const ld = (n as usize) << 2;
      v128.store(cp, c00); v128.store(cp, c01, 16);
      v128.store(cp + ld, c10); v128.store(cp + ld, c11, 16);
      v128.store(cp + 2 * ld, c20); v128.store(cp + 2 * ld, c21, 16);
      v128.store(cp + 3 * ld, c30); v128.store(cp + 3 * ld, c31, 16);
    }
  }
}
// same for f64 with f64x2: a 4 x 4 tile (8 accumulators)
export function dgemm(m: i32, n: i32, k: i32, a: usize, b: usize, c: usize): void {
  for (let i = 0; i < m; i += 4) {
    for (let j = 0; j < n; j += 4) {
      let c00 = f64x2.splat(0), c01 = f64x2.splat(0), c10 = f64x2.splat(0), c11 = f64x2.splat(0);
      let c20 = f64x2.splat(0), c21 = f64x2.splat(0), c30 = f64x2.splat(0), c31 = f64x2.splat(0);
      for (let p = 0; p < k; p++) {
        const bp = b + (((p * n + j) as usize) << 3);
        const b0 = v128.load(bp), b1 = v128.load(bp, 16);
        const ap = a + (((i * k + p) as usize) << 3);
        let x = f64x2.splat(load<f64>(ap));
        c00 = f64x2.add(c00, f64x2.mul(x, b0)); c01 = f64x2.add(c01, f64x2.mul(x, b1));
        x = f64x2.splat(load<f64>(ap + ((k as usize) << 3)));
        c10 = f64x2.add(c10, f64x2.mul(x, b0)); c11 = f64x2.add(c11, f64x2.mul(x, b1));
        x = f64x2.splat(load<f64>(ap + ((k as usize) << 4)));
        c20 = f64x2.add(c20, f64x2.mul(x, b0)); c21 = f64x2.add(c21, f64x2.mul(x, b1));
        x = f64x2.splat(load<f64>(ap + ((k as usize) * 24)));
        c30 = f64x2.add(c30, f64x2.mul(x, b0)); c31 = f64x2.add(c31, f64x2.mul(x, b1));
      }
      const cp = c + (((i * n + j) as usize) << 3);
      const ld = (n as usize) << 3;
      v128.store(cp, c00); v128.store(cp, c01, 16);
      v128.store(cp + ld, c10); v128.store(cp + ld, c11, 16);
      v128.store(cp + 2 * ld, c20); v128.store(cp + 2 * ld, c21, 16);
      v128.store(cp + 3 * ld, c30); v128.store(cp + 3 * ld, c31, 16);
    }
  }
}
