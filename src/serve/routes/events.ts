import type { FastifyInstance } from 'fastify';
import type { EventInput } from '../../store/store.js';
import { HttpError } from '../errors.js';
import type { ServerMetrics } from '../metrics.js';
import { errorResponses, eventSchema, MAX_BATCH } from '../schemas.js';
import type { RecommenderService } from '../service.js';

type WireEvent = Omit<EventInput, 'ts'> & { ts?: number | string };

/** Seconds since the epoch from a number or an ISO 8601 date; a 400 naming the event otherwise. */
function seconds(ts: number | string | undefined, index: number): number | undefined {
  if (ts === undefined || typeof ts === 'number') return ts;
  const ms = Date.parse(ts);
  if (Number.isNaN(ms)) throw new HttpError(400, `body/events/${index}/ts must be Unix seconds or an ISO 8601 date, got ${JSON.stringify(ts)}`);
  return ms / 1000;
}

export function eventRoutes(app: FastifyInstance, service: RecommenderService, metrics: ServerMetrics): void {
  app.post<{ Body: { events: WireEvent[] } }>(
    '/events',
    {
      config: { scope: 'write' },
      schema: {
        summary: 'Append a batch of events (all stored or none)',
        description:
          'Body: {"events": [...]}, or a bare array of events, or a single event. Users and items seen for the first time are created. ' +
          'An event whose key was stored before is acknowledged (counted in duplicates) but not stored again. ' +
          'Stored events count in the next recommendation of their user, without retraining.',
        body: {
          type: 'object',
          required: ['events'],
          additionalProperties: false,
          properties: { events: { type: 'array', minItems: 1, maxItems: MAX_BATCH, items: eventSchema } },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              accepted: { type: 'integer', description: 'events in the batch' },
              stored: { type: 'integer', description: 'events newly written' },
              duplicates: { type: 'integer', description: 'events whose key was already stored' },
              lastSeq: { type: 'integer', description: 'log position of the last stored event (0 when none)' },
            },
          },
          ...errorResponses,
        },
      },
      // Accept the shapes clients naturally send: a bare array or one event, as well as {events: [...]}.
      preValidation: async (request) => {
        const body = request.body as unknown;
        if (Array.isArray(body)) request.body = { events: body };
        else if (body !== null && typeof body === 'object' && !('events' in body) && ('user' in body || 'item' in body)) {
          request.body = { events: [body as WireEvent] };
        }
      },
    },
    async (request) => {
      const events: EventInput[] = request.body.events.map((e, index) => {
        const ts = seconds(e.ts, index);
        return ts === undefined ? { ...e, ts: undefined } : { ...e, ts };
      });
      const result = await service.postEvents(events);
      metrics.events.inc({ result: 'stored' }, result.stored.length);
      if (result.duplicates) metrics.events.inc({ result: 'duplicate' }, result.duplicates);
      return {
        accepted: events.length,
        stored: result.stored.length,
        duplicates: result.duplicates,
        lastSeq: result.stored.length ? result.stored[result.stored.length - 1]!.seq : 0,
      };
    },
  );
}
