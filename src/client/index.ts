/**
 * `unirec/client`: a typed client of the unirec HTTP API. Paths, parameters, bodies and answers are
 * typed from the server's OpenAPI document (src/client/schema.ts, generated), calls go through
 * openapi-fetch (a thin layer over fetch):
 *
 *   const api = createClient({ baseUrl: 'http://127.0.0.1:8080', apiKey: process.env.UNIREC_KEY });
 *   const { data, error } = await api.GET('/recommend/{user}', { params: { path: { user: 'u1' }, query: { k: 5 } } });
 *   await api.POST('/events', { body: { events: [{ user: 'u1', item: 'sku-1' }] } });
 */
import createFetchClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema.js';

export type { components, operations, paths } from './schema.js';

export interface ClientOptions {
  /** where the server is, e.g. http://127.0.0.1:8080 (with the prefix the API is mounted under, if any) */
  baseUrl: string;
  /** sent as `Authorization: Bearer KEY` */
  apiKey?: string;
  /** another fetch (tests, proxies); default the global one */
  fetch?: typeof globalThis.fetch;
  headers?: Record<string, string>;
}

export type UnirecClient = Client<paths>;

export function createClient(options: ClientOptions): UnirecClient {
  return createFetchClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: { ...options.headers, ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
