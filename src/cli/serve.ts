import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_BODY_LIMIT } from '../serve/app.js';
import { parseApiKeys } from '../serve/auth.js';
import { UNKNOWN_ITEM_POLICIES, type UnknownItemPolicy } from '../serve/catalog.js';
import { DEFAULT_JOB_LIMITS } from '../serve/job-limits.js';
import { redactedUrl } from '../serve/redis-url.js';
import { startServer } from '../serve/server.js';
import { positiveInt } from './flags.js';
import { addLimitOptions, type LimitFlags, limitsFrom } from './serve-limits.js';
import { addStoreOptions, resolveStoreFlags, type StoreFlags } from './store-options.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`--port must be 0..65535 (0 picks a free port), got "${value}"`);
  return n;
}

interface ServeFlags extends StoreFlags, LimitFlags {
  unknownItems: UnknownItemPolicy;
  retrieval?: 'exact' | 'hnsw';
  vectors?: 'float32' | 'float16' | 'int8';
  trainTimeout: number;
  trainMemory: number;
  port: number;
  host?: string;
  apiKey: string[];
  bodyLimit: number;
  trainThreads: number;
  sync: 'full' | 'normal';
  log?: boolean;
  runs?: string;
}

export function serveCommand(program: Command): void {
  const cmd = addStoreOptions(program.command('serve'))
    .description('serve recommendations over HTTP from a store: events, catalogue, models (prints its URL first on stdout)')
    .option('--train-timeout <s>', 'a training job is stopped after this many seconds', positiveInt('--train-timeout'), DEFAULT_JOB_LIMITS.timeoutSeconds)
    .option('--train-memory <MiB>', 'a training job is stopped past this much resident memory', positiveInt('--train-memory'), DEFAULT_JOB_LIMITS.memoryMb)
    .option('--port <n>', 'port to listen on (0 picks a free one)', port, 8080)
    .option('--host <host>', 'address to listen on (without API keys: 127.0.0.1 only)')
    .option('--api-key <key>', 'an API key with read and write access (repeatable; also UNIREC_API_KEYS="read:K1,write:K2")', (v: string, all: string[]) => [...all, v], [])
    .option('--body-limit <bytes>', 'largest request body', positiveInt('--body-limit'), DEFAULT_BODY_LIMIT)
    .option('--train-threads <n>', 'threads for a background training job', positiveInt('--train-threads'), 1)
    .addOption(new Option('--sync <mode>', 'full: an acknowledged write survives a power cut; normal: a process crash').choices(['full', 'normal']).default('full'))
    .addOption(
      new Option('--unknown-items <policy>', 'events for items the catalogue does not have: hide them from lists until PUT /items (default), refuse the batch, or accept them at once')
        .choices([...UNKNOWN_ITEM_POLICIES])
        .default('hide'),
    )
    .addOption(new Option('--retrieval <how>', "models with item vectors (als, bpr, mf, svdpp) serve from an HNSW index or an exact scan, whatever they were trained with (the index is built at load)").choices(['exact', 'hnsw']))
    .addOption(new Option('--vectors <form>', 'and keep their item vectors as float32, float16 or int8 (scored compressed, the top re-ranked exactly)').choices(['float32', 'float16', 'int8']))
    .option('--log', 'log every request on stderr')
    .option('--runs <dir>', 'folder of `unirec evaluate --json` results (*.json, *.jsonl) for the dashboard\'s experiment page');
  addLimitOptions(cmd).action(async (flags: ServeFlags) => {
      const keys = parseApiKeys(flags.apiKey, process.env.UNIREC_API_KEYS);
      const { store: location, redis } = resolveStoreFlags(flags);
      const server = await startServer({
        db: location,
        redis,
        unknownItems: flags.unknownItems,
        retrieval: flags.retrieval || flags.vectors ? { ...(flags.retrieval ? { retrieval: flags.retrieval } : {}), ...(flags.vectors ? { vectors: flags.vectors } : {}) } : undefined,
        jobLimits: { timeoutSeconds: flags.trainTimeout, memoryMb: flags.trainMemory },
        port: flags.port,
        host: flags.host,
        keys,
        bodyLimit: flags.bodyLimit,
        trainThreads: flags.trainThreads,
        synchronous: flags.sync,
        log: flags.log,
        runsDir: flags.runs,
        limits: limitsFrom(flags),
        acceptMissingWal: flags.acceptMissingWal,
        writerThread: flags.writerThread,
      });
      // The contract: the first line on stdout is the URL (scripts and tests read it).
      process.stdout.write(`${server.url}\n`);
      const live = server.service.live;
      process.stderr.write(`unirec: serving ${server.service.store.path}${redis ? ` with Redis ${redactedUrl(redis)}` : ''}: ${server.service.catalog.items.size} items, ${server.service.catalog.users.size} users, model ${live?.label ?? 'none (popularity fallback)'}\n`);
      process.stderr.write(`unirec: dashboard at ${server.url}/dashboard/\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.stderr.write(`unirec: ${signal}: closing\n`);
          server.close().then(resolve, resolve);
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
}
