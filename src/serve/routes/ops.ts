import type { FastifyInstance } from 'fastify';
import type { ServerMetrics } from '../metrics.js';
import type { RecommenderService } from '../service.js';

/** GET /health, GET /metrics (Prometheus text) and GET /openapi.json. */
export function opsRoutes(app: FastifyInstance, service: RecommenderService, metrics: ServerMetrics): void {
  app.get(
    '/health',
    {
      config: { scope: 'public', unlimited: true },
      schema: {
        summary: 'Liveness, what depends on what (store, Redis) and a summary of what is served',
        description: 'status "degraded": the store or Redis is unreachable (problems says what still works); always 200 while the process answers.',
        response: {
          200: {
            type: 'object',
            required: ['status', 'store', 'redis', 'problems', 'model', 'users', 'items', 'events', 'training', 'uptimeSeconds'],
            properties: {
              status: { type: 'string', enum: ['ok', 'degraded'] },
              store: { type: 'string' },
              redis: { type: 'string' },
              problems: { type: 'array', items: { type: 'string' } },
              model: { type: ['string', 'null'] },
              users: { type: 'integer' },
              items: { type: 'integer' },
              events: { type: 'integer' },
              training: { type: 'boolean' },
              uptimeSeconds: { type: 'number' },
            },
          },
        },
      },
    },
    async () => ({
      ...service.health(),
      model: service.live?.label ?? null,
      users: service.catalog.users.size,
      items: service.catalog.items.size,
      events: service.catalog.events,
      training: await service.jobs.busy(),
      uptimeSeconds: (Date.now() - service.started) / 1000,
    }),
  );

  app.get('/metrics', { config: { scope: 'read' }, schema: { summary: 'Prometheus metrics (text format)' } }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  app.get('/openapi.json', { config: { scope: 'public' }, schema: { hide: true } }, async () => app.swagger());
}
