import type { FastifyInstance } from 'fastify';
import { modelNames, parseParams } from '../../models/registry.js';
import { HttpError } from '../errors.js';
import { checkJobParams } from '../job-limits.js';
import { errorResponses, errorSchema, jobSchema, modelInfoSchema } from '../schemas.js';
import type { RecommenderService } from '../service.js';

const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' } },
} as const;

function knownModel(name: string): void {
  if (!modelNames().includes(name)) throw new HttpError(404, `unknown model "${name}"; known models: ${modelNames().join(', ')}`);
}

/** The model registry: list, train in the background, activate a version. */
export function modelRoutes(app: FastifyInstance, service: RecommenderService): void {
  app.get(
    '/models',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'Trained models, the one being served, recent training jobs and the models that can be trained',
        response: {
          200: {
            type: 'object',
            required: ['active', 'models', 'jobs', 'available'],
            properties: {
              active: { type: ['string', 'null'] },
              models: { type: 'array', items: modelInfoSchema },
              jobs: { type: 'array', items: jobSchema },
              available: { type: 'array', items: { type: 'string' } },
            },
          },
          ...errorResponses,
        },
      },
    },
    async () => ({
      active: service.live?.label ?? null,
      models: await service.store.listModels(),
      jobs: await service.jobs.list(),
      available: modelNames(),
    }),
  );

  app.get<{ Params: { id: number } }>(
    '/models/jobs/:id',
    {
      config: { scope: 'read' },
      schema: {
        summary: 'A training job',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
        response: { 200: jobSchema, ...errorResponses },
      },
    },
    async (request) => {
      const job = await service.jobs.get(request.params.id);
      if (!job) throw new HttpError(404, `no training job ${request.params.id}`);
      return job;
    },
  );

  app.delete<{ Params: { id: number } }>(
    '/models/jobs/:id',
    {
      config: { scope: 'write' },
      schema: {
        summary: 'Cancel a training job',
        description: 'A running job is stopped (its training process killed) and a queued one will not run; the model served does not change. A finished job is returned as it is.',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
        response: { 200: jobSchema, ...errorResponses },
      },
    },
    async (request) => {
      const job = await service.jobs.cancel(request.params.id);
      if (!job) throw new HttpError(404, `no training job ${request.params.id}`);
      return job;
    },
  );

  app.post<{ Params: { name: string }; Body: { params?: Record<string, unknown>; activate?: boolean; wait?: boolean } | null }>(
    '/models/:name/train',
    {
      config: { scope: 'write' },
      schema: {
        summary: 'Train a model on everything in the store, in the background, and (by default) serve it when done',
        description:
          'Answers 202 with the job at once; with wait: true, 200 with the finished job. Embedded, one job runs at a time (409 otherwise) in a child process; with Redis, jobs queue for `unirec worker`. Size parameters are bounded (400), and a job is stopped past its time or memory limit. A failed job waited for is a 422.',
        params: nameParams,
        body: {
          type: ['object', 'null'],
          additionalProperties: false,
          properties: {
            params: { type: 'object', description: 'model parameters (see GET /models for names; defaults apply)' },
            activate: { type: 'boolean', default: true },
            wait: { type: 'boolean', default: false },
          },
        },
        response: { 200: jobSchema, 202: jobSchema, 422: errorSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { name } = request.params;
      knownModel(name);
      const body = request.body ?? {};
      const params = parseParams(name, body.params ?? {}); // a bad parameter is a 400 now, not a failed job later
      checkJobParams(name, params);
      const { job, done } = await service.train(name, params, body.activate ?? true);
      if (body.wait) {
        const finished = await done;
        if (finished.status === 'failed' || finished.status === 'cancelled') throw new HttpError(422, `training ${name} ${finished.status === 'cancelled' ? 'was cancelled' : `failed: ${finished.error}`}`);
        return finished;
      }
      return reply.code(202).send(job);
    },
  );

  app.post<{ Params: { name: string }; Body: { version?: number } | null; Querystring: { version?: number } }>(
    '/models/:name/activate',
    {
      config: { scope: 'write' },
      schema: {
        summary: 'Serve a trained version (the latest when no version is given); the swap is atomic',
        params: nameParams,
        querystring: { type: 'object', properties: { version: { type: 'integer', minimum: 1 } } },
        body: { type: ['object', 'null'], additionalProperties: false, properties: { version: { type: 'integer', minimum: 1 } } },
        response: { 200: modelInfoSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { name } = request.params;
      knownModel(name);
      const version = request.body?.version ?? request.query.version;
      return service.activate(name, version);
    },
  );
}
