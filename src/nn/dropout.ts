import type { Rng } from '../math/rng.js';
import type { Tensor } from './params.js';
import type { Tf } from './tf.js';

/**
 * Inverted dropout with a mask drawn from our seeded Rng (tfjs's own streams are not reproducible across
 * runs without threading seeds through every call): zero each entry with probability `rate`, scale the
 * rest by 1 / (1 - rate) so the expected activation is unchanged and inference needs no rescaling.
 * `rng` undefined (inference) or rate 0 returns x itself.
 */
export function dropout(tf: Tf, x: Tensor, rate: number, rng: Rng | undefined): Tensor {
  if (!rng || rate <= 0) return x;
  if (rate >= 1) throw new RangeError(`dropout rate must be below 1, got ${rate}`);
  const mask = new Float32Array(x.size);
  const keep = 1 / (1 - rate);
  // compare 32-bit draws against an integer threshold: one Rng call per entry, no float division
  const threshold = Math.floor(rate * 4294967296);
  for (let k = 0; k < mask.length; k++) mask[k] = rng.nextU32() < threshold ? 0 : keep;
  return x.mul(tf.tensor(mask, x.shape, 'float32'));
}
