import type { Tensor } from './params.js';

/**
 * Layer normalisation over the last axis (Ba et al. 2016): (x - mean) / sqrt(var + eps) * gain + bias.
 * Written with plain ops so tfjs's autodiff gives its gradient (checked against finite differences).
 */
export function layerNorm(x: Tensor, gain: Tensor, bias: Tensor, eps = 1e-6): Tensor {
  const mean = x.mean(-1, true);
  const centred = x.sub(mean);
  const variance = centred.square().mean(-1, true);
  return centred.mul(variance.add(eps).rsqrt()).mul(gain).add(bias);
}
