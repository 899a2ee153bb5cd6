import { gramSparseRows, type SparseRows } from './gram.js';
import { SWEEP_TILE, sweepUpdateTiles } from './spd-inverse.js';

/**
 * Tasks a WorkerTeam can run: each gets the team's shared state (typed arrays in SharedArrayBuffers,
 * CSR matrices), the per-call numeric args and a block [from, to) of rows, and writes its results into
 * shared output arrays. A row's result must depend only on the inputs, never on the block or thread it
 * ran in, so any thread count gives the same bits.
 */
export type TeamTask = (shared: any, args: Record<string, number>, from: number, to: number) => void;

let sweepScratch = new Float64Array(0);

export const teamTasks = {
  /** Rows [from, to) of the lower triangle of X^T X: shared { x, xT, out }, args { binary }. */
  gramSparse(shared: { x: SparseRows; xT: SparseRows; out: Float64Array }, args: Record<string, number>, from: number, to: number): void {
    gramSparseRows(shared.x, shared.xT, shared.out, from, to, args.binary === 1);
  },
  /** Row tiles [from, to) of one blocked-sweep step: shared { a, panel, d }, args { n, p0, nb }. */
  sweepUpdate(shared: { a: Float64Array; panel: Float64Array; d: Float64Array }, args: Record<string, number>, from: number, to: number): void {
    const { n, p0, nb } = args as { n: number; p0: number; nb: number };
    if (sweepScratch.length < SWEEP_TILE * nb) sweepScratch = new Float64Array(SWEEP_TILE * nb);
    sweepUpdateTiles(shared.a, n, p0, nb, shared.panel.subarray(0, n * nb), shared.d.subarray(0, nb * nb), from, to, sweepScratch);
  },
} satisfies Record<string, TeamTask>;

export type TeamTaskName = keyof typeof teamTasks;
