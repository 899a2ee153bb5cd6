import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UnirecError } from '../errors.js';

/**
 * BERT's WordPiece tokenizer (Devlin et al. 2019), as sentence-transformer models (MiniLM, BGE, E5...)
 * use it: clean the text (drop control characters, whitespace to spaces), optionally lower-case and
 * strip accents, split on whitespace and punctuation (each CJK character apart), then cut every word
 * greedily into the longest vocabulary pieces, continuations marked "##"; a word that cannot be cut
 * (or is longer than 100 characters) is [UNK]. Output: [CLS] ids [SEP], truncated to maxLength.
 */
export interface WordPieceOptions {
  lowerCase?: boolean;
  /** strip accents (default: same as lowerCase, as BERT's uncased models) */
  stripAccents?: boolean;
  /** most tokens per text including [CLS] and [SEP] (default 256) */
  maxLength?: number;
  continuingPrefix?: string;
  unknownToken?: string;
  clsToken?: string;
  sepToken?: string;
}

const MAX_WORD = 100;

export class WordPieceTokenizer {
  readonly lowerCase: boolean;
  readonly stripAccents: boolean;
  readonly maxLength: number;
  private readonly prefix: string;
  readonly unknownId: number;
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;

  constructor(
    readonly vocab: ReadonlyMap<string, number>,
    options: WordPieceOptions = {},
  ) {
    this.lowerCase = options.lowerCase ?? true;
    this.stripAccents = options.stripAccents ?? this.lowerCase;
    this.maxLength = options.maxLength ?? 256;
    this.prefix = options.continuingPrefix ?? '##';
    const id = (token: string): number => {
      const v = vocab.get(token);
      if (v === undefined) throw new UnirecError(`WordPiece vocabulary has no ${token} token`);
      return v;
    };
    this.unknownId = id(options.unknownToken ?? '[UNK]');
    this.clsId = id(options.clsToken ?? '[CLS]');
    this.sepId = id(options.sepToken ?? '[SEP]');
    this.padId = vocab.get('[PAD]') ?? 0;
  }

  /** From a vocab.txt: one token per line, the line number is the id. */
  static fromVocabText(text: string, options: WordPieceOptions = {}): WordPieceTokenizer {
    const vocab = new Map<string, number>();
    const lines = text.split(/\r?\n/);
    if (lines[lines.length - 1] === '') lines.pop();
    lines.forEach((t, i) => {
      if (!vocab.has(t)) vocab.set(t, i);
    });
    return new WordPieceTokenizer(vocab, options);
  }

  /**
   * From a Hugging Face tokenizer.json with a WordPiece model: its vocabulary, lower-casing and
   * accent stripping from the BertNormalizer, the unknown token and continuation prefix of the model.
   */
  static fromTokenizerJson(json: unknown, options: WordPieceOptions = {}): WordPieceTokenizer {
    const t = json as {
      model?: { type?: string; vocab?: Record<string, number>; unk_token?: string; continuing_subword_prefix?: string; max_input_chars_per_word?: number };
      normalizer?: { type?: string; lowercase?: boolean; strip_accents?: boolean | null; normalizers?: { type?: string }[] } | null;
      truncation?: { max_length?: number } | null;
    };
    if (t?.model?.type !== 'WordPiece' || !t.model.vocab) {
      throw new UnirecError(`tokenizer.json: expected a WordPiece model with a vocab, got ${JSON.stringify(t?.model?.type ?? null)}`);
    }
    const norm = t.normalizer;
    let lowerCase = options.lowerCase;
    let stripAccents = options.stripAccents;
    if (norm?.type === 'BertNormalizer') {
      lowerCase ??= norm.lowercase ?? true;
      stripAccents ??= norm.strip_accents ?? lowerCase;
    } else if (norm?.type === 'Sequence') {
      const kinds = (norm.normalizers ?? []).map((n) => n.type);
      lowerCase ??= kinds.includes('Lowercase');
      stripAccents ??= kinds.includes('StripAccents');
    } else if (norm === null) {
      lowerCase ??= false;
    }
    return new WordPieceTokenizer(new Map(Object.entries(t.model.vocab)), {
      maxLength: t.truncation?.max_length,
      ...options,
      lowerCase,
      stripAccents,
      unknownToken: options.unknownToken ?? t.model.unk_token,
      continuingPrefix: options.continuingPrefix ?? t.model.continuing_subword_prefix,
    });
  }

  /** A model folder's tokenizer: tokenizer.json if present, else vocab.txt. */
  static async fromFolder(folder: string, options: WordPieceOptions = {}): Promise<WordPieceTokenizer> {
    try {
      const json = JSON.parse(await readFile(join(folder, 'tokenizer.json'), 'utf8')) as unknown;
      return WordPieceTokenizer.fromTokenizerJson(json, options);
    } catch (e) {
      if (e instanceof UnirecError) throw e;
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new UnirecError(`${join(folder, 'tokenizer.json')}: ${(e as Error).message}`);
    }
    let text: string;
    try {
      text = await readFile(join(folder, 'vocab.txt'), 'utf8');
    } catch {
      throw new UnirecError(`${folder}: no tokenizer.json or vocab.txt (a WordPiece vocabulary is needed)`);
    }
    return WordPieceTokenizer.fromVocabText(text, options);
  }

  /** The words before WordPiece: cleaned, cased as configured, split at whitespace and punctuation. */
  basicTokens(text: string): string[] {
    let s = '';
    for (const ch of text) {
      const c = ch.codePointAt(0)!;
      if (c === 0 || c === 0xfffd || (isControl(ch) && !/\s/u.test(ch))) continue;
      s += /\s/u.test(ch) ? ' ' : isCjk(c) ? ` ${ch} ` : ch;
    }
    if (this.lowerCase) s = s.toLowerCase();
    if (this.stripAccents) s = s.normalize('NFD').replace(/\p{Mn}+/gu, '');
    const out: string[] = [];
    for (const word of s.split(' ')) {
      if (!word) continue;
      let cur = '';
      for (const ch of word) {
        if (isPunctuation(ch)) {
          if (cur) out.push(cur);
          out.push(ch);
          cur = '';
        } else cur += ch;
      }
      if (cur) out.push(cur);
    }
    return out;
  }

  /** Greedy longest-match-first pieces of one word. */
  wordPieces(word: string): number[] {
    const chars = [...word];
    if (chars.length > MAX_WORD) return [this.unknownId];
    const out: number[] = [];
    let start = 0;
    while (start < chars.length) {
      let end = chars.length;
      let id: number | undefined;
      while (start < end) {
        const sub = (start > 0 ? this.prefix : '') + chars.slice(start, end).join('');
        id = this.vocab.get(sub);
        if (id !== undefined) break;
        end--;
      }
      if (id === undefined) return [this.unknownId];
      out.push(id);
      start = end;
    }
    return out;
  }

  /** [CLS] pieces [SEP], at most maxLength ids. */
  encode(text: string): number[] {
    const ids = [this.clsId];
    for (const word of this.basicTokens(text)) {
      for (const id of this.wordPieces(word)) ids.push(id);
      if (ids.length >= this.maxLength - 1) break;
    }
    ids.length = Math.min(ids.length, this.maxLength - 1);
    ids.push(this.sepId);
    return ids;
  }
}

function isControl(ch: string): boolean {
  return /\p{Cc}|\p{Cf}/u.test(ch);
}

/** BERT's punctuation: every non-alphanumeric ASCII symbol, plus Unicode punctuation. */
function isPunctuation(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
  return /\p{P}/u.test(ch);
}

/** The CJK Unified Ideograph blocks BERT splits character by character. */
function isCjk(c: number): boolean {
  return (
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x20000 && c <= 0x2a6df) ||
    (c >= 0x2a700 && c <= 0x2b73f) ||
    (c >= 0x2b740 && c <= 0x2b81f) ||
    (c >= 0x2b820 && c <= 0x2ceaf) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    (c >= 0x2f800 && c <= 0x2fa1f)
  );
}
