import type { RouteOptions } from 'fastify';

/**
 * Every operation in the OpenAPI document gets an `operationId`, the name a generated client gives its
 * call (src/client). Named here in one table rather than in each route file; a route not in the table
 * gets one derived from its method and path (GET /a/:b/c -> getABC), so none is ever missing.
 */
const NAMES: Record<string, string> = {
  'POST /events': 'postEvents',
  'PUT /items/:id': 'putItem',
  'GET /items/:id': 'getItem',
  'DELETE /items/:id': 'deleteItem',
  'PUT /users/:id': 'putUser',
  'GET /users/:id': 'getUser',
  'DELETE /users/:id': 'deleteUser',
  'GET /recommend/:user': 'recommend',
  'GET /similar/:item': 'similarItems',
  'GET /users/:id/history': 'userHistory',
  'GET /models': 'listModels',
  'GET /models/jobs/:id': 'getTrainingJob',
  'POST /models/:name/train': 'trainModel',
  'POST /models/:name/activate': 'activateModel',
  'GET /health': 'health',
  'GET /metrics': 'metrics',
  'GET /dashboard/api/overview': 'dashboardOverview',
  'GET /dashboard/api/users': 'dashboardUsers',
  'GET /dashboard/api/items': 'dashboardItems',
  'GET /dashboard/api/users/:id': 'dashboardUser',
  'GET /dashboard/api/items/:id': 'dashboardItem',
  'GET /dashboard/api/runs': 'dashboardRuns',
};

export function operationId(method: string, path: string): string {
  const named = NAMES[`${method} ${path}`];
  if (named) return named;
  const words = path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/** An onRoute hook: names the route's operation unless its schema already does. */
export function nameOperation(route: RouteOptions & { routePath?: string }): void {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  if (!route.schema || route.schema.operationId !== undefined || methods.includes('HEAD')) return;
  route.schema = { ...route.schema, operationId: operationId(methods[0]!, route.routePath ?? route.url) };
}
