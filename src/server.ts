// `unirec/server`: the HTTP API for an application's own Fastify server, and the stores it runs on.
// A separate entry point so that `import 'unirec'` does not bring Fastify's types into a build.
export { unirecPlugin, type UnirecPluginOptions } from './serve/plugin.js';
export { buildApp, type AppOptions } from './serve/app.js';
export { RecommenderService } from './serve/service.js';
export { parseApiKeys, type ApiKeys } from './serve/auth.js';
export { UNKNOWN_ITEM_POLICIES, type UnknownItemPolicy } from './serve/catalog.js';
export { trainFromStore } from './serve/training.js';
export { SqliteStore, DEFAULT_DB } from './store/sqlite.js';
export type * from './store/store.js';
