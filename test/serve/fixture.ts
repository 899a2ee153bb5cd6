import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { cleanDataset } from '../../src/data/clean.js';
import { syntheticShop, type ShopOptions } from '../../src/data/synthetic.js';
import { buildApp } from '../../src/serve/app.js';
import type { ApiKeys } from '../../src/serve/auth.js';
import type { ServeLimits } from '../../src/serve/limits.js';
import { RecommenderService } from '../../src/serve/service.js';
import { trainFromStore } from '../../src/serve/training.js';
import { importDataset } from '../../src/store/import.js';
import { SqliteStore } from '../../src/store/sqlite.js';

/** A temporary folder removed by `cleanup`. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const SMALL_SHOP: ShopOptions = { users: 120, items: 60, eventsPerUser: 10, seed: 7 };

/** A store file holding a synthetic shop, with `model` trained and active when given. */
export async function shopStore(path: string, options: { shop?: ShopOptions; model?: string; params?: Record<string, unknown> } = {}): Promise<SqliteStore> {
  const store = new SqliteStore(path, { synchronous: 'normal' });
  await importDataset(store, cleanDataset(syntheticShop(options.shop ?? SMALL_SHOP)));
  if (options.model) {
    const info = await trainFromStore(store, options.model, options.params ?? {});
    await store.activateModel(info.name, info.version);
  }
  return store;
}

export interface TestApp {
  app: FastifyInstance;
  service: RecommenderService;
  store: SqliteStore;
  close(): Promise<void>;
}

/** An app on the store; the per-key rate limit is off unless `limits` says otherwise (inject is faster than any client). */
export async function openApp(store: SqliteStore, options: { keys?: ApiKeys; bodyLimit?: number; limits?: Partial<ServeLimits> } = {}): Promise<TestApp> {
  const service = await RecommenderService.open(store, { warn: () => {} });
  const app = await buildApp({ service, keys: options.keys, bodyLimit: options.bodyLimit, limits: { rateLimit: 0, ...options.limits } });
  await app.ready();
  return {
    app,
    service,
    store,
    async close() {
      await app.close();
      await service.close();
      await store.close();
    },
  };
}

/** An app on the store file at `path` (opened anew, as a restarted server would), and `ids`: a user's top 10 ids. */
export async function openAppAt(path: string): Promise<TestApp & { ids: (user: string, query?: string) => Promise<string[]> }> {
  const t = await openApp(new SqliteStore(path));
  const ids = async (user: string, query = '') => json<{ items: { id: string }[] }>(await t.app.inject({ url: `/recommend/${user}?k=10${query}` })).items.map((i) => i.id);
  return { ...t, ids };
}

/** Parses a JSON response body. */
export function json<T = any>(res: { body: string }): T {
  return JSON.parse(res.body) as T;
}
