import { threadId } from 'node:worker_threads';
import { definePoolTasks } from '../../src/math/pool.js';

/** Pool tasks for the pool's own tests (test/math/pool.test.ts). */
interface State {
  /** out[r] = 3 r + args.add for rows of `square` */
  out: Float64Array;
  /** the thread that ran each row */
  ran: Int32Array;
  /** how many times init ran in this thread */
  inits: number;
}

let inits = 0;

export const poolTasks = definePoolTasks(
  import.meta.url,
  (shared: { out: Float64Array; ran: Int32Array }): State => ({ ...shared, inits: ++inits }),
  {
    /** Writes 3 r + add to the shared output and the thread id per row, taking about `ms` per block. */
    fill(s: State, args: Record<string, number>, from: number, to: number): number {
      const until = Date.now() + (args.ms ?? 0);
      while (Date.now() < until);
      for (let r = from; r < to; r++) {
        s.out[r] = 3 * r + args.add!;
        s.ran[r] = threadId;
      }
      return threadId;
    },
    /** Throws a RangeError on the block holding row args.row, else does nothing. */
    fail(_s: State, args: Record<string, number>, from: number, to: number): void {
      if (args.row! >= from && args.row! < to) throw new RangeError(`row ${args.row} is bad`);
    },
    /** A result with a typed array, to check that it arrives whole. */
    range(_s: State, _args: Record<string, number>, from: number, to: number): Int32Array {
      return Int32Array.from({ length: to - from }, (_, t) => from + t);
    },
    /** Ends the thread it runs on (as an out-of-memory crash would), on the block holding row args.row. */
    die(_s: State, args: Record<string, number>, from: number, to: number): void {
      if (args.row! >= from && args.row! < to) process.exit(3);
    },
    /** How many sessions' inits this thread has run so far. */
    inits(s: State): number {
      return s.inits;
    },
  },
);
