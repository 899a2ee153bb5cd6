// The shapes of the unirec API answers the pages use: aliases of the types generated from the server's
// OpenAPI document (src/client/schema.ts, `npm run gen:client`), the same types `unirec/client` has, so a
// change to a route's schema is a type error here rather than a page that silently breaks.
import type { operations } from '../../src/client/schema';

/** The JSON body of an operation's 200 answer. */
type Ok<Op extends keyof operations> = operations[Op]['responses'] extends { 200: { content: { 'application/json': infer T } } } ? T : never;

export type Overview = Ok<'dashboardOverview'>;
export type Counted = Ok<'dashboardUsers'>['users'][number];
export type UserPage = Ok<'dashboardUser'>;
export type HistoryEvent = UserPage['history'][number];
export type Attributes = UserPage['attributes'];
export type ItemPage = Ok<'dashboardItem'>;
export type Recommendation = Ok<'recommend'>;
export type ScoredItem = Recommendation['items'][number];
export type Models = Ok<'listModels'>;
export type ModelInfo = Models['models'][number];
export type TrainJob = Models['jobs'][number];
export type Runs = Ok<'dashboardRuns'>;
export type EvalRun = Runs['runs'][number];
