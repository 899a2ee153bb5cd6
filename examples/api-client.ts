/**
 * A client of a running `unirec serve` (or an app that mounted `unirec/server`'s plugin), with the
 * typed client: paths, parameters and answers are checked by TypeScript.
 *
 *   node dist/examples/api-client.js http://127.0.0.1:8080 [API_KEY]
 *
 * Posts two events for a new user and prints what the server recommends them next, as JSON.
 */
import { createClient } from 'unirec/client';

async function main(): Promise<void> {
  const [baseUrl, apiKey] = process.argv.slice(2);
  if (!baseUrl) throw new Error('usage: api-client URL [API_KEY]');
  const api = createClient({ baseUrl, ...(apiKey ? { apiKey } : {}) });

  const health = await api.GET('/health');
  if (!health.response.ok) throw new Error(`the server at ${baseUrl} answers ${health.response.status} to GET /health`);

  // Pick two popular items, as a new visitor would click them.
  const popular = await api.GET('/recommend/{user}', { params: { path: { user: 'example-visitor' }, query: { k: 2 } } });
  const clicked = (popular.data?.items ?? []).map((item) => item.id!);
  const posted = await api.POST('/events', { body: { events: clicked.map((item) => ({ user: 'example-visitor', item, kind: 'click' })) } });
  if (!posted.response.ok) throw new Error(`POST /events: ${posted.response.status}`);

  const next = await api.GET('/recommend/{user}', { params: { path: { user: 'example-visitor' }, query: { k: 5, explain: true } } });
  if (next.error) throw new Error(`GET /recommend: ${next.error.message}`);
  process.stdout.write(`${JSON.stringify({ clicked, next: next.data.items, fallback: next.data.fallback, model: next.data.model })}\n`);
}

await main();
