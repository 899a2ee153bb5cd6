import type { Command } from 'commander';
import type { Dataset } from '../data/dataset.js';
import { makeTrainData } from '../data/dataset.js';
import { UnirecError } from '../errors.js';
import { topK } from '../math/topk.js';
import { createModel, type Reason, type Recommender } from '../pipeline/index.js';
import { addDataOptions, type DataFlags, loadFromFlags, paramsFromFlags } from './data-options.js';
import { defaultThreads } from './evaluate.js';
import { positiveInt } from './flags.js';
import { stderrProgress } from './progress-bar.js';

interface ModelFlags extends DataFlags {
  model: string;
  params?: string;
  config?: string;
  seed: number;
  threads: number;
  json?: boolean;
}

function addModelOptions(cmd: Command): Command {
  return addDataOptions(
    cmd
      .option('--model <name>', 'model to use (see `unirec models`)', 'itemknn')
      .option('--params <json>', 'model parameters as a JSON object')
      .option('--config <file>', 'model parameters from a JSON file (e.g. a pipeline of retrievers)')
      .option('--seed <n>', 'seed', (v) => Number.parseInt(v, 10), 42)
      .option('--threads <n>', 'worker threads', positiveInt('--threads'), defaultThreads())
      .option('--json', 'print JSON on stdout'),
  );
}

/** Loads the data and fits the model on all of it. */
export async function fitOnAll(flags: ModelFlags): Promise<{ ds: Dataset; model: Recommender }> {
  const model = createModel(flags.model, paramsFromFlags(flags));
  const ds = await loadFromFlags(flags);
  const train = makeTrainData(ds.interactions, ds.users.size, ds.items.size, {
    hasRatings: ds.hasRatings,
    itemTable: ds.itemTable,
    userTable: ds.userTable,
    relation: ds.relation,
  });
  await model.fit(train, { seed: flags.seed, threads: flags.threads, progress: stderrProgress() });
  return { ds, model };
}

function denseUser(ds: Dataset, id: string): number {
  const u = ds.users.get(id);
  if (u < 0) throw new UnirecError(`unknown user "${id}" in ${ds.name} (${ds.users.size} users; e.g. "${ds.users.external(0)}")`);
  return u;
}

function denseItem(ds: Dataset, id: string): number {
  const i = ds.items.get(id);
  if (i < 0) throw new UnirecError(`unknown item "${id}" in ${ds.name} (${ds.items.size} items; e.g. "${ds.items.external(0)}")`);
  return i;
}

export function itemLabel(ds: Dataset, item: number): string {
  const title = ds.itemTable?.title(item);
  return title ? `${ds.items.external(item)}  ${title}` : ds.items.external(item);
}

/** A reason in words, with the contributing item or user named. */
export function reasonText(ds: Dataset, r: Reason): string {
  if (r.kind === 'item' && r.id !== undefined) return `${r.text}: ${itemLabel(ds, r.id)}`;
  if (r.kind === 'user' && r.id !== undefined) return `${r.text}: user ${ds.users.external(r.id)}`;
  return r.text;
}

/** The top-k unseen items for a known user, with optional reasons. */
export function recommendFor(ds: Dataset, model: Recommender, user: number, k: number, withReasons: boolean) {
  const scores = new Float32Array(ds.items.size);
  model.scoreUser(user, scores);
  const seen = new Uint8Array(ds.items.size);
  const x = ds.interactions;
  for (let r = 0; r < x.length; r++) if (x.user[r] === user) seen[x.item[r]!] = 1;
  const best = topK(scores, k, seen);
  return Array.from(best.indices, (item, rank) => ({
    item,
    score: best.scores[rank]!,
    reasons: withReasons && model.explain ? model.explain(user, item, 3) : [],
  }));
}

export function recommendCommand(program: Command): void {
  const cmd = program
    .command('recommend')
    .description('fit a model on all the data and print the top items for one user')
    .requiredOption('--user <id>', 'user id as in the data')
    .option('--k <n>', 'how many items', positiveInt('--k'), 10)
    .option('--explain', 'say why each item was recommended');
  addModelOptions(cmd).action(async (flags: ModelFlags & { user: string; k: number; explain?: boolean }) => {
    const { ds, model } = await fitOnAll(flags);
    const user = denseUser(ds, flags.user);
    const recs = recommendFor(ds, model, user, flags.k, flags.explain ?? false);
    if (flags.json) {
      const items = recs.map((r) => ({ id: ds.items.external(r.item), title: ds.itemTable?.title(r.item), score: r.score, reasons: r.reasons.map((x) => reasonText(ds, x)) }));
      process.stdout.write(`${JSON.stringify({ user: flags.user, model: flags.model, items })}\n`);
      return;
    }
    process.stdout.write(`top ${flags.k} for user ${flags.user} by ${flags.model}:\n`);
    recs.forEach((r, rank) => {
      process.stdout.write(`${String(rank + 1).padStart(3)}. ${itemLabel(ds, r.item)}  (score ${r.score.toFixed(4)})\n`);
      for (const reason of r.reasons) process.stdout.write(`       - ${reasonText(ds, reason)}\n`);
    });
  });
}

export function similarCommand(program: Command): void {
  const cmd = program
    .command('similar')
    .description('fit a model on all the data and print the items most similar to one item')
    .requiredOption('--item <id>', 'item id as in the data')
    .option('--k <n>', 'how many items', positiveInt('--k'), 10);
  addModelOptions(cmd).action(async (flags: ModelFlags & { item: string; k: number }) => {
    const { ds, model } = await fitOnAll(flags);
    const item = denseItem(ds, flags.item);
    if (!model.similarItems) throw new UnirecError(`model "${flags.model}" has no item similarity; try itemknn`);
    const best = model.similarItems(item, flags.k);
    if (flags.json) {
      const items = Array.from(best.indices, (i, r) => ({ id: ds.items.external(i), title: ds.itemTable?.title(i), score: best.scores[r] }));
      process.stdout.write(`${JSON.stringify({ item: flags.item, model: flags.model, items })}\n`);
      return;
    }
    process.stdout.write(`items similar to ${itemLabel(ds, item)} by ${flags.model}:\n`);
    best.indices.forEach((i, r) => process.stdout.write(`${String(r + 1).padStart(3)}. ${itemLabel(ds, i)}  (${best.scores[r]!.toFixed(4)})\n`));
  });
}

export function explainCommand(program: Command): void {
  const cmd = program
    .command('explain')
    .description('fit a model on all the data and say why it scores an item for a user as it does')
    .requiredOption('--user <id>', 'user id')
    .requiredOption('--item <id>', 'item id');
  addModelOptions(cmd).action(async (flags: ModelFlags & { user: string; item: string }) => {
    const { ds, model } = await fitOnAll(flags);
    const user = denseUser(ds, flags.user);
    const item = denseItem(ds, flags.item);
    if (!model.explain) throw new UnirecError(`model "${flags.model}" cannot explain its scores`);
    const scores = new Float32Array(ds.items.size);
    model.scoreUser(user, scores);
    const reasons = model.explain(user, item, 10);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ user: flags.user, item: flags.item, score: scores[item], reasons: reasons.map((r) => ({ ...r, text: reasonText(ds, r) })) })}\n`);
      return;
    }
    process.stdout.write(`${itemLabel(ds, item)} for user ${flags.user}: score ${scores[item]!.toFixed(4)}\n`);
    for (const r of reasons) process.stdout.write(`  ${r.weight.toFixed(4)}  ${reasonText(ds, r)}\n`);
  });
}
