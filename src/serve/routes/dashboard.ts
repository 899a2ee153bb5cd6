import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { RecommenderService } from '../service.js';
import { dashboardApiRoutes, type DashboardApiOptions } from './dashboard-api.js';

export interface DashboardOptions extends DashboardApiOptions {
  /** the built dashboard (default: dist/web, where `npm run build` puts it) */
  webRoot?: string;
}

/** dist/src/serve/routes/ -> dist/web/ */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../../web/', import.meta.url));

const notBuilt = (root: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>unirec dashboard not built</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>The unirec dashboard is not built</h1>
<p>This server looked for it in <code>${root.replace(/[<>&]/g, '')}</code> and found no <code>index.html</code>.</p>
<p>Build it in the unirec source folder with <code>npm run build</code> (which runs <code>vite build web</code>; <code>npm ci</code> does it too), then restart <code>unirec serve</code>.</p>
<p>The HTTP API works without it: see <a href="/openapi.json">/openapi.json</a>.</p>
</body></html>
`;

/**
 * The dashboard: a single-page app served as static files under /dashboard/ (any other path under it
 * answers the app's index.html, whose router shows the page), plus the read-only API its pages use.
 * The files are public, as they hold no data; the data comes from API routes that need a read key.
 */
export async function dashboardRoutes(app: FastifyInstance, service: RecommenderService, options: DashboardOptions = {}): Promise<void> {
  dashboardApiRoutes(app, service, options);
  const root = resolve(options.webRoot ?? DEFAULT_WEB_ROOT);
  const hidden = { schema: { hide: true } };
  app.get('/dashboard', hidden, async (_request, reply) => reply.redirect('/dashboard/'));

  if (!existsSync(resolve(root, 'index.html'))) {
    app.get('/dashboard/*', hidden, async (_request, reply) => reply.code(503).type('text/html; charset=utf-8').send(notBuilt(root)));
    return;
  }

  await app.register(fastifyStatic, { root, serve: false });
  app.get<{ Params: { '*': string } }>('/dashboard/*', hidden, async (request, reply) => {
    const path = request.params['*'];
    // An unknown API path is a JSON 404, not the app; so is any path trying to climb out of the root.
    if (path.startsWith('api/') || path.split('/').includes('..')) return reply.callNotFound();
    const last = path.slice(path.lastIndexOf('/') + 1);
    if (!/\.[A-Za-z0-9]+$/.test(last)) {
      // A page of the app (/dashboard/users/42): the index, never cached, so a rebuild shows at once.
      return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
    }
    // Vite names built assets by their content hash: they never change, so they may be cached for good.
    const hashed = path.startsWith('assets/');
    return reply.sendFile(path, { maxAge: hashed ? 365 * 86400 * 1000 : 0, immutable: hashed });
  });
}
