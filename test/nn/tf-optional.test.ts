import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UnirecError } from '../../src/errors.js';
import { notInstalled, TENSORFLOW_INSTALL } from '../../src/nn/tf.js';

test('a missing TensorFlow.js (an optional dependency) says which models need it and what to install', () => {
  const missing = Object.assign(new Error("Cannot find package '@tensorflow/tfjs' imported from /app/node_modules/unirec/dist/src/nn/tf.js"), { code: 'ERR_MODULE_NOT_FOUND' });
  assert.throws(
    () => notInstalled(missing),
    (e: unknown) => e instanceof UnirecError && /sasrec, bert4rec, two-tower/.test(e.message) && e.message.includes(TENSORFLOW_INSTALL),
  );
  assert.match(TENSORFLOW_INSTALL, /^npm install @tensorflow\/tfjs@\S+ @tensorflow\/tfjs-backend-wasm@\S+$/);
  // Anything else is not hidden behind that message.
  const other = Object.assign(new Error("Cannot find package 'left-pad'"), { code: 'ERR_MODULE_NOT_FOUND' });
  assert.throws(() => notInstalled(other), (e: unknown) => e === other);
  const broken = new TypeError('wasm failed');
  assert.throws(() => notInstalled(broken), (e: unknown) => e === broken);
});
