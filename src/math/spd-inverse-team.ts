import { SWEEP_TILE, sweepComplete, sweepFinish, sweepPrepare, sweepTiles } from './spd-inverse.js';
import { mirrorLower } from './gram.js';
import { sharedFloat64, triangleBounds, type WorkerTeam } from './team.js';

/** The shared arrays a team needs for `spdInverseOnTeam` and `gramSparseOnTeam` (pass them in its shared state). */
export interface SweepBuffers {
  /** the n x n matrix, inverted in place */
  a: Float64Array;
  /** n x SWEEP_TILE pivot panel */
  panel: Float64Array;
  /** SWEEP_TILE x SWEEP_TILE pivot inverse */
  d: Float64Array;
}

/** Shared buffers for an n x n sweep on a team; `a` is zeroed. */
export function sweepBuffers(n: number): SweepBuffers {
  const nb = Math.min(SWEEP_TILE, Math.max(1, n));
  return { a: sharedFloat64(n * n), panel: sharedFloat64(n * nb), d: sharedFloat64(nb * nb) };
}

/**
 * `spdInverse` with the row tiles of each sweep step spread over a team whose shared state holds `buf`
 * under the names a, panel, d. Same FLOPs (n^3) and the same bits as the one-thread version; the step
 * prologue (panel gather, nb x nb inverse) runs here between the parallel phases.
 * `onStep(done, total)` is called after each of the ceil(n / SWEEP_TILE) steps.
 */
export async function spdInverseOnTeam(
  team: WorkerTeam,
  buf: SweepBuffers,
  n: number,
  signal?: AbortSignal,
  onStep?: (done: number, total: number) => void,
): Promise<void> {
  const tiles = sweepTiles(n);
  const bounds = triangleBounds(tiles, Math.min(tiles, 4 * team.threads));
  let step = 0;
  for (let p0 = 0; p0 < n; p0 += SWEEP_TILE) {
    const nb = Math.min(SWEEP_TILE, n - p0);
    const panel = buf.panel.subarray(0, n * nb);
    const d = buf.d.subarray(0, nb * nb);
    sweepPrepare(buf.a, n, p0, nb, panel, d);
    await team.run('sweepUpdate', { n, p0, nb }, bounds, undefined, signal);
    sweepFinish(buf.a, n, p0, nb, d);
    onStep?.(++step, tiles);
  }
  sweepComplete(buf.a, n);
}

/**
 * G = X^T X (n x n, both triangles) into the team's shared `out`, rows of the lower triangle spread over
 * the team (shared state: x, xT, out). FLOPs 2 * sum_r nnz_r^2 / 2 over the rows r of X.
 */
export async function gramSparseOnTeam(team: WorkerTeam, out: Float64Array, n: number, binary: boolean, signal?: AbortSignal): Promise<void> {
  out.fill(0);
  const blocks = Math.min(n, 64);
  const bounds = Array.from({ length: blocks + 1 }, (_, b) => Math.floor((b * n) / blocks));
  await team.run('gramSparse', { binary: binary ? 1 : 0 }, bounds, undefined, signal);
  mirrorLower(out, n);
}
