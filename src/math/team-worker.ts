import { parentPort, workerData } from 'node:worker_threads';
import { unpackInWorker } from './shared.js';
import { teamTasks, type TeamTask, type TeamTaskName } from './team-tasks.js';

// One member of a WorkerTeam: rebuilds the shared state once, then runs the blocks it is sent and
// answers each with its block number (results are written into shared memory, not sent back).
const shared = unpackInWorker((workerData as { shared: unknown }).shared);

parentPort!.on('message', (msg: { task: TeamTaskName; args: Record<string, number>; block: number; from: number; to: number }) => {
  try {
    (teamTasks[msg.task] as TeamTask)(shared, msg.args, msg.from, msg.to);
    parentPort!.postMessage({ block: msg.block });
  } catch (err) {
    parentPort!.postMessage({ block: msg.block, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
  }
});
