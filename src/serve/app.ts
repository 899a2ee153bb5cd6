import { STATUS_CODES } from 'node:http';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { UnirecError } from '../errors.js';
import { type ApiKeys, checkAccess, presentedKey, type Scope } from './auth.js';
import { HttpError } from './errors.js';
import { ServerMetrics } from './metrics.js';
import { catalogRoutes } from './routes/catalog.js';
import { dashboardRoutes, type DashboardOptions } from './routes/dashboard.js';
import { eventRoutes } from './routes/events.js';
import { historyRoutes } from './routes/history.js';
import { modelRoutes } from './routes/models.js';
import { nameOperation } from './operation-ids.js';
import { opsRoutes } from './routes/ops.js';
import { recommendRoutes } from './routes/recommend.js';
import type { RecommenderService } from './service.js';
import { validatorCompiler } from './validation.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** which API key scope the route needs */
    scope?: Scope;
  }
}

export interface AppOptions {
  service: RecommenderService;
  /** no keys: every route is open (the server then listens on 127.0.0.1 only) */
  keys?: ApiKeys;
  /** largest request body in bytes (default 2 MiB: a full batch of 10,000 events fits) */
  bodyLimit?: number;
  /** Fastify's request log on stderr */
  log?: boolean;
  /** the web dashboard under /dashboard/: where its build is, and the evaluation runs it shows */
  dashboard?: DashboardOptions;
}

export const DEFAULT_BODY_LIMIT = 2 * 1024 * 1024;

const send = (status: number, message: string) => ({ statusCode: status, error: STATUS_CODES[status] ?? 'Error', message });

/**
 * The HTTP API: every route validates its input against a JSON schema, so a bad request is a 4xx with
 * the reason and never reaches the store; anything unexpected is a 500 that is logged, and the server
 * carries on.
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    routerOptions: { maxParamLength: 300 },
    logger: options.log ? { level: 'info', stream: process.stderr } : false,
    // Prototype-poisoning keys in a JSON body are refused (400), never merged into objects.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });
  await mountApi(app, options);
  return app;
}

/**
 * The API's routes, hooks, validation and error handling on a Fastify instance: the server's own
 * (buildApp) or a plugin context in an application's server (serve/plugin.ts), where they stay
 * encapsulated under the plugin's prefix.
 */
export async function mountApi(app: FastifyInstance, options: AppOptions): Promise<void> {
  const { service } = options;
  const keys = options.keys ?? { read: new Set<string>(), write: new Set<string>() };
  app.addHook('onRoute', nameOperation);
  app.setValidatorCompiler(validatorCompiler);
  // The API speaks JSON only: any other body is a 415, not a string that fails validation later.
  app.removeContentTypeParser('text/plain');
  const metrics = new ServerMetrics(service);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'unirec',
        version: '0.1.0',
        description: 'Events in, recommendations out: the unirec recommender server.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ apiKey: [] }, { bearer: [] }],
    },
  });

  app.addHook('onRequest', async (request, reply) => {
    const need = request.routeOptions.config?.scope ?? 'public';
    const status = checkAccess(keys, presentedKey(request.headers), need);
    if (status === 401) return reply.code(401).send(send(401, 'an API key is required: send "Authorization: Bearer KEY" or "X-API-Key: KEY"'));
    if (status === 403) return reply.code(403).send(send(403, `this key may only read; ${request.method} ${request.routeOptions.url} needs a write key`));
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.duration.observe({ route }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err.validation) return reply.code(400).send(send(400, err.message));
    const status = err instanceof HttpError ? err.statusCode : err instanceof UnirecError ? 400 : err.statusCode;
    if (status !== undefined && status >= 400 && status < 500) return reply.code(status).send(send(status, err.message));
    if (/^SQLITE_(BUSY|LOCKED)/.test(err.code ?? '')) return reply.code(503).send(send(503, 'the store is busy; retry shortly'));
    request.log.error(err);
    process.stderr.write(`unirec: error: ${request.method} ${request.url}: ${err.stack ?? err.message}\n`);
    return reply.code(500).send(send(500, 'internal error (logged by the server)'));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(send(404, `no route ${request.method} ${request.url.slice(0, 200)}; see GET /openapi.json`));
  });

  eventRoutes(app, service, metrics);
  catalogRoutes(app, service);
  recommendRoutes(app, service, metrics);
  historyRoutes(app, service);
  modelRoutes(app, service);
  opsRoutes(app, service, metrics);
  await dashboardRoutes(app, service, options.dashboard);
}
