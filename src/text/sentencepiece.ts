/**
 * SentencePiece unigram tokenization (Kudo 2018) over a vocabulary of [piece, log-probability] pairs,
 * as the Universal Sentence Encoder Lite was trained with. The text is NFKC-normalised (case kept),
 * every space becomes "▁" (U+2581) and one "▁" is put in front; then Viterbi finds the segmentation
 * into pieces with the highest total score. Ids below `reserved` (unknown, <s>, </s>, user symbols)
 * are never matched; a character no piece starts with becomes the unknown id 0, and consecutive
 * unknowns merge into one, as in the reference Tokenizer of @tensorflow-models/universal-sentence-encoder
 * (ties go to the later start, as there).
 */
export type SentencePieceVocabulary = readonly (readonly [string, number | null])[];

const SPACE = '\u2581';
const UNKNOWN = 0;

export class SentencePieceTokenizer {
  /** piece -> id */
  private readonly ids = new Map<string, number>();
  private readonly scores: Float64Array;
  /** longest piece, in code points */
  private readonly maxLength: number;
  /** score of an unknown character: SentencePiece's min score minus its penalty of 10 */
  private readonly unknownScore: number;

  constructor(
    readonly vocabulary: SentencePieceVocabulary,
    readonly reserved = 6,
  ) {
    if (!Array.isArray(vocabulary) || vocabulary.length <= reserved) {
      throw new TypeError(`SentencePiece vocabulary must be a list of more than ${reserved} [piece, score] pairs`);
    }
    this.scores = new Float64Array(vocabulary.length);
    let maxLength = 1;
    let minScore = 0;
    vocabulary.forEach((entry, id) => {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string' || (typeof entry[1] !== 'number' && entry[1] !== null)) {
        throw new TypeError(`SentencePiece vocabulary entry ${id} is not a [piece, score] pair: ${JSON.stringify(entry)}`);
      }
      // USE-lite's vocab.json has null scores for the pieces with ':' (lost in its conversion); the
      // reference tokenizer adds them as 0, so they always win: do the same to feed the model what it expects
      const score = entry[1] ?? 0;
      this.scores[id] = score;
      if (id < reserved) return;
      this.ids.set(entry[0], id);
      maxLength = Math.max(maxLength, [...entry[0]].length);
      minScore = Math.min(minScore, score);
    });
    this.maxLength = maxLength;
    this.unknownScore = minScore - 10;
  }

  /** The text as SentencePiece sees it: NFKC, spaces as "▁", a leading "▁" (empty stays empty). */
  static normalize(text: string): string {
    const s = text.normalize('NFKC');
    return s.length > 0 ? SPACE + s.replace(/ /g, SPACE) : s;
  }

  /** Token ids of the best segmentation of `text`. */
  encode(text: string): number[] {
    const chars = [...SentencePieceTokenizer.normalize(text)];
    const n = chars.length;
    if (n === 0) return [];
    // best[e]: best score of a segmentation of chars[0, e); from[e]: where its last piece starts
    const best = new Float64Array(n + 1).fill(-Infinity);
    const from = new Int32Array(n + 1).fill(-1);
    const piece = new Int32Array(n + 1);
    best[0] = 0;
    for (let s = 0; s < n; s++) {
      if (best[s] === -Infinity) continue;
      let sub = '';
      let matched = false;
      for (let len = 1; len <= this.maxLength && s + len <= n; len++) {
        sub += chars[s + len - 1];
        const id = this.ids.get(sub);
        if (id === undefined) continue;
        if (len === 1) matched = true;
        this.relax(best, from, piece, s, s + len, id, this.scores[id]!);
      }
      if (!matched) this.relax(best, from, piece, s, s + 1, UNKNOWN, this.unknownScore);
    }
    const out: number[] = [];
    for (let e = n; e > 0; e = from[e]!) out.push(piece[e]!);
    out.reverse();
    // consecutive unknown characters are one unknown token
    return out.filter((id, k) => !(id === UNKNOWN && k > 0 && out[k - 1] === UNKNOWN));
  }

  /** Viterbi step: the segmentation ending with piece `id` over [s, e) if it is at least as good. */
  private relax(best: Float64Array, from: Int32Array, piece: Int32Array, s: number, e: number, id: number, score: number): void {
    const total = best[s]! + score;
    if (total >= best[e]!) {
      best[e] = total;
      from[e] = s;
      piece[e] = id;
    }
  }

  /** The pieces of a list of ids (for debugging and tests). */
  pieces(ids: readonly number[]): string[] {
    return ids.map((id) => this.vocabulary[id]?.[0] ?? '?');
  }
}
