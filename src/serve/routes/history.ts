import type { FastifyInstance } from 'fastify';
import { HttpError } from '../errors.js';
import { errorResponses, idSchema } from '../schemas.js';
import type { RecommenderService } from '../service.js';

/** GET /users/:id/history: a user's events as the store holds them, newest first. */
export function historyRoutes(app: FastifyInstance, service: RecommenderService): void {
  app.get<{ Params: { id: string }; Querystring: { limit: number } }>(
    '/users/:id/history',
    {
      config: { scope: 'read' },
      schema: {
        summary: "A user's events, newest first",
        params: { type: 'object', required: ['id'], properties: { id: idSchema } },
        querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 10_000, default: 100 } } },
        response: {
          200: {
            type: 'object',
            required: ['user', 'items'],
            properties: {
              user: { type: 'string' },
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['id', 'value', 'ts', 'kind', 'seq'],
                  properties: {
                    id: { type: 'string' },
                    value: { type: 'number' },
                    ts: { type: ['number', 'null'], description: 'Unix seconds (null when the source had no time)' },
                    kind: { type: 'string' },
                    seq: { type: 'integer' },
                    key: { type: 'string' },
                  },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const events = await service.store.userHistory(request.params.id, request.query.limit);
      if (!events) throw new HttpError(404, `unknown user "${request.params.id}"`);
      return {
        user: request.params.id,
        items: events.map((e) => ({ id: e.item, value: e.value, ts: Number.isNaN(e.ts) ? null : e.ts, kind: e.kind, seq: e.seq, ...(e.key === undefined ? {} : { key: e.key }) })),
      };
    },
  );
}
