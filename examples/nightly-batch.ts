/**
 * A nightly job: train on yesterday's export (a CSV of events, and the catalogue as JSON lines), and
 * replace the model file the shop loads, atomically (the old file stays until the new one is written).
 *
 *   node dist/examples/nightly-batch.js events.csv products.jsonl shop.unirec
 *
 * events.csv has a header with user and item columns (value/rating and ts/timestamp are used when
 * present). Prints one JSON line: what was trained, how big, how long.
 */
import { readFile } from 'node:fs/promises';
import { Recommender, type ItemRecord } from 'unirec';

async function readCatalogue(path: string): Promise<ItemRecord[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ItemRecord);
}

async function main(): Promise<void> {
  const [events, products, out] = process.argv.slice(2);
  if (!events || !products || !out) throw new Error('usage: nightly-batch EVENTS.csv PRODUCTS.jsonl OUT.unirec');
  const started = Date.now();
  const items = await readCatalogue(products);
  // ALS for a catalogue of any size; a small regularisation suits a small shop.
  const rec = await Recommender.train({ model: 'als', params: { factors: 16, iterations: 10, regularization: 0.5 }, events, items, seed: 1 });
  await rec.save(out);
  process.stdout.write(
    `${JSON.stringify({ model: rec.model, users: rec.userIds.length, items: rec.itemIds.length, file: out, seconds: (Date.now() - started) / 1000 })}\n`,
  );
}

await main();
