import { statSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { UnirecError } from '../../errors.js';
import { topK } from '../../math/topk.js';
import { SqliteStore } from '../../store/sqlite.js';
import { ContentNeighbours } from '../content-neighbours.js';
import { EventStatsCache } from '../dashboard-stats.js';
import { HttpError } from '../errors.js';
import { readEvalRuns } from '../eval-runs.js';
import { attributesAnswerSchema, errorResponses, idSchema, itemEntrySchema, metricsSchema, modelInfoSchema } from '../schemas.js';
import type { RecommenderService } from '../service.js';

export interface DashboardApiOptions {
  /** folder of `unirec evaluate --json` results for the experiment page (`unirec serve --runs DIR`) */
  runsDir?: string;
}

const tags = ['dashboard'];
const listQuery = {
  type: 'object',
  properties: {
    q: { type: 'string', maxLength: 256, description: 'only ids (or item titles) containing this text, any case' },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  },
} as const;
const idParams = { type: 'object', required: ['id'], properties: { id: idSchema } } as const;
const counted = {
  type: 'array',
  items: { type: 'object', required: ['id', 'events'], properties: { id: { type: 'string' }, title: { type: 'string' }, events: { type: 'integer' } } },
} as const;
/** One `unirec evaluate --json` result as the experiment page reads it (src/serve/eval-runs.ts). */
const evalRun = {
  type: 'object',
  required: ['source', 'label', 'model', 'protocol', 'params', 'data', 'metrics', 'fit_seconds', 'eval_seconds'],
  properties: {
    source: { type: 'string', description: 'file it came from (and its line or index when the file holds several)' },
    label: { type: 'string', description: 'tells runs of the same model apart (as in `unirec report`)' },
    model: { type: 'string' },
    protocol: { type: 'string' },
    dataset: { type: 'string' },
    seed: { type: 'number' },
    params: { type: 'object', additionalProperties: true },
    data: {
      type: 'object',
      required: ['users', 'items', 'interactions'],
      properties: { users: { type: 'integer' }, items: { type: 'integer' }, interactions: { type: 'integer' } },
    },
    metrics: metricsSchema,
    fit_seconds: { type: 'number' },
    eval_seconds: { type: 'number' },
  },
} as const;

/**
 * Read-only aggregates the dashboard pages need beyond the public API: counts, events per day, the
 * busiest users and items, a user's or item's page in one request, and evaluation runs. All answer from
 * memory or from cached SQL aggregates, so a page loads fast on a store of millions of events.
 */
export function dashboardApiRoutes(app: FastifyInstance, service: RecommenderService, options: DashboardApiOptions = {}): void {
  if (options.runsDir !== undefined && !statSync(options.runsDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UnirecError(`--runs ${options.runsDir}: no such folder (it should hold \`unirec evaluate --json\` results)`);
  }
  const { catalog, store } = service;
  const eventStats = store instanceof SqliteStore ? new EventStatsCache(store.db) : undefined;
  const content = new ContentNeighbours(store, catalog);
  // Counting a million events by day takes about a second, encoding every item's attributes a fraction
  // of one: do both while the server starts, so the first visitor does not wait (new events are then
  // counted incrementally). A failure here must not keep the API down: the page asking will report it.
  app.addHook('onReady', async () => {
    try {
      eventStats?.get(catalog.events);
      await content.prepare();
    } catch (err) {
      process.stderr.write(`unirec: warning: dashboard warm-up failed: ${(err as Error).message}\n`);
    }
  });

  app.get(
    '/dashboard/api/overview',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Counts, events per day and per kind, the busiest items and users, and the model being served',
        response: {
          200: {
            type: 'object',
            required: ['users', 'items', 'events', 'model', 'activeModel', 'training', 'eventStats', 'topItems', 'topUsers'],
            properties: {
              users: { type: 'integer' },
              items: { type: 'integer' },
              events: { type: 'integer' },
              model: { type: ['string', 'null'] },
              activeModel: { ...modelInfoSchema, type: ['object', 'null'] },
              training: { type: 'boolean' },
              eventStats: {
                anyOf: [
                  {
                    type: 'object',
                    required: ['perDay', 'undated', 'kinds', 'total'],
                    properties: {
                      perDay: { type: 'array', items: { type: 'object', required: ['day', 'events'], properties: { day: { type: 'string' }, events: { type: 'integer' } } } },
                      undated: { type: 'integer' },
                      kinds: { type: 'array', items: { type: 'object', required: ['kind', 'events'], properties: { kind: { type: 'string' }, events: { type: 'integer' } } } },
                      total: { type: 'integer' },
                    },
                  },
                  { type: 'null' },
                ],
              },
              topItems: counted,
              topUsers: counted,
            },
          },
          ...errorResponses,
        },
      },
    },
    async () => {
      const live = service.live;
      return {
        users: catalog.users.size,
        items: catalog.items.size - catalog.deletedItems().size,
        events: catalog.events,
        model: live?.label ?? null,
        activeModel: live ? { ...live.info, active: true } : null,
        training: await service.jobs.busy(),
        eventStats: eventStats?.get(catalog.events) ?? null,
        topItems: popularItems('', 10),
        topUsers: activeUsers('', 10),
      };
    },
  );

  /** Users whose id contains `q`, most events first. */
  function activeUsers(q: string, limit: number): { id: string; events: number }[] {
    const needle = q.toLowerCase();
    const ids: string[] = [];
    const counts: number[] = [];
    for (const [id, h] of catalog.users) {
      if (needle && !id.toLowerCase().includes(needle)) continue;
      ids.push(id);
      counts.push(h.items.length);
    }
    const best = topK(Float32Array.from(counts), limit);
    return Array.from(best.indices, (r) => ({ id: ids[r]!, events: counts[r]! }));
  }

  /** Items whose id or title contains `q`, most events first (deleted items left out). */
  function popularItems(q: string, limit: number): { id: string; title?: string; events: number }[] {
    const needle = q.toLowerCase();
    const pop = catalog.popularity();
    const keep = new Uint8Array(pop.length);
    for (let c = 0; c < pop.length; c++) {
      if (catalog.isDeleted(c)) continue;
      if (needle && !catalog.items.external(c).toLowerCase().includes(needle) && !(catalog.title(c)?.toLowerCase().includes(needle) ?? false)) continue;
      keep[c] = 1;
    }
    const best = topK(pop, limit, keep.map((k) => 1 - k));
    return Array.from(best.indices, (c) => {
      const title = catalog.title(c);
      return { id: catalog.items.external(c), ...(title === undefined ? {} : { title }), events: pop[c]! };
    });
  }

  app.get<{ Querystring: { q?: string; limit: number } }>(
    '/dashboard/api/users',
    {
      config: { scope: 'read' },
      schema: { tags, summary: 'Users with events, most active first, optionally matching a text', querystring: listQuery, response: { 200: { type: 'object', required: ['users'], properties: { users: counted } }, ...errorResponses } },
    },
    async (request) => ({ users: activeUsers(request.query.q ?? '', request.query.limit) }),
  );

  app.get<{ Querystring: { q?: string; limit: number } }>(
    '/dashboard/api/items',
    {
      config: { scope: 'read' },
      schema: { tags, summary: 'Items, most popular first, optionally matching a text in id or title', querystring: listQuery, response: { 200: { type: 'object', required: ['items'], properties: { items: counted } }, ...errorResponses } },
    },
    async (request) => ({ items: popularItems(request.query.q ?? '', request.query.limit) }),
  );

  app.get<{ Params: { id: string } }>(
    '/dashboard/api/users/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: "A user's attributes, latest events (with item titles) and how the served model sees them",
        params: idParams,
        response: {
          200: {
            type: 'object',
            required: ['id', 'attributes', 'events', 'history', 'model'],
            properties: {
              id: { type: 'string' },
              attributes: attributesAnswerSchema,
              events: { type: 'integer' },
              history: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['id', 'value', 'ts', 'kind', 'seq'],
                  properties: {
                    id: { type: 'string' },
                    title: { type: 'string' },
                    value: { type: 'number' },
                    ts: { type: ['number', 'null'] },
                    kind: { type: 'string' },
                    seq: { type: 'integer' },
                  },
                },
              },
              model: {
                type: ['object', 'null'],
                required: ['label', 'trainedOnUser', 'newerEvents'],
                properties: {
                  label: { type: 'string' },
                  trainedOnUser: { type: 'boolean', description: 'the user was in the model’s training data' },
                  newerEvents: { type: 'boolean', description: 'the user has events newer than the model (folded in at request time)' },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const attributes = await store.getUser(id);
      const h = catalog.users.get(id);
      if (attributes === undefined && !h) throw new HttpError(404, `unknown user "${id}"`);
      const events = (await store.userHistory(id, 50)) ?? [];
      const live = service.live;
      return {
        id,
        attributes: attributes ?? {},
        events: h?.items.length ?? 0,
        history: events.map((e) => {
          const title = catalog.title(catalog.items.get(e.item));
          return { id: e.item, ...(title === undefined ? {} : { title }), value: e.value, ts: Number.isNaN(e.ts) ? null : e.ts, kind: e.kind, seq: e.seq };
        }),
        model: live ? { label: live.label, trainedOnUser: live.users.get(id) >= 0, newerEvents: (h?.lastSeq ?? 0) > live.trainedThroughSeq } : null,
      };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { k: number } }>(
    '/dashboard/api/items/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: "An item's attributes, its events, and similar items by the served model (CF) and by attributes (content)",
        params: idParams,
        querystring: { type: 'object', properties: { k: { type: 'integer', minimum: 1, maximum: 100, default: 10 } } },
        response: {
          200: {
            type: 'object',
            required: ['id', 'attributes', 'events', 'cf', 'content'],
            properties: {
              id: { type: 'string' },
              title: { type: 'string' },
              attributes: attributesAnswerSchema,
              events: { type: 'integer' },
              cf: {
                type: 'object',
                required: ['items', 'model', 'fallback'],
                properties: { items: { type: 'array', items: itemEntrySchema }, model: { type: 'string' }, fallback: { type: 'boolean' } },
              },
              content: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['id', 'score', 'shared'],
                  properties: { id: { type: 'string' }, title: { type: 'string' }, score: { type: 'number' }, shared: { type: 'array', items: { type: 'string' } } },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { k } = request.query;
      const attributes = await store.getItem(id);
      if (attributes === undefined || !catalog.hasItem(id)) throw new HttpError(404, `unknown item "${id}"`);
      const c = catalog.items.get(id);
      const cf = service.similar(id, k);
      const title = catalog.title(c);
      return {
        id,
        ...(title === undefined ? {} : { title }),
        attributes,
        events: catalog.popularity()[c] ?? 0,
        cf: { items: cf.items, model: cf.model, fallback: cf.fallback },
        content: await content.similar(id, k),
      };
    },
  );

  app.get(
    '/dashboard/api/runs',
    {
      config: { scope: 'read' },
      schema: {
        tags,
        summary: 'Evaluation results (`unirec evaluate --json`) from the folder given to `unirec serve --runs DIR`',
        response: {
          200: {
            type: 'object',
            required: ['dir', 'runs', 'problems'],
            properties: {
              dir: { type: ['string', 'null'] },
              runs: { type: 'array', items: evalRun },
              problems: { type: 'array', items: { type: 'object', required: ['source', 'error'], properties: { source: { type: 'string' }, error: { type: 'string' } } } },
            },
          },
          ...errorResponses,
        },
      },
    },
    async () => {
      if (!options.runsDir) return { dir: null, runs: [], problems: [] };
      try {
        return { dir: options.runsDir, ...(await readEvalRuns(options.runsDir)) };
      } catch (err) {
        return { dir: options.runsDir, runs: [], problems: [{ source: options.runsDir, error: (err as Error).message }] };
      }
    },
  );
}
