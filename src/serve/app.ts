import { STATUS_CODES } from 'node:http';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { UnirecError } from '../errors.js';
import { StoreUnavailableError } from '../store/unavailable.js';
import { type ApiKeys, checkAccess, presentedKey, type Scope } from './auth.js';
import { HttpError } from './errors.js';
import { resolveLimits, type ServeLimits } from './limits.js';
import { ServerMetrics } from './metrics.js';
import { type OverLimit, rateLimiter } from './rate-limit.js';
import { redactUrl } from './redact.js';
import { catalogRoutes } from './routes/catalog.js';
import { dashboardRoutes, type DashboardOptions } from './routes/dashboard.js';
import { eventRoutes } from './routes/events.js';
import { historyRoutes } from './routes/history.js';
import { modelRoutes } from './routes/models.js';
import { nameOperation } from './operation-ids.js';
import { opsRoutes } from './routes/ops.js';
import { recommendRoutes } from './routes/recommend.js';
import { securityHeaders } from './security-headers.js';
import type { RecommenderService } from './service.js';
import { storeFailure } from './store-errors.js';
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
  /** where the request log goes instead of stderr (tests) */
  logStream?: NodeJS.WritableStream;
  /** caps on k, rate limits, connection limits (defaults: DEFAULT_LIMITS) */
  limits?: Partial<ServeLimits>;
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
  const limits = resolveLimits(options.limits);
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    routerOptions: { maxParamLength: 300 },
    logger:
      options.log || options.logStream
        ? {
            level: 'info',
            stream: options.logStream ?? process.stderr,
            // A key a client put in the query string is not written to the log.
            serializers: { req: (req) => ({ method: req.method, url: redactUrl(req.url), host: req.host, remoteAddress: req.ip }) },
          }
        : false,
    // Idle keep-alive sockets are closed, and a request must arrive whole in time (slow senders).
    keepAliveTimeout: limits.idleTimeoutSeconds * 1000,
    connectionTimeout: limits.requestTimeoutSeconds * 1000,
    requestTimeout: limits.requestTimeoutSeconds * 1000,
    // Prototype-poisoning keys in a JSON body are refused (400), never merged into objects.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
  });
  if (limits.maxConnections > 0) app.server.maxConnections = limits.maxConnections;
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
  const limits = resolveLimits(options.limits);
  app.addHook('onRoute', nameOperation);
  app.setValidatorCompiler(validatorCompiler);
  // The API speaks JSON only: any other body is a 415, not a string that fails validation later.
  app.removeContentTypeParser('text/plain');
  const metrics = new ServerMetrics(service);
  await securityHeaders(app);
  const limiter = await rateLimiter(app, keys, limits);

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

  const tooMany = async (reply: FastifyReply, over: OverLimit, what: string) => {
    const hold = Math.min(over.windowEndsMs, limits.holdOverLimitMs);
    if (hold > 0) await new Promise((resolve) => setTimeout(resolve, hold));
    return reply.code(429).header('retry-after', String(over.retryAfter)).send(send(429, `${what}; retry in ${over.retryAfter} s`));
  };
  app.addHook('onRequest', async (request, reply) => {
    const need = request.routeOptions.config?.scope ?? 'public';
    const key = presentedKey(request.headers);
    const status = checkAccess(keys, key, need);
    if (status === 401) {
      const wait = await limiter.refused(request);
      if (wait !== undefined) return tooMany(reply, wait, 'too many requests with a wrong or missing API key from this address');
      return reply.code(401).send(send(401, 'an API key is required: send "Authorization: Bearer KEY" or "X-API-Key: KEY"'));
    }
    const wait = await limiter.admit(request, checkAccess(keys, key, 'read') === 0 ? key : undefined);
    if (wait !== undefined) return tooMany(reply, wait, 'rate limit exceeded for this API key (or address)');
    if (status === 403) return reply.code(403).send(send(403, `this key may only read; ${request.method} ${request.routeOptions.url} needs a write key`));
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.duration.observe({ route }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err.validation) return reply.code(400).send(send(400, err.message));
    // Nothing was written: the client may retry once the store is back.
    if (err instanceof StoreUnavailableError) return reply.code(503).header('retry-after', '1').send(send(503, err.message));
    if (err instanceof HttpError && err.statusCode >= 500) return reply.code(err.statusCode).send(send(err.statusCode, err.message));
    const status = err instanceof HttpError ? err.statusCode : err instanceof UnirecError ? 400 : err.statusCode;
    if (status !== undefined && status >= 400 && status < 500) return reply.code(status).send(send(status, err.message));
    const failure = storeFailure(err);
    if (failure) {
      if (failure.statusCode !== 503 || !/busy/.test(failure.message)) process.stderr.write(`unirec: error: ${request.method} ${redactUrl(request.url)}: ${err.code}: ${err.message}\n`);
      return reply.code(failure.statusCode).header('retry-after', '5').send(send(failure.statusCode, failure.message));
    }
    request.log.error(err);
    process.stderr.write(`unirec: error: ${request.method} ${redactUrl(request.url)}: ${err.stack ?? err.message}\n`);
    return reply.code(500).send(send(500, 'internal error (logged by the server)'));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(send(404, `no route ${request.method} ${request.url.slice(0, 200)}; see GET /openapi.json`));
  });

  eventRoutes(app, service, metrics);
  catalogRoutes(app, service);
  recommendRoutes(app, service, metrics, limits);
  historyRoutes(app, service);
  modelRoutes(app, service);
  opsRoutes(app, service, metrics);
  await dashboardRoutes(app, service, options.dashboard);
}
