// JSON schemas shared by the routes: Fastify validates every request against them (a failure is a 400
// naming the field) and @fastify/swagger turns them into the OpenAPI document.

/**
 * An external user or item id: 1-256 characters of well-formed Unicode, at least one of them not
 * whitespace, no control characters. Ids are compared exactly as sent (no trimming, no Unicode
 * normalisation). A lone UTF-16 surrogate is refused: SQLite stores text as UTF-8, where every lone
 * surrogate becomes the same U+FFFD, so two such ids would be two users in memory and one after a
 * restart. Ajv compiles patterns with the `u` flag, where [\ud800-\udfff] matches lone surrogates only.
 */
export const idSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 256,
  pattern: '^(?=[\\s\\S]*\\S)[^\\u0000-\\u001f\\u007f-\\u009f\\ud800-\\udfff]+$',
  description: 'external id: 1-256 characters of well-formed Unicode, not all whitespace, no control characters; compared exactly as sent',
} as const;

/** Unix seconds an event may carry: 1970-01-01 to 3000-01-01. */
export const MIN_TS = 0;
export const MAX_TS = 32_503_680_000;

export const errorSchema = {
  type: 'object',
  required: ['statusCode', 'error', 'message'],
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
  429: errorSchema,
  503: errorSchema,
  507: errorSchema,
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
    ts: { type: ['number', 'string'], maxLength: 64, description: 'Unix seconds (1970 to 3000) or an ISO 8601 date such as 2024-05-01T12:00:00Z (default: now)' },
    kind: { type: 'string', minLength: 1, maxLength: 32, pattern: '^[A-Za-z0-9_.:-]+$', description: "e.g. rating, click, purchase (default 'interaction')" },
    key: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[^\\ud800-\\udfff]+$', description: 'idempotency key: a repeated key is acknowledged but not stored twice' },
  },
} as const;

export const itemEntrySchema = {
  type: 'object',
  required: ['id', 'score', 'reasons'],
  properties: {
    id: { type: 'string' },
    score: { type: 'number' },
    title: { type: 'string', description: "the item's title attribute, when it has one" },
    reasons: { type: 'array', items: { type: 'string' }, description: 'why the item is there (empty unless explained)' },
  },
} as const;

/**
 * Attributes as the server answers them (what attributesSchema accepted). The response schemas list
 * every field a route always sends in `required`, so the generated client types (src/client/schema.ts)
 * and the dashboard, which uses them, are exact.
 */
export const attributesAnswerSchema = {
  type: 'object',
  // anyOf, not a list of types: the serialiser would coerce a list to the first type that fits ("a,b")
  additionalProperties: {
    anyOf: [
      { type: 'string' },
      { type: 'number' },
      { type: 'boolean' },
      { type: 'null' },
      { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'number' }] } },
    ],
  },
} as const;

/** Metric values by name; null where a metric is undefined (JSON has no NaN). */
export const metricsSchema = { type: 'object', additionalProperties: { type: ['number', 'null'] } } as const;

export const modelInfoSchema = {
  type: 'object',
  required: ['name', 'version', 'params', 'metrics', 'checksum', 'created', 'active', 'trainedThroughSeq', 'bytes'],
  properties: {
    name: { type: 'string' },
    version: { type: 'integer' },
    params: { type: 'object', additionalProperties: true },
    metrics: metricsSchema,
    checksum: { type: 'string', description: 'sha256 of the artifact, hex' },
    created: { type: 'number', description: 'Unix seconds' },
    active: { type: 'boolean' },
    trainedThroughSeq: { type: 'integer', description: 'the last event seq the model was trained on' },
    bytes: { type: 'integer' },
  },
} as const;

export const jobSchema = {
  type: 'object',
  required: ['id', 'model', 'params', 'status', 'started'],
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
