import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_BODY_LIMIT } from '../serve/app.js';
import { parseApiKeys } from '../serve/auth.js';
import { startServer } from '../serve/server.js';
import { DEFAULT_DB } from '../store/sqlite.js';
import { positiveInt } from './flags.js';
import { addLimitOptions, type LimitFlags, limitsFrom } from './serve-limits.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`--port must be 0..65535 (0 picks a free port), got "${value}"`);
  return n;
}

interface ServeFlags extends LimitFlags {
  db: string;
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
  const cmd = program
    .command('serve')
    .description('serve recommendations over HTTP from a store: events, catalogue, models (prints its URL first on stdout)')
    .option('--db <path>', 'the store file', DEFAULT_DB)
    .option('--port <n>', 'port to listen on (0 picks a free one)', port, 8080)
    .option('--host <host>', 'address to listen on (without API keys: 127.0.0.1 only)')
    .option('--api-key <key>', 'an API key with read and write access (repeatable; also UNIREC_API_KEYS="read:K1,write:K2")', (v: string, all: string[]) => [...all, v], [])
    .option('--body-limit <bytes>', 'largest request body', positiveInt('--body-limit'), DEFAULT_BODY_LIMIT)
    .option('--train-threads <n>', 'threads for a background training job', positiveInt('--train-threads'), 1)
    .addOption(new Option('--sync <mode>', 'full: an acknowledged write survives a power cut; normal: a process crash').choices(['full', 'normal']).default('full'))
    .option('--log', 'log every request on stderr')
    .option('--runs <dir>', 'folder of `unirec evaluate --json` results (*.json, *.jsonl) for the dashboard\'s experiment page');
  addLimitOptions(cmd).action(async (flags: ServeFlags) => {
      const keys = parseApiKeys(flags.apiKey, process.env.UNIREC_API_KEYS);
      const server = await startServer({
        db: flags.db,
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
      process.stderr.write(`unirec: serving ${flags.db}: ${server.service.catalog.items.size} items, ${server.service.catalog.users.size} users, model ${live?.label ?? 'none (popularity fallback)'}\n`);
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
