import { parentPort, workerData } from 'node:worker_threads';
import { transferables, unpackInWorker } from '../math/shared.js';
import '../pipeline/index.js';
import type { ModelArtifact } from '../models/recommender.js';
import { loadModel } from '../models/registry.js';
import { allocOutput, rankUsers, Scratch, scoreFunction, type RankInput } from './rank-users.js';

// One evaluation worker: rebuilds the model from its shared artifact once, then evaluates the
// blocks of users it is sent with its own score buffer and masks, and transfers the results back.
const data = workerData as { input: unknown; artifact: unknown };
const input = unpackInWorker(data.input) as RankInput;
const model = loadModel(unpackInWorker(data.artifact) as ModelArtifact);
const scratch = new Scratch(input.nItems, input.sampled !== undefined, input.blocked);
const score = scoreFunction(model, input);

parentPort!.on('message', (msg: { block: number; from: number; to: number }) => {
  const out = allocOutput(msg.to - msg.from, input);
  rankUsers(input, score, scratch, msg.from, msg.to, out, msg.from);
  parentPort!.postMessage({ block: msg.block, out }, transferables(out));
});
