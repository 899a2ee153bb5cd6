import { gramSparseRows, type SparseRows } from './gram.js';
import { cosineNeighbourRows, type NeighbourRows } from './knn.js';
import type { Csr } from '../data/csr.js';
import { alsScratch, implicitAlsRows, type AlsScratch } from './implicit-als.js';
import { SWEEP_TILE, sweepUpdateTiles } from './spd-inverse.js';
import { definePoolTasks } from './pool.js';

/**
 * The math kernels' pool tasks (pool.ts), run through a WorkerTeam: each gets the team's shared state (typed arrays in SharedArrayBuffers,
 * CSR matrices), the per-call numeric args and a block [from, to) of rows, and writes its results into
 * shared output arrays. A row's result must depend only on the inputs, never on the block or thread it
 * ran in, so any thread count gives the same bits.
 */
export type TeamTask = (shared: any, args: Record<string, number>, from: number, to: number) => void;

let sweepScratch = new Float64Array(0);
let alsScratchCache: AlsScratch = alsScratch(0);

export const teamTasks = {
  /** Rows [from, to) of a cosine kNN graph: shared { m, mT, norms, out }, args { k, shrink }. */
  knn(shared: { m: Csr; mT: Csr; norms: Float64Array; out: NeighbourRows }, args: Record<string, number>, from: number, to: number): void {
    cosineNeighbourRows(shared.m, shared.mT, shared.norms, args.k!, args.shrink!, from, to, shared.out);
  },
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
  /**
   * Rows [from, to) of one implicit-ALS half-sweep. shared { byUser, byItem, users, items, gram };
   * args { side: 0 = solve users from items, 1 = items from users; f, alpha, cgSteps, binary }.
   */
  implicitAls(
    shared: { byUser: SparseRows; byItem: SparseRows; users: Float32Array; items: Float32Array; gram: Float64Array },
    args: Record<string, number>,
    from: number,
    to: number,
  ): void {
    const f = args.f!;
    if (alsScratchCache.x.length !== f) alsScratchCache = alsScratch(f);
    const users = args.side === 0;
    implicitAlsRows(
      users ? shared.byUser : shared.byItem,
      users ? shared.users : shared.items,
      users ? shared.items : shared.users,
      shared.gram,
      f,
      args.alpha!,
      args.cgSteps!,
      args.binary === 1,
      from,
      to,
      alsScratchCache,
      args.regPerEvent ?? 0,
    );
  },
} satisfies Record<string, TeamTask>;

export type TeamTaskName = keyof typeof teamTasks;

/** The team's shared state is the session state as is (no init). */
export const poolTasks = definePoolTasks<any, typeof teamTasks>(import.meta.url, undefined, teamTasks);
