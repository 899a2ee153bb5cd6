import os from 'node:os';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { PROTOCOLS, type Protocol } from '../data/splits.js';
import { UnirecError } from '../errors.js';
import { runEvaluation, type EvaluationReport } from '../eval/runner.js';
import { parseParams } from '../pipeline/index.js';
import { addDataOptions, type DataFlags, loadFromFlags, paramsFromFlags } from './data-options.js';
import { positiveInt } from './flags.js';
import { stderrProgress } from './progress-bar.js';
import { evaluationTable } from './tables.js';

interface EvaluateFlags extends DataFlags {
  model: string;
  params?: string;
  config?: string;
  protocol: Protocol;
  k: number[];
  seed: number;
  threads: number;
  sampled?: number;
  coldEvents: number;
  latentDiversity?: number;
  json?: boolean;
}

export function parseKs(value: string): number[] {
  const ks = value.split(',').map((s) => Number(s.trim()));
  if (!ks.length || ks.some((k) => !Number.isInteger(k) || k <= 0)) {
    throw new UnirecError(`--k must be a comma-separated list of positive integers, got "${value}"`);
  }
  return ks;
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`--cold-events must be a whole number >= 0, got "${value}"`);
  return n;
}

export function defaultThreads(): number {
  return Math.max(1, Math.min(os.availableParallelism(), 8));
}

export function evaluateCommand(program: Command): void {
  const cmd = program
    .command('evaluate')
    .description('split the data, fit a model on train, and measure it on test (full ranking)')
    .requiredOption('--model <name>', 'model to evaluate (see `unirec models`)')
    .option('--params <json>', 'model parameters as a JSON object')
    .option('--config <file>', 'model parameters from a JSON file (e.g. a pipeline of retrievers)')
    .addOption(new Option('--protocol <name>', 'evaluation protocol').choices([...PROTOCOLS]).default('ratio'))
    .option('--k <list>', 'cut-offs for the @K metrics', parseKs, [10, 20])
    .option('--seed <n>', 'seed for splits and models', (v) => Number.parseInt(v, 10), 42)
    .option('--threads <n>', 'worker threads', positiveInt('--threads'), defaultThreads())
    .option('--sampled <n>', 'rank against n sampled negatives instead of all items (biased; for comparison only)', positiveInt('--sampled'))
    .option('--cold-events <n>', 'cold-users: events of each held-out user given to the model (0 = attributes only)', nonNegativeInt, 0)
    .option('--latent-diversity <factors>', 'also report diversity_latent@K: intra-list diversity in an ALS taste space of this many factors fitted on train', positiveInt('--latent-diversity'))
    .option('--json', 'print one JSON object on stdout');
  addDataOptions(cmd).action(async (flags: EvaluateFlags) => {
    if (!Number.isInteger(flags.seed)) throw new UnirecError('--seed must be an integer');
    const params = paramsFromFlags(flags);
    parseParams(flags.model, params); // a wrong model or param fails before the data is read
    const dataset = await loadFromFlags(flags);
    const report = await runEvaluation({
      dataset,
      model: flags.model,
      params,
      protocol: flags.protocol,
      seed: flags.seed,
      ks: flags.k,
      threads: flags.threads,
      sampled: flags.sampled,
      coldEvents: flags.coldEvents,
      latentDiversity: flags.latentDiversity,
      progress: stderrProgress(),
    });
    for (const w of report.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
    if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else printReport(report);
  });
}

function coldNote(r: EvaluationReport): string {
  if (r.cold?.items !== undefined) return ` (${r.cold.items} cold items, ranked among themselves)`;
  if (r.cold?.users !== undefined) return ` (${r.cold.users} cold users, ${r.cold.events ?? 0} events each given)`;
  return '';
}

function printReport(r: EvaluationReport): void {
  process.stdout.write(
    `${r.model} on ${r.data.users} users x ${r.data.items} items (${r.data.interactions} interactions), ` +
      `protocol ${r.protocol}${coldNote(r)}, seed ${r.seed}\nfit ${r.fit_seconds.toFixed(2)} s, evaluation ${r.eval_seconds.toFixed(2)} s\n`,
  );
  process.stdout.write(`${evaluationTable(r.metrics)}\n`);
}
