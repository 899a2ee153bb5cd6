/**
 * A word tokenizer for titles, tags and descriptions: Unicode-normalised (NFKC), lower-cased, optionally
 * without diacritics ("Amélie" = "amelie"), split into runs of letters and digits of any script
 * (Han characters one by one, since Chinese and Japanese do not separate words with spaces), with
 * possessive "'s" dropped, elisions split ("l'amour" -> "amour"), and stop words removed.
 */

/** English function words (the usual IR list, plus contraction leftovers): they carry no content. */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all also am an and any are aren as at be because been before being below ' +
    'between both but by can cannot could couldn did didn do does doesn doing don down during each few for from ' +
    'further had hadn has hasn have haven having he her here hers herself him himself his how i if in into is isn ' +
    'it its itself just ll me more most mustn my myself no nor not now of off on once only or other our ours ' +
    'ourselves out over own re s same shan she should shouldn so some such t than that the their theirs them ' +
    'themselves then there these they this those through to too under until up ve very was wasn we were weren ' +
    'what when where which while who whom why will with won would wouldn you your yours yourself yourselves'
  ).split(' '),
);

export interface TokenizeOptions {
  /** words to drop after lower-casing (default: ENGLISH_STOP_WORDS; an empty set keeps all) */
  stopWords?: ReadonlySet<string>;
  /** shortest token kept, in characters (default 2; single Han characters are always kept) */
  minLength?: number;
  /** keep tokens made only of digits, like years (default false) */
  keepNumbers?: boolean;
  /** strip accents and other combining marks (default true) */
  foldDiacritics?: boolean;
}

// A Han character alone, or a run of letters, marks and digits of any other script, with inner
// apostrophes ("don't", "l'amour") kept for the elision rules below.
const WORD = /\p{Script=Han}|(?:(?!\p{Script=Han})[\p{L}\p{M}\p{N}])+(?:['’](?:(?!\p{Script=Han})[\p{L}\p{M}\p{N}])+)*/gu;
const HAN = /^\p{Script=Han}$/u;
const DIGITS = /^\p{N}+$/u;
const MARKS = /\p{M}+/gu;

export function tokenize(text: string, options: TokenizeOptions = {}): string[] {
  const stop = options.stopWords ?? ENGLISH_STOP_WORDS;
  const minLength = options.minLength ?? 2;
  let s = text.normalize('NFKC').toLowerCase();
  if (options.foldDiacritics ?? true) s = s.normalize('NFD').replace(MARKS, '').normalize('NFC');
  const out: string[] = [];
  const keep = (t: string): void => {
    if (HAN.test(t)) {
      out.push(t);
      return;
    }
    if ([...t].length < minLength) return;
    if (!options.keepNumbers && DIGITS.test(t)) return;
    if (stop.has(t)) return;
    out.push(t);
  };
  for (const m of s.matchAll(WORD)) {
    const word = m[0];
    if (!/['’]/.test(word)) {
      keep(word);
      continue;
    }
    const parts = word.split(/['’]/);
    // possessive: "toy's" -> "toy"; elision and contractions: keep the parts ("l'amour" -> "l", "amour")
    if (parts.length === 2 && parts[1] === 's') keep(parts[0]!);
    else for (const p of parts) keep(p);
  }
  return out;
}
