import type { FastifyInstance } from 'fastify';
import type { EventInput } from '../../store/store.js';
import { HttpError } from '../errors.js';
import type { ServerMetrics } from '../metrics.js';
import { errorResponses, eventSchema, MAX_BATCH, MAX_TS, MIN_TS } from '../schemas.js';
import type { RecommenderService } from '../service.js';

type WireEvent = Omit<EventInput, 'ts'> & { ts?: number | string };

/** An ISO 8601 date, with a time and a zone or not: 2024-05-01, 2024-05-01T12:00, 2024-05-01T12:00:00.5+02:00. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Seconds since the epoch from a number or an ISO 8601 date, within MIN_TS..MAX_TS; a 400 naming the
 * event otherwise. Other strings are refused, not guessed at: Date.parse reads "1" as the year 2001.
 */
export function eventSeconds(ts: number | string | undefined, index: number): number | undefined {
  if (ts === undefined) return undefined;
  const field = `body/events/${index}/ts`;
  let s: number;
  if (typeof ts === 'number') s = ts;
  else {
    const ms = ISO_DATE.test(ts) ? Date.parse(ts) : NaN;
    if (Number.isNaN(ms)) {
      const hint = /^\s*-?\d+(\.\d*)?\s*$/.test(ts) ? ' (send Unix seconds as a JSON number, not a string)' : '';
      throw new HttpError(400, `${field} must be Unix seconds (a number) or an ISO 8601 date such as 2024-05-01T12:00:00Z, got ${JSON.stringify(ts)}${hint}`);
    }
    s = ms / 1000;
  }
  if (!(s >= MIN_TS && s < MAX_TS)) {
    const hint = s >= MAX_TS * 10 && s / 1000 < MAX_TS ? ': it looks like milliseconds; divide by 1000' : '';
    throw new HttpError(400, `${field} must be between ${MIN_TS} (1970-01-01) and ${MAX_TS} (3000-01-01) in Unix seconds, got ${ts}${hint}`);
  }
  return s;
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
            required: ['accepted', 'stored', 'duplicates', 'lastSeq'],
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
        const ts = eventSeconds(e.ts, index);
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
