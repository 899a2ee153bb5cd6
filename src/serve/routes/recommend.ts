import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.js';
import { DEFAULT_LIMITS, type ServeLimits } from '../limits.js';
import type { ServerMetrics } from '../metrics.js';
import { errorResponses, idSchema, itemEntrySchema } from '../schemas.js';
import type { RecommenderService } from '../service.js';

const FLAGS: Record<string, string> = { '': 'true', '1': 'true', yes: 'true', on: 'true', '0': 'false', no: 'false', off: 'false' };

/**
 * For the heavy rate limit, read from the raw query before validation: `?explain` unless it says
 * otherwise, or a list longer than `heavyK`.
 */
const heavy = (query: unknown, heavyK: number): boolean => {
  const q = query as Record<string, unknown> | undefined;
  const explain = q?.explain;
  const k = typeof q?.k === 'string' ? Number(q.k) : 0;
  return (typeof explain === 'string' && FLAGS[explain.toLowerCase()] !== 'false') || k > heavyK;
};

/** GET /recommend/:user and GET /similar/:item. */
export function recommendRoutes(app: FastifyInstance, service: RecommenderService, metrics: ServerMetrics, limits: ServeLimits = DEFAULT_LIMITS): void {
  const kSchema = { type: 'integer', minimum: 1, maximum: limits.maxK, default: 10, description: `how many items (1-${limits.maxK})` } as const;
  app.get<{ Params: { user: string }; Querystring: { k: number; filter?: string; explain: boolean } }>(
    '/recommend/:user',
    {
      config: { scope: 'read', heavy: (request) => heavy(request.query, limits.heavyK) },
      schema: {
        summary: 'The top-k items for a user (seen and deleted items excluded)',
        description:
          'A user the model knows is scored by it; events newer than the model are folded in at once. ' +
          'An unknown user, or a store with no trained model, gets the most popular items with fallback: true.',
        params: { type: 'object', required: ['user'], properties: { user: idSchema } },
        querystring: {
          type: 'object',
          properties: {
            k: kSchema,
            filter: {
              type: 'string',
              maxLength: 1024,
              pattern: '^[^:,]+:[^,]*(,[^:,]+:[^,]*)*$',
              description: 'attr:value[,attr:value]: only items whose attribute equals (or whose list contains) every value',
            },
            explain: { type: 'boolean', default: false, description: `say why each item is there (k up to ${limits.maxExplainK}); explained lists and lists longer than ${limits.heavyK} count against the heavy rate limit` },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['user', 'items', 'model', 'fallback'],
            properties: {
              user: { type: 'string' },
              items: { type: 'array', items: itemEntrySchema },
              model: { type: 'string', description: 'name@version of what ranked the list (popularity@live for the fallback)' },
              fallback: { type: 'boolean' },
            },
          },
          ...errorResponses,
        },
      },
      // `?explain`, `?explain=1` and `?explain=yes` mean true, as people write them.
      preValidation: async (request) => {
        const query = request.query as Record<string, unknown>;
        if (typeof query.explain === 'string') query.explain = FLAGS[query.explain.toLowerCase()] ?? query.explain;
      },
    },
    async (request) => {
      const { k, filter, explain } = request.query;
      if (explain && k > limits.maxExplainK) throw new HttpError(400, `querystring/k must be at most ${limits.maxExplainK} with explain=true (each reason costs a walk over the history), got ${k}`);
      const result = service.recommend(request.params.user, { k, filter, explain });
      metrics.recommendations.inc({ fallback: String(result.fallback) });
      return result;
    },
  );

  app.get<{ Params: { item: string }; Querystring: { k: number } }>(
    '/similar/:item',
    {
      config: { scope: 'read', heavy: (request) => heavy(request.query, limits.heavyK) },
      schema: {
        summary: 'The k items most similar to an item',
        params: { type: 'object', required: ['item'], properties: { item: idSchema } },
        querystring: { type: 'object', properties: { k: kSchema } },
        response: {
          200: {
            type: 'object',
            required: ['item', 'items', 'model', 'fallback'],
            properties: { item: { type: 'string' }, items: { type: 'array', items: itemEntrySchema }, model: { type: 'string' }, fallback: { type: 'boolean' } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => service.similar(request.params.item, request.query.k),
  );
}
