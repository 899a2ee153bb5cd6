import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cleanDataset } from '../../src/data/clean.js';
import { makeTrainData } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/load.js';
import { makeSplits } from '../../src/data/splits.js';
import { Csr } from '../../src/data/csr.js';
import { userAuc } from '../../src/eval/metrics.js';
import { Rng } from '../../src/math/rng.js';
import { createModel } from '../../src/models/registry.js';
import '../../src/models/index.js';
import { SHARED_DATA } from '../helpers/shared-data.js';

/**
 * The counting-pass userAuc against the implementation it replaced (sort the relevant scores, locate
 * each candidate with a lower and an upper binary search), kept here verbatim as the reference.
 */
function referenceAuc(scores: Float32Array, relevantItems: Int32Array, excluded?: Uint8Array): number {
  const P = relevantItems.length;
  if (P === 0) return NaN;
  const scratch = new Float64Array(P);
  for (let t = 0; t < P; t++) scratch[t] = orLowest(scores[relevantItems[t]!]!);
  const sorted = scratch.subarray(0, P).sort();
  const lowest = sorted[0]!;
  const highest = sorted[P - 1]!;
  let beaten = 0;
  let candidates = 0;
  for (let i = 0; i < scores.length; i++) {
    if (excluded !== undefined && excluded[i] !== 0) continue;
    candidates++;
    const s = orLowest(scores[i]!);
    if (s < lowest) beaten += P;
    else if (s > highest) continue;
    else {
      let lo = 0;
      let hi = P;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid]! < s) lo = mid + 1;
        else hi = mid;
      }
      let up = lo;
      hi = P;
      while (up < hi) {
        const mid = (up + hi) >> 1;
        if (sorted[mid]! <= s) up = mid + 1;
        else hi = mid;
      }
      beaten += P - up + (up - lo) / 2;
    }
  }
  const negatives = candidates - P;
  if (negatives <= 0) return NaN;
  return (beaten - (P * P) / 2) / (P * negatives);
}

function orLowest(s: number): number {
  return s === s ? s : -Infinity;
}

function same(a: number, b: number, what: string): void {
  if (Number.isNaN(a) || Number.isNaN(b)) assert.ok(Number.isNaN(a) && Number.isNaN(b), `${what}: ${a} vs ${b}`);
  else assert.ok(Math.abs(a - b) <= 1e-9, `${what}: ${a} vs ${b}`);
}

test('userAuc equals the previous implementation on fixtures with ties, NaN, infinities and every P up to 70', () => {
  const rng = new Rng(11);
  const scratch = new Float64Array(128);
  for (let trial = 0; trial < 400; trial++) {
    const n = 50 + Math.floor(rng.next() * 300);
    const levels = trial % 3 === 0 ? 4 : 1000;
    const scores = Float32Array.from({ length: n }, () => {
      const x = rng.next();
      return x < 0.02 ? NaN : x < 0.03 ? Infinity : x < 0.04 ? -Infinity : Math.floor(rng.next() * levels) / 7;
    });
    const excluded = Uint8Array.from({ length: n }, () => (rng.next() < 0.2 ? 1 : 0));
    const want = trial % 71;
    const rel: number[] = [];
    for (let i = 0; i < n && rel.length < want; i++) if (!excluded[i] && rng.next() < 0.4) rel.push(i);
    const relevant = Int32Array.from(rel);
    same(userAuc(scores, relevant, excluded, scratch), referenceAuc(scores, relevant, excluded), `trial ${trial}, P ${rel.length}`);
    same(userAuc(scores, relevant), referenceAuc(scores, relevant), `trial ${trial} without a mask`);
  }
});

const ml100k = join(SHARED_DATA, 'ml-100k');

test('userAuc equals the previous implementation for every ml-100k user of an EASE and an ALS model', { skip: !existsSync(ml100k) && 'no ../shared/data/ml-100k' }, async () => {
  const ds = cleanDataset(await loadDataset(ml100k));
  const [split] = makeSplits(ds, 'ratio', 42);
  const train = makeTrainData(ds.interactions.select(split!.train), ds.users.size, ds.items.size);
  const test = Csr.byUser(ds.interactions.select(split!.test), ds.users.size, ds.items.size);
  for (const [name, params] of [['ease', { lambda: 250 }], ['als', { iterations: 3 }]] as const) {
    const model = createModel(name, params);
    await model.fit(train, { seed: 42, threads: 1 });
    const scores = new Float32Array(train.nItems);
    const excluded = new Uint8Array(train.nItems);
    let users = 0;
    for (let u = 0; u < train.nUsers; u++) {
      const rel = Int32Array.from(test.rowIndices(u));
      if (rel.length === 0) continue;
      model.scoreUser(u, scores);
      excluded.fill(0);
      for (const i of train.byUser.rowIndices(u)) excluded[i] = 1;
      const candidates = rel.filter((i) => !excluded[i]);
      same(userAuc(scores, candidates, excluded), referenceAuc(scores, candidates, excluded), `${name} user ${u}`);
      users++;
    }
    assert.ok(users > 900, `${name}: ${users} users compared`);
  }
});
