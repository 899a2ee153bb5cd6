import { createWriteStream } from 'node:fs';
import { Rng } from '../src/math/rng.js';

/**
 * A seeded synthetic event log with planted structure, as CSV (user,item): each user has one of 20 tastes; an item belongs
 * to one taste; 80% of a user's events are items of their taste, drawn with Zipf(1) popularity inside it.
 * By default users = events / 50 and items = 10 sqrt(events); with `everyItem`, each item first gets one
 * event (from a user of its taste), so the whole catalogue is in the model.
 */
export async function syntheticCsv(file: string, events: number, seed = 7, shape: { users?: number; items?: number; everyItem?: boolean } = {}): Promise<{ users: number; items: number }> {
  const users = shape.users ?? Math.max(100, Math.round(events / 50));
  const items = shape.items ?? Math.max(200, Math.round(Math.sqrt(events) * 10));
  const tastes = 20;
  const rng = new Rng(seed);
  const out = createWriteStream(file);
  out.write('user,item\n');
  const perTaste = Math.floor(items / tastes);
  // Zipf(1) over ranks 1..perTaste via inverse CDF on the harmonic numbers, precomputed.
  const cdf = new Float64Array(perTaste);
  let h = 0;
  for (let r = 0; r < perTaste; r++) cdf[r] = h += 1 / (r + 1);
  const draw = (): number => {
    const x = rng.next() * h;
    let lo = 0;
    let hi = perTaste - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  let chunk = '';
  if (shape.everyItem) {
    for (let i = 0; i < items; i++) chunk += `${((Math.floor(i / perTaste) % tastes) + tastes * rng.int(Math.max(1, Math.floor(users / tastes)))) % users + 1},${i + 1}\n`;
  }
  for (let e = 0; e < events; e++) {
    const u = e % users;
    const taste = rng.next() < 0.8 ? u % tastes : rng.int(tastes);
    chunk += `${u + 1},${taste * perTaste + draw() + 1}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise<void>((r) => out.end(() => r()));
  return { users, items };
}

