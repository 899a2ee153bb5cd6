import { gemm } from '../math/gemm.js';
import type { EncoderConfig } from './transformer.js';

/** Encoder weights as plain arrays, keyed by the ParamStore names initEncoder gives them. */
export type WeightArrays = ReadonlyMap<string, Float32Array>;

/**
 * The encoder's inference pass (transformer.ts `encode` without dropout) on typed arrays, for one
 * sequence: the hidden state of its last position and the last layer's attention from that position
 * (mean over heads). It needs no tfjs, so a model loaded from an artifact scores and folds in
 * synchronously on any thread. Padding is skipped instead of masked: padded keys get exactly zero
 * weight in `encode`, so the real positions' states are the same.
 * FLOPs per layer: 8 m d^2 + 4 m^2 d + 4 m d hidden for m = tokens.length.
 */
export function encodeLast(w: WeightArrays, c: EncoderConfig, tokens: Int32Array): { hidden: Float32Array; attention: Float32Array } {
  const d = c.dim;
  const m = tokens.length;
  if (m === 0 || m > c.maxLength) throw new RangeError(`sequence length must be 1..${c.maxLength}, got ${m}`);
  const get = (name: string): Float32Array => {
    const a = w.get(name);
    if (!a) throw new Error(`encoder weights lack "${name}"`);
    return a;
  };
  const items = get('items');
  const positions = get('positions');
  const x = new Float32Array(m * d);
  for (let i = 0; i < m; i++) {
    const t = tokens[i]!;
    if (t < 0 || t >= c.nItems + 2) throw new RangeError(`token ${t} out of range`);
    const p = (c.maxLength - m + i) * d;
    for (let a = 0; a < d; a++) x[i * d + a] = items[t * d + a]! + positions[p + a]!;
  }
  const h = new Float32Array(m * d);
  let attention: Float32Array = new Float32Array(m);
  for (let b = 0; b < c.layers; b++) {
    const pre = `block${b}`;
    layerNormRows(x, m, d, get(`${pre}.ln1.gain`), get(`${pre}.ln1.bias`), h);
    const { out, lastWeights } = selfAttention(h, m, d, c.heads, c.causal, (n) => get(`${pre}.attention.${n}`));
    for (let k = 0; k < x.length; k++) x[k]! += out[k]!;
    attention = lastWeights;
    layerNormRows(x, m, d, get(`${pre}.ln2.gain`), get(`${pre}.ln2.bias`), h);
    const f = feedForwardRows(h, m, d, c.hidden, (n) => get(`${pre}.ff.${n}`));
    for (let k = 0; k < x.length; k++) x[k]! += f[k]!;
  }
  const hidden = new Float32Array(d);
  layerNormRows(x.subarray((m - 1) * d), 1, d, get('final.ln.gain'), get('final.ln.bias'), hidden);
  return { hidden, attention };
}

function layerNormRows(x: Float32Array, rows: number, d: number, gain: Float32Array, bias: Float32Array, out: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let mean = 0;
    for (let a = 0; a < d; a++) mean += x[o + a]!;
    mean /= d;
    let v = 0;
    for (let a = 0; a < d; a++) v += (x[o + a]! - mean) ** 2;
    const inv = 1 / Math.sqrt(v / d + 1e-6);
    for (let a = 0; a < d; a++) out[o + a] = (x[o + a]! - mean) * inv * gain[a]! + bias[a]!;
  }
}

/** out = x W + b for x [rows, nIn], W [nIn, nOut]. */
function linear(x: Float32Array, rows: number, nIn: number, nOut: number, w: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(rows * nOut);
  for (let r = 0; r < rows; r++) out.set(b, r * nOut);
  gemm(rows, nOut, nIn, 1, x, w, 1, out);
  return out;
}

function selfAttention(
  h: Float32Array,
  m: number,
  d: number,
  heads: number,
  causal: boolean,
  get: (name: string) => Float32Array,
): { out: Float32Array; lastWeights: Float32Array } {
  const q = linear(h, m, d, d, get('wq'), get('bq'));
  const k = linear(h, m, d, d, get('wk'), get('bk'));
  const v = linear(h, m, d, d, get('wv'), get('bv'));
  const dh = d / heads;
  const scale = 1 / Math.sqrt(dh);
  const mixed = new Float32Array(m * d);
  const weights = new Float64Array(m);
  const lastWeights = new Float32Array(m);
  for (let head = 0; head < heads; head++) {
    const ho = head * dh;
    for (let i = 0; i < m; i++) {
      const keys = causal ? i + 1 : m;
      let max = -Infinity;
      for (let j = 0; j < keys; j++) {
        let s = 0;
        for (let a = 0; a < dh; a++) s += q[i * d + ho + a]! * k[j * d + ho + a]!;
        weights[j] = s * scale;
        if (weights[j]! > max) max = weights[j]!;
      }
      let total = 0;
      for (let j = 0; j < keys; j++) total += weights[j] = Math.exp(weights[j]! - max);
      for (let j = 0; j < keys; j++) {
        const p = weights[j]! / total;
        if (i === m - 1) lastWeights[j]! += p / heads;
        for (let a = 0; a < dh; a++) mixed[i * d + ho + a]! += p * v[j * d + ho + a]!;
      }
    }
  }
  return { out: linear(mixed, m, d, d, get('wo'), get('bo')), lastWeights };
}

function feedForwardRows(h: Float32Array, m: number, d: number, hidden: number, get: (name: string) => Float32Array): Float32Array {
  const z = linear(h, m, d, hidden, get('w1'), get('b1'));
  for (let k = 0; k < z.length; k++) if (z[k]! < 0) z[k] = 0;
  return linear(z, m, hidden, d, get('w2'), get('b2'));
}
