import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The `unirec` command as the tests run it (tests run with the repo root as cwd). */
export const UNIREC_BIN = resolve(process.cwd(), 'bin/unirec.js');

/** Runs `unirec ...args` to completion: exit code, stdout, stderr (no debug stack traces). */
export function unirec(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [UNIREC_BIN, ...args], { encoding: 'utf8', env: { ...process.env, UNIREC_DEBUG: '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A user-facing failure: non-zero exit, the message matching `pattern`, short (`maxLines`), never a stack trace. */
export function assertCleanFailure(r: ReturnType<typeof unirec>, pattern: RegExp, maxLines = 3): void {
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.ok(r.stderr.trim().split('\n').length <= maxLines, `short message, got:\n${r.stderr}`);
}
