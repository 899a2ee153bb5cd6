import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

/**
 * Issue 19's program, verbatim, compiled as a user's project would compile it: `tsc --strict` without
 * skipLibCheck, importing 'unirec' through node_modules (a link to this package, so its `exports` and
 * .d.ts are what is checked). A second file holds what must NOT compile (a misspelt model or param);
 * each line carries @ts-expect-error, so tsc fails if any of them compiles.
 */
const PROGRAM = `import { Recommender } from 'unirec';
const events = [
  { user: 'u1', item: 'a' }, { user: 'u1', item: 'b' }, { user: 'u2', item: 'b' },
  { user: 'u2', item: 'c', value: 5, ts: 1700000000 }, { user: 'u3', item: 'a' }, { user: 'u3', item: 'c' },
];
const items = [{ id: 'a', title: 'Red shoe', tags: ['shoes'] }, { id: 'b', title: 'Blue shoe', tags: ['shoes'] },
               { id: 'c', title: 'Green hat', tags: ['hats'] }, { id: 'd', title: 'Red hat', tags: ['hats'] }];
const rec = await Recommender.train({ model: 'itemknn', params: { k: 20 }, events, items });
const mine = rec.recommend('u1', { k: 2, explain: true });   // { items: [{ id, score, reasons }], fallback: false }
const fresh = rec.recommend({ events: [{ item: 'c' }] }, { k: 2 }); // a visitor known only by events
const nobody = rec.recommend('no-such-user', { k: 2 });      // popular items, fallback: true
const like = rec.similar('a', { k: 2 });                     // { items: [{ id, score }] }
await rec.save('shop.unirec');
const again = await Recommender.load('shop.unirec');
console.log(JSON.stringify({ mine, fresh, nobody, like, same: again.recommend('u1', { k: 2 }) }));
`;

const MUST_NOT_COMPILE = `import { Recommender, type ModelParams } from 'unirec';
const events = [{ user: 'u1', item: 'a' }];
export async function wrong(): Promise<void> {
  // @ts-expect-error a misspelt param
  await Recommender.train({ model: 'itemknn', params: { factor: 8 }, events });
  // @ts-expect-error a misspelt model name
  await Recommender.train({ model: 'itemnn', events });
  // @ts-expect-error a param of the wrong type
  await Recommender.train({ model: 'als', params: { factors: '8' }, events });
  // @ts-expect-error a value outside the enum
  await Recommender.train({ model: 'itemknn', params: { weighting: 'bm26' }, events });
  const ok: ModelParams<'als'> = { factors: 8, regularization: 1 };
  await Recommender.train({ model: 'als', params: ok, events });
}
`;

/** The other entry points, compiled alongside: their public types must hold under the same options. */
const ENTRY_POINTS = `import * as server from 'unirec/server';
import * as client from 'unirec/client';
import * as lib from 'unirec';
export const entries = [server, client, lib].map((m) => Object.keys(m).length);
`;

const root = resolve('.');

test("the issue's program compiles under tsc --strict without skipLibCheck and runs", () => {
  const dir = mkdtempSync(join(tmpdir(), 'unirec-issue-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'unirec'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    writeFileSync(join(dir, 'main.ts'), PROGRAM);
    writeFileSync(join(dir, 'wrong.ts'), MUST_NOT_COMPILE);
    writeFileSync(join(dir, 'entries.ts'), ENTRY_POINTS);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          skipLibCheck: false,
          outDir: 'out',
          types: ['node'],
          typeRoots: [join(root, 'node_modules', '@types')],
        },
        files: ['main.ts', 'wrong.ts', 'entries.ts'],
      }),
    );
    let listed = '';
    try {
      listed = execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir, '--listFiles'], { encoding: 'utf8' });
    } catch (e) {
      assert.fail(`tsc failed:\n${(e as { stdout: string }).stdout}`);
    }
    // node_modules/unirec links to this checkout, where devDependencies' types resolve too; an installed
    // package has only its dependencies. So every package our reachable declarations import must be one.
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const ours = listed.split('\n').filter((f) => f.startsWith(join(root, 'dist', 'src')) && f.endsWith('.d.ts'));
    assert.ok(ours.length > 20, `declarations of unirec in the program: ${ours.length}`);
    for (const file of ours) {
      for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*['"]([^'"]+)['"]/g)) {
        if (spec!.startsWith('.') || spec!.startsWith('node:')) continue;
        const name = spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!;
        assert.ok(name in pkg.dependencies, `${file} imports ${spec}, which is not a dependency of the package`);
      }
    }
    const out = execFileSync(process.execPath, [join(dir, 'out', 'main.js')], { cwd: dir, encoding: 'utf8' });
    type Item = { id: string; score: number; reasons?: { id?: string; text: string }[] };
    const r = JSON.parse(out) as Record<'mine' | 'fresh' | 'nobody' | 'same', { items: Item[]; fallback: boolean }> & { like: { items: Item[] } };

    // u1 has a and b: neither comes back; c (bought with both) comes first, explained by a and b.
    assert.equal(r.mine.fallback, false);
    assert.equal(r.mine.items.length, 2);
    assert.equal(r.mine.items[0]!.id, 'c');
    for (const it of r.mine.items) assert.ok(!['a', 'b'].includes(it.id));
    assert.deepEqual(r.mine.items[0]!.reasons!.map((x) => x.id).sort(), ['a', 'b']);
    // The visitor who saw c: c is left out, a and b (bought with c) come back.
    assert.equal(r.fresh.fallback, false);
    assert.deepEqual(r.fresh.items.map((x) => x.id).sort(), ['a', 'b']);
    // Nobody: the most popular items (a, b and c have 2 events each; d none), flagged.
    assert.equal(r.nobody.fallback, true);
    assert.equal(r.nobody.items.length, 2);
    for (const it of r.nobody.items) assert.equal(it.score, 2);
    // Like a: b and c (each co-bought with a), never a itself, in the caller's ids.
    assert.deepEqual(r.like.items.map((x) => x.id).sort(), ['b', 'c']);
    // The reloaded copy answers as the original.
    assert.deepEqual(r.same.items.map((x) => [x.id, x.score]), r.mine.items.map((x) => [x.id, x.score]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
