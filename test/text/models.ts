import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The shared pretrained models (never copied into the repo); tests run with the repo root as cwd. */
export const SHARED_MODELS = resolve(process.cwd(), '../shared/models');
export const GLOVE_PATH = process.env.UNIREC_GLOVE_PATH ?? resolve(SHARED_MODELS, 'glove-6b-100d-150k-int8');
export const HAVE_GLOVE = existsSync(resolve(GLOVE_PATH, 'vectors.int8.bin'));

/** Similar-vs-unrelated triples: [anchor, close in meaning, unrelated]. */
export const TRIPLES: [string, string, string][] = [
  ['Toy Story', 'Toy Story 2', "Schindler's List"],
  ['The Godfather', 'The Godfather: Part II', 'Finding Nemo'],
  ['wireless earbuds', 'bluetooth headphones', 'cast iron skillet'],
  ['Star Wars: A New Hope', 'The Empire Strikes Back', 'Sense and Sensibility'],
  ['a horror film about a haunted house', 'a scary ghost movie', 'a romantic comedy in Paris'],
  ['running shoes', 'jogging sneakers', 'kitchen knife set'],
  ['red lipstick', 'lip gloss', 'lawn mower'],
  ["Harry Potter and the Sorcerer's Stone", 'Harry Potter and the Chamber of Secrets', 'Saving Private Ryan'],
  ['chocolate cake recipe', 'baking desserts', 'car engine repair'],
  ["children's animated adventure", 'cartoon for kids', 'war documentary'],
];

/** How many triples the vectors get right: cos(anchor, close) > cos(anchor, unrelated). */
export function triplesRight(vectors: Float32Array, dim: number): { right: number; wrong: string[] } {
  const cos = (a: number, b: number) => {
    let s = 0;
    for (let k = 0; k < dim; k++) s += vectors[a * dim + k]! * vectors[b * dim + k]!;
    return s;
  };
  let right = 0;
  const wrong: string[] = [];
  TRIPLES.forEach((t, i) => {
    const close = cos(3 * i, 3 * i + 1);
    const far = cos(3 * i, 3 * i + 2);
    if (close > far) right++;
    else wrong.push(`${t.join(' | ')}: ${close.toFixed(3)} <= ${far.toFixed(3)}`);
  });
  return { right, wrong };
}
