// JSON schemas shared by the routes: Fastify validates every request against them (a failure is a 400
// naming the field) and @fastify/swagger turns them into the OpenAPI document.

/** An external user or item id: printable, not empty, bounded. */
export const idSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 256,
  pattern: '^[^\\u0000-\\u001f\\u007f]+$',
  description: 'external id (1-256 characters, no control characters)',
} as const;

export const errorSchema = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    error: { type: 'string' },
    message: { type: 'string', description: 'what was wrong with the request' },
  },
} as const;

/** The error answers every route may give, for the OpenAPI document. */
export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  413: errorSchema,
  415: errorSchema,
} as const;

/** Flat attributes: strings, numbers, booleans, null, or lists of strings and numbers. */
export const attributesSchema = {
  type: 'object',
  maxProperties: 200,
  propertyNames: { minLength: 1, maxLength: 128 },
  additionalProperties: {
    type: ['string', 'number', 'boolean', 'null', 'array'],
    maxLength: 10_000,
    maxItems: 1000,
    items: { type: ['string', 'number'], maxLength: 1000 },
  },
  description: 'flat attributes: strings, numbers, booleans, null, or lists of strings and numbers',
} as const;

export const MAX_BATCH = 10_000;

export const eventSchema = {
  type: 'object',
  required: ['user', 'item'],
  additionalProperties: false,
  properties: {
    user: idSchema,
    item: idSchema,
    value: { type: 'number', minimum: -1e9, maximum: 1e9, description: 'rating or weight (default 1)' },
    ts: { type: ['number', 'string'], maxLength: 64, description: 'Unix seconds or an ISO 8601 date (default: now)' },
    kind: { type: 'string', minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9_.:-]+$', description: "e.g. rating, click, purchase (default 'interaction')" },
    key: { type: 'string', minLength: 1, maxLength: 256, description: 'idempotency key: a repeated key is acknowledged but not stored twice' },
  },
} as const;

export const itemEntrySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    score: { type: 'number' },
    title: { type: 'string' },
    reasons: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const modelInfoSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    version: { type: 'integer' },
    params: { type: 'object', additionalProperties: true },
    metrics: { type: 'object', additionalProperties: true },
    checksum: { type: 'string' },
    created: { type: 'number' },
    active: { type: 'boolean' },
    trainedThroughSeq: { type: 'integer' },
    bytes: { type: 'integer' },
  },
} as const;

export const jobSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    model: { type: 'string' },
    params: { type: 'object', additionalProperties: true },
    status: { type: 'string', enum: ['queued', 'running', 'done', 'failed', 'cancelled'] },
    started: { type: 'number' },
    finished: { type: 'number' },
    version: { type: 'integer' },
    activated: { type: 'boolean' },
    error: { type: 'string' },
  },
} as const;
