import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

/**
 * DESIGN.md: folders import downward (cli/serve -> pipeline -> models -> features -> data -> math),
 * nothing imports upward. Each folder of src/ has a layer; a file may import its own folder or a
 * strictly lower layer. Folders on one layer do not import each other.
 */
const LAYERS: Record<string, number> = {
  'errors.ts': 0,
  'progress.ts': 0,
  'training-log.ts': 0.5,
  math: 1,
  /** the typed HTTP client (unirec/client): imports nothing of the engine */
  client: 1,
  data: 2,
  nn: 2,
  features: 3,
  text: 4,
  retrieval: 4,
  models: 5,
  pipeline: 6,
  eval: 7,
  store: 7,
  report: 7,
  serve: 8,
  /** the façade's parts (src/api.ts's files, events, errors) */
  facade: 8.5,
  cli: 9,
  /** the façade, beside the command line */
  'api.ts': 9,
  'index.ts': 10,
  /** the `unirec/server` entry point */
  'server.ts': 10,
};

/** Known, deliberate exceptions: the sparse matrix type lives in data/ (DESIGN) and math's kernels take it. */
const ALLOWED = new Set(['math -> data/csr.ts']);

const src = resolve('src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** The first path segment under src/: a folder, or a root file. */
const unit = (file: string) => relative(src, file).split('/')[0]!;

test('src/ imports only downward (DESIGN.md layering)', () => {
  const wrong: string[] = [];
  for (const file of sourceFiles(src)) {
    const from = unit(file);
    const level = LAYERS[from];
    assert.ok(level !== undefined, `${relative(src, file)}: the folder ${from} has no layer here; give it one`);
    const text = readFileSync(file, 'utf8');
    // `... from './x.js'`, `import './x.js'` and `import('./x.js')`
    for (const m of text.matchAll(/(?:\bfrom|\bimport\s*\(?)\s*['"](\.[^'"]+)['"]/g)) {
      const target = resolve(dirname(file), m[1]!).replace(/\.js$/, '.ts');
      if (relative(src, target).startsWith('..')) continue; // outside src/ (the built dashboard)
      const to = unit(target);
      if (to === from) continue;
      const key = `${from} -> ${relative(join(src, to), target) ? `${to}/${relative(join(src, to), target)}` : to}`;
      if (ALLOWED.has(key)) continue;
      if (!(LAYERS[to]! < level)) wrong.push(`${relative(src, file)} imports ${m[1]} (${from}, layer ${level} -> ${to}, layer ${LAYERS[to]})`);
    }
  }
  assert.deepEqual(wrong, []);
});
