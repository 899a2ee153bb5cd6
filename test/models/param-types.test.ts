import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { paramTypesSource } from '../../scripts/param-types.js';
import { modelNames } from '../../src/pipeline/index.js';

test('src/models/param-types.ts is what the models\' zod schemas generate (run npm run gen:params when this fails)', () => {
  const committed = readFileSync('src/models/param-types.ts', 'utf8');
  assert.equal(committed, paramTypesSource());
  for (const name of modelNames()) assert.ok(committed.includes(`  ${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name)}: `), `${name} is typed`);
});
