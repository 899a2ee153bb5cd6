import type { FastifyInstance } from 'fastify';
import type { RetrievalParams } from '../retrieval/options.js';
import { openStore } from '../store/open.js';
import type { SqliteOptions } from '../store/sqlite.js';
import { buildApp } from './app.js';
import { type ApiKeys, hasKeys, keyWarning } from './auth.js';
import type { JobLimits } from './job-limits.js';
import type { ServeLimits } from './limits.js';
import { parseRedisUrl } from './redis-url.js';
import type { UnknownItemPolicy } from './catalog.js';
import { RecommenderService } from './service.js';

export interface ServerOptions {
  /** the store: a SQLite path or a postgres:// URL */
  db: string;
  /** Redis for scale-out (change notices between replicas, training queued for `unirec worker`) */
  redis?: string;
  /** events for items the catalogue does not have (see UnknownItemPolicy) */
  unknownItems?: UnknownItemPolicy;
  /** how models with item vectors serve, over their own params (`--retrieval`, `--vectors`) */
  retrieval?: Partial<RetrievalParams>;
  /** limits of one training job */
  jobLimits?: JobLimits;
  port: number;
  host?: string;
  keys: ApiKeys;
  bodyLimit?: number;
  trainThreads?: number;
  synchronous?: SqliteOptions['synchronous'];
  log?: boolean;
  /** folder of `unirec evaluate --json` results shown on the dashboard's experiment page */
  runsDir?: string;
  /** open a store copied while in use without its -wal file; group commit on a writer thread (see SqliteOptions) */
  acceptMissingWal?: boolean;
  writerThread?: boolean;
  /** caps on k, rate limits, connection limits (see ServeLimits) */
  limits?: Partial<ServeLimits>;
  /** where notices go (default stderr) */
  notice?: (message: string) => void;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  service: RecommenderService;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * Opens the store, loads the catalogue and the active model, and listens. Without API keys the API is
 * open to whoever can reach it, so it is only reachable from this machine.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const notice = options.notice ?? ((m: string) => process.stderr.write(`${m}\n`));
  const open = !hasKeys(options.keys);
  const asked = options.host ?? '127.0.0.1';
  const host = open ? '127.0.0.1' : asked;
  const redis = options.redis === undefined ? undefined : parseRedisUrl(options.redis);
  const store = await openStore(options.db, { sqlite: { synchronous: options.synchronous, acceptMissingWal: options.acceptMissingWal, writerThread: options.writerThread } });
  let service: RecommenderService | undefined;
  let app: FastifyInstance | undefined;
  try {
    service = await RecommenderService.open(store, { location: options.db, redis, trainThreads: options.trainThreads, jobLimits: options.jobLimits, unknownItems: options.unknownItems, retrieval: options.retrieval });
    app = await buildApp({ service, keys: options.keys, bodyLimit: options.bodyLimit, log: options.log, limits: options.limits, dashboard: { runsDir: options.runsDir } });
    await app.listen({ port: options.port, host });
  } catch (err) {
    await app?.close();
    await service?.close();
    await store.close();
    throw err;
  }
  const weak = keyWarning(options.keys, host);
  if (weak) notice(weak);
  if (open) {
    if (!LOOPBACK.has(asked)) notice(`unirec: --host ${asked} ignored: no API keys are configured`);
    notice('unirec: no API keys configured (--api-key or UNIREC_API_KEYS): listening on 127.0.0.1 only, every route open');
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const running = app;
  const svc = service;
  return {
    url: `http://${shown}:${port}`,
    app: running,
    service: svc,
    async close() {
      await running.close();
      await svc.close();
      await store.close();
    },
  };
}
