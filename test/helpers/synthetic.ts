import { makeTrainData, type TrainData } from '../../src/data/dataset.js';
import { Interactions } from '../../src/data/interactions.js';
import { Rng } from '../../src/math/rng.js';

/** A small random user x item matrix with distinct real values (no ties), as TrainData. */
export function randomTrainData(nUsers: number, nItems: number, density: number, seed: number): TrainData {
  const rng = new Rng(seed);
  const u: number[] = [];
  const i: number[] = [];
  const v: number[] = [];
  for (let a = 0; a < nUsers; a++) {
    for (let b = 0; b < nItems; b++) {
      if (rng.next() < density) {
        u.push(a);
        i.push(b);
        v.push(1 + 4 * rng.next());
      }
    }
  }
  const x = new Interactions(Int32Array.from(u), Int32Array.from(i), Float32Array.from(v), new Float64Array(u.length));
  return makeTrainData(x, nUsers, nItems, { hasRatings: true });
}

/** Dense copy of a TrainData's user x item matrix. */
export function dense(train: TrainData, binary: boolean): number[][] {
  const m = Array.from({ length: train.nUsers }, () => new Array<number>(train.nItems).fill(0));
  const x = train.interactions;
  for (let r = 0; r < x.length; r++) m[x.user[r]!]![x.item[r]!] = binary ? 1 : x.value[r]!;
  return m;
}

/** Cosine with shrinkage between two dense vectors. */
export function cosine(a: number[], b: number[], shrink: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let k = 0; k < a.length; k++) {
    dot += a[k]! * b[k]!;
    na += a[k]! * a[k]!;
    nb += b[k]! * b[k]!;
  }
  return dot / (Math.sqrt(na) * Math.sqrt(nb) + shrink);
}

/** Indices of the k largest positive values (naive full sort). */
export function naiveTopK(values: number[], k: number, skip: number): number[] {
  return values
    .map((v, j) => [v, j] as const)
    .filter(([v, j]) => j !== skip && v > 0)
    .sort((x, y) => y[0] - x[0] || x[1] - y[1])
    .slice(0, k)
    .map(([, j]) => j);
}
