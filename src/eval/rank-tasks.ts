import '../pipeline/index.js';
import { definePoolTasks } from '../math/pool.js';
import type { ModelArtifact } from '../models/recommender.js';
import { loadModel } from '../models/registry.js';
import { allocOutput, rankUsers, Scratch, scoreFunction, type RankInput, type RankOutput } from './rank-users.js';

/**
 * The evaluation's pool tasks (math/pool.ts): each pool thread rebuilds the model from its shared
 * artifact once per evaluation (`init`), then ranks the blocks of users it is sent with its own score
 * buffer and masks (the same rankUsers as the main thread) and returns their per-user values.
 */
export interface RankShared {
  input: RankInput;
  artifact: ModelArtifact;
}

export const poolTasks = definePoolTasks(
  import.meta.url,
  (shared: RankShared) => {
    const { input } = shared;
    const model = loadModel(shared.artifact);
    // one native thread per pool thread: the pool threads are the parallelism
    return { input, score: scoreFunction(model, input, 1), scratch: new Scratch(input.nItems, input.sampled !== undefined, input.blocked) };
  },
  {
    /** Users input.users[from..to): their per-user values, rows 0..to-from. */
    rank(state, _args, from, to): RankOutput {
      const out = allocOutput(to - from, state.input);
      rankUsers(state.input, state.score, state.scratch, from, to, out, from);
      return out;
    },
  },
);
