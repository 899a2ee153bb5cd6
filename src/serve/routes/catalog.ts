import type { FastifyInstance } from 'fastify';
import type { Attributes } from '../../store/store.js';
import { HttpError } from '../errors.js';
import { attributesAnswerSchema, attributesSchema, errorResponses, idSchema } from '../schemas.js';
import type { RecommenderService } from '../service.js';

const idParams = { type: 'object', required: ['id'], properties: { id: idSchema } } as const;
const entity = { type: 'object', required: ['id', 'attributes'], properties: { id: { type: 'string' }, attributes: attributesAnswerSchema } } as const;
const putAnswer = { type: 'object', required: ['id', 'created'], properties: { id: { type: 'string' }, created: { type: 'boolean' } } } as const;
const itemPutAnswer = {
  type: 'object',
  required: ['id', 'created', 'placed'],
  properties: {
    id: { type: 'string' },
    created: { type: 'boolean' },
    placed: {
      type: 'boolean',
      description: 'whether the served model can recommend the item now: it was trained on it, or placed it by its attributes (hybrid-mf, two-tower)',
    },
    reason: { type: 'string', description: 'when not placed: why, and when it will be (stored either way; a model trained after it places it)' },
  },
} as const;
const deleteAnswer = { type: 'object', required: ['id', 'deleted'], properties: { id: { type: 'string' }, deleted: { type: 'boolean' } } } as const;

/** PUT, GET and DELETE for items and users: the catalogue the recommendations draw on. */
export function catalogRoutes(app: FastifyInstance, service: RecommenderService): void {
  app.put<{ Params: { id: string }; Body: Attributes }>(
    '/items/:id',
    {
      config: { scope: 'write' },
      schema: {
        summary: "Create or replace an item's attributes (a deleted item comes back); says whether the served model recommends it yet",
        params: idParams,
        body: attributesSchema,
        response: { 200: itemPutAnswer, ...errorResponses },
      },
    },
    async (request) => ({ id: request.params.id, ...(await service.putItem(request.params.id, request.body)) }),
  );

  app.get<{ Params: { id: string } }>(
    '/items/:id',
    { config: { scope: 'read' }, schema: { summary: "An item's attributes", params: idParams, response: { 200: entity, ...errorResponses } } },
    async (request) => {
      const attributes = await service.store.getItem(request.params.id);
      if (!attributes) throw new HttpError(404, `unknown item "${request.params.id}"`);
      return { id: request.params.id, attributes };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/items/:id',
    {
      config: { scope: 'write' },
      schema: {
        summary: 'Remove an item from the catalogue: never recommended again (its events stay in the log)',
        params: idParams,
        response: { 200: deleteAnswer, ...errorResponses },
      },
    },
    async (request) => {
      await service.deleteItem(request.params.id);
      return { id: request.params.id, deleted: true };
    },
  );

  app.put<{ Params: { id: string }; Body: Attributes }>(
    '/users/:id',
    {
      config: { scope: 'write' },
      schema: { summary: "Create or replace a user's attributes", params: idParams, body: attributesSchema, response: { 200: putAnswer, ...errorResponses } },
    },
    async (request) => ({ id: request.params.id, created: await service.putUser(request.params.id, request.body) }),
  );

  app.get<{ Params: { id: string } }>(
    '/users/:id',
    { config: { scope: 'read' }, schema: { summary: "A user's attributes", params: idParams, response: { 200: entity, ...errorResponses } } },
    async (request) => {
      const attributes = await service.store.getUser(request.params.id);
      if (!attributes) throw new HttpError(404, `unknown user "${request.params.id}"`);
      return { id: request.params.id, attributes };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/users/:id',
    {
      config: { scope: 'write' },
      schema: {
        summary: 'Forget a user: their attributes and their events are deleted from the store',
        params: idParams,
        response: { 200: deleteAnswer, ...errorResponses },
      },
    },
    async (request) => {
      await service.deleteUser(request.params.id);
      return { id: request.params.id, deleted: true };
    },
  );
}
