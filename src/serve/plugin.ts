import type { FastifyPluginAsync } from 'fastify';
import { type AppOptions, mountApi } from './app.js';

/** What the plugin takes: the server's options but those of the Fastify instance, which is the application's. */
export type UnirecPluginOptions = Omit<AppOptions, 'bodyLimit' | 'log'>;

/**
 * The unirec HTTP API as a Fastify plugin, for an application that has its own server:
 *
 *   const service = await RecommenderService.open(new SqliteStore('unirec.db'));
 *   await app.register(unirecPlugin, { prefix: '/reco', service, keys });
 *
 * Every route, its validation, the API-key check and the error format stay inside the plugin (Fastify's
 * encapsulation), so the application's own routes are untouched. The body limit is the application's
 * (a batch of 10,000 events needs about 2 MiB: `Fastify({ bodyLimit })`). The web dashboard calls
 * `/dashboard/api/...` from the root, so it is served only by `unirec serve` or a plugin at no prefix.
 */
export const unirecPlugin: FastifyPluginAsync<UnirecPluginOptions> = async (instance, options) => {
  await mountApi(instance, options);
};
