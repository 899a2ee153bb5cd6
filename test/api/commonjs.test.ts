import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

/** unirec is ESM; a CommonJS program loads it with `await import('unirec')` (README, "CommonJS"). */
test('a CommonJS program loads unirec with await import() on Node 20', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unirec-cjs-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(resolve('.'), join(dir, 'node_modules', 'unirec'), 'dir');
    writeFileSync(
      join(dir, 'main.cjs'),
      `'use strict';
async function main() {
  const { Recommender } = await import('unirec');
  const rec = await Recommender.train({ model: 'popularity', events: [{ user: 'u1', item: 'a' }, { user: 'u2', item: 'a' }, { user: 'u2', item: 'b' }] });
  console.log(JSON.stringify(rec.recommend('u1', { k: 1 })));
}
main().catch((e) => { console.error(e); process.exit(1); });
`,
    );
    const out = execFileSync(process.execPath, [join(dir, 'main.cjs')], { cwd: dir, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), { items: [{ id: 'b', score: 1 }], fallback: false });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
