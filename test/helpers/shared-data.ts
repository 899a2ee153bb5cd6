import { resolve } from 'node:path';

/** The shared real datasets (never copied into the repo); tests run with the repo root as cwd. */
export const SHARED_DATA = resolve(process.cwd(), '../shared/data');
