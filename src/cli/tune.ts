import { type Command, InvalidArgumentError, Option } from 'commander';
import { PROTOCOLS, type Protocol } from '../data/splits.js';
import { UnirecError } from '../errors.js';
import { tune, type EarlyStoppingRule, type TrialResult } from '../eval/tune.js';
import { parseParams } from '../pipeline/index.js';
import { addDataOptions, type DataFlags, loadFromFlags, parseParamsFlag } from './data-options.js';
import { defaultThreads, parseKs } from './evaluate.js';
import { positiveInt } from './flags.js';
import { stderrProgress } from './progress-bar.js';

interface TuneFlags extends DataFlags {
  model: string;
  space: string;
  trials: number;
  metric: string;
  params?: string;
  protocol: Protocol;
  k: number[];
  seed: number;
  threads: number;
  sampler: 'tpe' | 'random';
  timeBudget?: number;
  earlyStopping: EarlyStoppingRule;
  json?: boolean;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`--time-budget must be a number of seconds > 0, got "${value}"`);
  return n;
}

export function tuneCommand(program: Command): void {
  const cmd = program
    .command('tune')
    .description('search a model\'s parameters from its defaults (trial 0), scored on the valid split; the best (never worse than the defaults on valid) is measured on test')
    .requiredOption('--model <name>', 'model to tune')
    .requiredOption('--space <json>', 'search space, e.g. \'{"k":[20,50,100],"shrink":{"min":0,"max":50}}\' (add "log":true, "int":true)')
    .option('--trials <n>', 'number of trials after the defaults', positiveInt('--trials'), 20)
    .addOption(new Option('--sampler <name>', 'how trials are drawn: TPE (random for the first 5) or random').choices(['tpe', 'random']).default('tpe'))
    .option('--time-budget <seconds>', 'time limit for the search: no trial starts after it, a running one is cut (the best finished trial wins)', positiveNumber)
    .addOption(new Option('--early-stopping <rule>', 'stop a trial whose valid curve is below the median of the earlier trials\' (epoch-based models); median-short-fit: ALS too, after a short first fit').choices(['median', 'median-short-fit', 'none']).default('median'))
    .option('--metric <name>', 'metric to optimise on valid (rmse/mae are minimised)', 'ndcg@10')
    .option('--params <json>', 'fixed params for every trial')
    .addOption(new Option('--protocol <name>', 'split protocol (needs a valid part)').choices(PROTOCOLS.filter((p) => p !== 'kfold')).default('ratio'))
    .option('--k <list>', 'cut-offs for the @K metrics', parseKs, [10])
    .option('--seed <n>', 'seed', (v) => Number.parseInt(v, 10), 42)
    .option('--threads <n>', 'worker threads', positiveInt('--threads'), defaultThreads())
    .option('--json', 'print one JSON object on stdout');
  addDataOptions(cmd).action(async (flags: TuneFlags) => {
    let space: unknown;
    try {
      space = JSON.parse(flags.space);
    } catch {
      throw new UnirecError(`--space must be JSON, got ${JSON.stringify(flags.space)}`);
    }
    const base = parseParamsFlag(flags.params);
    parseParams(flags.model, base);
    const dataset = await loadFromFlags(flags);
    const report = await tune({
      dataset,
      model: flags.model,
      space: space as Record<string, never>,
      trials: flags.trials,
      metric: flags.metric,
      protocol: flags.protocol,
      seed: flags.seed,
      ks: flags.k,
      threads: flags.threads,
      base,
      sampler: flags.sampler,
      budgetSeconds: flags.timeBudget,
      earlyStopping: flags.earlyStopping,
      progress: stderrProgress(),
      onTrial: flags.json ? undefined : (t) => process.stdout.write(`${trialLine(t, flags.trials, flags.metric)}\n`),
    });
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      return;
    }
    const m = report.test.metrics;
    process.stdout.write(
      `best on valid: ${flags.metric} ${report.best.value.toFixed(4)} with ${JSON.stringify(report.best.params)}\n` +
        `on test: ${flags.metric} ${m[flags.metric]?.toFixed(4)}` +
        (m['ndcg@10'] !== undefined && flags.metric !== 'ndcg@10' ? `, ndcg@10 ${m['ndcg@10'].toFixed(4)}` : '') +
        (m.rmse !== undefined && flags.metric !== 'rmse' ? `, rmse ${m.rmse.toFixed(4)}` : '') +
        '\n',
    );
  });
}

/** One finished trial for the terminal: "trial  3/20  ndcg@10 0.1234  k=50 shrink=12.5". */
export function trialLine(t: TrialResult, total: number, metric: string): string {
  const params = Object.entries(t.params).map(([k, v]) => `${k}=${typeof v === 'string' ? v : typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(4)) : JSON.stringify(v)}`);
  const which = t.trial === 0 ? `defaults${' '.repeat(2 * String(total).length - 1)}` : `trial ${String(t.trial).padStart(String(total).length)}/${total}`;
  const stopped = t.stopped ? `  (stopped ${t.stopped.epoch !== undefined ? `after epoch ${t.stopped.epoch + 1}` : `after ${t.stopped.iterations} iterations`})` : '';
  return `${which}  ${metric} ${t.value.toFixed(4)}  ${params.join(' ')}${stopped}`;
}
