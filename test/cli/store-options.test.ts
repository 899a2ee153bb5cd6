import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { addStoreOptions, resolveStoreFlags } from '../../src/cli/store-options.js';

function parse(args: string[], env: NodeJS.ProcessEnv = {}) {
  const cmd = addStoreOptions(new Command('x').exitOverride());
  cmd.parse(args, { from: 'user' });
  return resolveStoreFlags(cmd.opts(), env);
}

test('--store, --db, UNIREC_STORE and the default: a flag beats the environment, which beats ./unirec.db', () => {
  const pgUrl = 'postgres://u:secret@h/db?schema=s';
  assert.deepEqual(parse([]), { store: './unirec.db', redis: undefined });
  assert.deepEqual(parse([], { UNIREC_STORE: pgUrl, UNIREC_REDIS: 'redis://r:6379' }), { store: pgUrl, redis: 'redis://r:6379' });
  assert.equal(parse(['--db', 'a.db'], { UNIREC_STORE: pgUrl }).store, 'a.db');
  assert.equal(parse(['--store', 'b.db'], { UNIREC_STORE: pgUrl }).store, 'b.db');
  assert.equal(parse(['--redis', 'redis://x'], { UNIREC_REDIS: 'redis://y' }).redis, 'redis://x');
  assert.equal(parse([], { UNIREC_STORE: '' }).store, './unirec.db', 'an empty variable is unset');
});

test('--db and --store together are refused, without printing the password', () => {
  assert.throws(() => parse(['--db', 'a.db', '--store', 'postgres://u:secret@h/db']), (err: Error) => {
    assert.match(err.message, /^give the store once: --db a\.db and --store postgres:\/\/u@h\/db were both given/);
    assert.doesNotMatch(err.message, /secret/);
    return true;
  });
});
