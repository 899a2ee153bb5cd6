import assert from 'node:assert/strict';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { keyWarning, parseApiKeys } from '../../src/serve/auth.js';
import { buildApp } from '../../src/serve/app.js';
import { DEFAULT_LIMITS } from '../../src/serve/limits.js';
import { redactUrl } from '../../src/serve/redact.js';
import { RecommenderService } from '../../src/serve/service.js';
import { json, openApp, shopStore, tempDir, type TestApp } from './fixture.js';

// Issue 20 #1 and #8: what one client may ask of the server. k is capped (lower with explain), each API
// key has a rate limit (lower for heavy requests), wrong keys are rate limited per address, answers carry
// security headers, idle sockets and connections are bounded, keys are long enough, and a key sent in
// the query string never reaches the log.

const tmp = tempDir('unirec-limits-');
const READER = 'reader-key-0123456789abcdefghijkl';
const OTHER = 'other-reader-0123456789abcdefghij';
const WRITER = 'writer-key-0123456789abcdefghijkl';
let t: TestApp;

before(async () => {
  t = await openApp(await shopStore(join(tmp.dir, 'limits.db'), { model: 'itemknn' }), {
    keys: parseApiKeys([], `read:${READER},read:${OTHER},write:${WRITER}`),
    // 429s at once: these tests count answers in a window (holding them is the default, see README).
    limits: { rateLimit: 50, heavyRateLimit: 3, authFailLimit: 5, holdOverLimitMs: 0 },
  });
});
after(async () => {
  await t.close();
  tmp.cleanup();
});

const get = (url: string, key?: string) => t.app.inject({ method: 'GET', url, headers: key ? { 'x-api-key': key } : {} });

test('k is capped at 200, and at 20 with explain, with the reason', async () => {
  assert.equal(DEFAULT_LIMITS.maxK, 200);
  // An app with the default limits (the shared one's heavy limit of 3 a second would answer 429 first).
  const app = await buildApp({ service: t.service });
  const get = (url: string) => app.inject({ method: 'GET', url });
  after(() => app.close());
  assert.equal((await get('/recommend/user-0001?k=200')).statusCode, 200);
  const tooMany = await get('/recommend/user-0001?k=201');
  assert.equal(tooMany.statusCode, 400);
  assert.match(json(tooMany).message, /k must be <= 200/);
  assert.equal((await get('/recommend/user-0001?k=20&explain=true')).statusCode, 200);
  const explained = await get('/recommend/user-0001?k=21&explain=true');
  assert.equal(explained.statusCode, 400);
  assert.match(json(explained).message, /k must be at most 20 with explain=true/);
  assert.equal((await get('/recommend/user-0001?k=100&explain=false')).statusCode, 200);
  assert.equal((await get('/similar/sku-0001?k=201')).statusCode, 400);
});

test('the heavy rate limit is per key: one key hammering explain gets 429s, another key is still served', async () => {
  const answers: number[] = [];
  for (let i = 0; i < 10; i++) answers.push((await get(`/recommend/user-00${10 + i}?k=20&explain=true`, READER)).statusCode);
  assert.ok(answers.filter((s) => s === 200).length <= 3 + 3, `at most the limit (3 a second) per window: ${answers}`);
  const limited = await get('/recommend/user-0030?k=20&explain=true', READER);
  assert.equal(limited.statusCode, 429);
  assert.match(json(limited).message, /rate limit exceeded/);
  assert.ok(Number(limited.headers['retry-after']) >= 1);
  assert.equal((await get('/recommend/user-0031?k=20&explain=true', OTHER)).statusCode, 200, 'another key has its own budget');
  assert.equal((await get('/recommend/user-0032?k=10', READER)).statusCode, 200, 'plain requests have their own, larger budget');
  assert.equal((await get('/recommend/user-0033?k=51', OTHER)).statusCode, 200);
  assert.equal((await get('/recommend/user-0034?k=51', OTHER)).statusCode, 200);
  assert.equal((await get('/recommend/user-0035?k=51', OTHER)).statusCode, 429, 'a list longer than 50 is heavy too');
});

test('the per-key limit counts every request of a read key; write keys are not limited but on heavy requests', async () => {
  const answers: number[] = [];
  for (let i = 0; i < 120; i++) answers.push((await get('/items/sku-0001', OTHER)).statusCode);
  assert.ok(answers.includes(429), 'past 50 a second: 429');
  assert.ok(answers.filter((s) => s === 200).length <= 100, 'at most two windows of 50');
  for (let i = 0; i < 120; i++) assert.equal((await get('/items/sku-0001', WRITER)).statusCode, 200, 'a write key is the operator\'s backend');
  for (let i = 0; i < 60; i++) assert.equal((await get('/health')).statusCode, 200, '/health is never limited');
});

test('wrong keys are rate limited per address (no key guessing at hundreds a second); the right key still works', async () => {
  const answers: number[] = [];
  for (let i = 0; i < 12; i++) answers.push((await get('/recommend/user-0001', `guess-${i}-0123456789abcdef`)).statusCode);
  assert.deepEqual(answers.slice(0, 5), [401, 401, 401, 401, 401]);
  assert.equal(answers[11], 429, `after 5 wrong keys a minute: ${answers}`);
  assert.equal((await get('/recommend/user-0001')).statusCode, 429, 'a missing key counts as wrong');
  assert.equal((await get('/recommend/user-0001', READER)).statusCode, 200);
  assert.equal((await get('/health')).statusCode, 200, 'public routes need no key');
});

test('security headers: a CSP the dashboard lives under, no framing, no sniffing, no referrer', async () => {
  for (const url of ['/health', '/dashboard/', '/openapi.json']) {
    const res = await get(url);
    const csp = String(res.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/, url);
    assert.match(csp, /script-src 'self'(;|$)/, `${url}: no inline or remote scripts`);
    assert.match(csp, /frame-ancestors 'none'/, url);
    assert.equal(res.headers['x-frame-options'], 'DENY', url);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
    assert.equal(res.headers['referrer-policy'], 'no-referrer', url);
  }
});

test('API keys shorter than 16 characters are refused; weak ones are a warning beyond loopback', () => {
  assert.throws(() => parseApiKeys(['k'], undefined), /at least 16 characters .*openssl rand/);
  assert.throws(() => parseApiKeys([], 'read:short'), /UNIREC_API_KEYS .*at least 16 characters/);
  const weak = parseApiKeys(['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'], undefined);
  assert.match(keyWarning(weak, '0.0.0.0') ?? '', /warning: listening on 0\.0\.0\.0 .*1 weak API key/);
  assert.equal(keyWarning(weak, '127.0.0.1'), undefined, 'loopback: no warning');
  assert.equal(keyWarning(parseApiKeys(['0123456789abcdef0123'], undefined), '::1'), undefined);
  assert.match(keyWarning(parseApiKeys(['0123456789abcdef0123'], undefined), '192.168.1.5') ?? '', /weak/, '20 characters is weak');
  assert.equal(keyWarning(parseApiKeys(['3f9a1c7e5b2d8046af13c9e7b5d20486ae1f'], undefined), '0.0.0.0'), undefined, 'a long random key is not');
});

test('a key in the query string is not written to the log', async () => {
  assert.equal(redactUrl('/recommend/u?k=5&api_key=s3cret&explain'), '/recommend/u?k=5&api_key=[redacted]&explain');
  assert.equal(redactUrl('/x?apiKey=a&token=b&access_token=c&q=key'), '/x?apiKey=[redacted]&token=[redacted]&access_token=[redacted]&q=key');
  const stream = new PassThrough();
  let logged = '';
  stream.on('data', (d) => (logged += d));
  const service = await RecommenderService.open(t.store, { warn: () => {} });
  const app = await buildApp({ service, logStream: stream });
  try {
    await app.inject({ method: 'GET', url: '/recommend/user-0001?api_key=TOPSECRET-0123456789&k=3' });
    await app.inject({ method: 'GET', url: '/nope?token=TOPSECRET-0123456789' });
  } finally {
    await app.close();
  }
  assert.match(logged, /api_key=\[redacted\]/);
  assert.doesNotMatch(logged, /TOPSECRET/);
});

test('connections: a cap on open sockets, idle keep-alive sockets closed after 5 s, slow requests cut off', async () => {
  assert.equal(t.app.server.maxConnections, DEFAULT_LIMITS.maxConnections);
  assert.equal(t.app.server.keepAliveTimeout, 5000);
  assert.equal(t.app.server.requestTimeout, 30_000);
  const service = await RecommenderService.open(t.store, { warn: () => {} });
  const app = await buildApp({ service, limits: { maxConnections: 7, idleTimeoutSeconds: 2 } });
  try {
    assert.equal(app.server.maxConnections, 7);
    assert.equal(app.server.keepAliveTimeout, 2000);
  } finally {
    await app.close();
  }
});

test('a 429 is held until the client\'s window ends (default), then sent with the reason', async () => {
  assert.equal(DEFAULT_LIMITS.holdOverLimitMs, 1000);
  const app = await buildApp({ service: t.service, keys: parseApiKeys([], `read:${READER}`), limits: { rateLimit: 1, holdOverLimitMs: 50 } });
  after(() => app.close());
  const call = () => app.inject({ method: 'GET', url: '/items/sku-0001', headers: { 'x-api-key': READER } });
  assert.equal((await call()).statusCode, 200);
  const held = await call();
  assert.equal(held.statusCode, 429);
  assert.match(json(held).message, /rate limit exceeded/);
});
