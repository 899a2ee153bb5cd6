import { z } from 'zod';
import type { Rng } from '../math/rng.js';
import type { ModelArtifact } from './recommender.js';
import { registerModel } from './registry.js';
import { SequenceModel, sequenceParams, type SequenceBatch, type SequenceParams } from './sequence-model.js';

const Params = z
  .object(
    sequenceParams({
      maxLength: 50,
      layers: undefined, // from the data (sequence-regime.ts)
      heads: 1,
      dim: 64,
      ffMultiple: 1,
      dropout: undefined, // from the data (sequence-regime.ts)
      epochs: 200,
      loss: 'softmax',
      learningRate: undefined, // from the data (sequence-regime.ts)
      batchSize: 128,
    }),
  )
  .strict();

/**
 * SASRec (Kang & McAuley 2018): causal self-attention over each user's time-ordered items; the state at
 * position i predicts item i + 1, so one sequence of length L gives L training targets. Trained with full
 * softmax cross-entropy (SASRec+, the default: it learned planted order in a few epochs where gBCE
 * needed many more here), sampled softmax (`loss: 'sampled'`, for large catalogues) or gSASRec's gBCE
 * (Petrov & Macdonald 2023, `loss: 'gbce'`). A user is represented by the state after their latest
 * `maxLength` items.
 */
export class SasRec extends SequenceModel {
  readonly name = 'sasrec';
  protected readonly causal = true;

  constructor(params: SequenceParams) {
    super(params);
  }

  protected makeBatch(windows: Int32Array[], _rng: Rng): SequenceBatch {
    const L = this.params.maxLength;
    const rows: Int32Array[] = [];
    const next: Int32Array[] = [];
    for (const w of windows) {
      const s = SequenceModel.tail(w, L + 1);
      rows.push(s.subarray(0, s.length - 1));
      next.push(s.subarray(1));
    }
    const { tokens, length } = this.padRows(rows);
    let n = 0;
    for (const r of rows) n += r.length;
    const positions = new Int32Array(n);
    const targets = new Int32Array(n);
    let at = 0;
    rows.forEach((r, b) => {
      for (let i = 0; i < r.length; i++) {
        positions[at] = b * length + length - r.length + i;
        targets[at++] = next[b]![i]!;
      }
    });
    return { tokens, batch: rows.length, length, positions, targets };
  }

  protected inputTokens(items: Int32Array): Int32Array {
    return SequenceModel.tail(items, this.params.maxLength);
  }

  static load(a: ModelArtifact): SasRec {
    return new SasRec(Params.parse(a.params)).loadFrom(a);
  }
}

registerModel({
  name: 'sasrec',
  description: 'SASRec: causal self-attention over the time-ordered item sequence (gBCE or full-softmax loss), TensorFlow.js on WASM',
  params: Params,
  create: (p) => new SasRec(p),
  load: (a) => SasRec.load(a),
});
