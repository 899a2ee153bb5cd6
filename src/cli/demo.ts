import type { Command } from 'commander';
import { makeTrainData } from '../data/dataset.js';
import { runEvaluation } from '../eval/runner.js';
import { topK } from '../math/topk.js';
import { createModel } from '../pipeline/index.js';
import { addDataOptions, type DataFlags, loadFromFlags } from './data-options.js';
import { defaultThreads } from './evaluate.js';
import { stderrProgress } from './progress-bar.js';
import { itemLabel, reasonText, recommendFor } from './recommend.js';
import { metricsTable } from './tables.js';

/** The models the demo compares, weakest first. */
export const DEMO_MODELS = ['random', 'popularity', 'content', 'userknn', 'itemknn', 'bpr', 'als', 'ease'];
const DEMO_METRICS = ['ndcg@10', 'recall@10', 'hit@10', 'auc', 'coverage@10', 'novelty@10'];

export function demoCommand(program: Command): void {
  const cmd = program
    .command('demo')
    .description('the whole path on a seeded synthetic shop (or --data PATH): load, split, train, evaluate, recommend');
  addDataOptions(cmd, false).action(async (flags: DataFlags) => {
    const ds = await loadFromFlags({ ...flags, data: flags.data ?? 'synthetic' });
    const out = process.stdout;
    out.write(`unirec demo on ${ds.name}: ${ds.users.size} users, ${ds.items.size} items, ${ds.interactions.length} interactions\n\n`);
    out.write(`Evaluation (protocol ratio, seed 42, full ranking over all unseen items):\n`);
    const runs = [];
    for (const name of DEMO_MODELS) {
      const report = await runEvaluation({
        dataset: ds,
        model: name,
        params: {},
        protocol: 'ratio',
        seed: 42,
        ks: [10],
        threads: defaultThreads(),
        progress: stderrProgress(),
      });
      runs.push({ name, metrics: { ...report.metrics, 'fit s': report.fit_seconds } });
    }
    out.write(`${metricsTable(runs, [...DEMO_METRICS, 'fit s'])}\n\n`);

    // Recommendations for a few users from the best model, trained on everything.
    const model = createModel('itemknn');
    await model.fit(
      makeTrainData(ds.interactions, ds.users.size, ds.items.size, { itemTable: ds.itemTable, userTable: ds.userTable }),
      { seed: 42, threads: defaultThreads() },
    );
    for (const user of [0, 1, 2].filter((u) => u < ds.users.size)) {
      const x = ds.interactions;
      const rows: number[] = [];
      for (let r = 0; r < x.length; r++) if (x.user[r] === user) rows.push(r);
      if (ds.hasTime) rows.sort((a, b) => x.ts[a]! - x.ts[b]!);
      const history = rows.map((r) => x.item[r]!);
      const about = ds.userTable ? ` ${JSON.stringify(ds.userTable.describe(user))}` : '';
      out.write(`User ${ds.users.external(user)}${about}\n  recently: ${history.slice(-3).map((i) => itemLabel(ds, i)).join('; ')}\n`);
      for (const [rank, rec] of recommendFor(ds, model, user, 5, true).entries()) {
        out.write(`  ${rank + 1}. ${itemLabel(ds, rec.item)}\n`);
        if (rec.reasons[0]) out.write(`       because ${reasonText(ds, rec.reasons[0])}\n`);
      }
      out.write('\n');
    }

    // A visitor the model never saw: two events, and recommendations follow at once (fold-in, no retraining).
    const content = createModel('content');
    await content.fit(
      makeTrainData(ds.interactions, ds.users.size, ds.items.size, { itemTable: ds.itemTable, userTable: ds.userTable }),
      { seed: 42, threads: 1 },
    );
    const viewed = Int32Array.from([ds.interactions.item[0]!, ds.interactions.item[1]!]);
    out.write(`A new visitor views: ${Array.from(viewed, (i) => itemLabel(ds, i)).join('; ')}\n`);
    for (const [label, m] of [['itemknn', model], ['content', content]] as const) {
      const scores = new Float32Array(ds.items.size);
      m.foldIn!({ items: viewed }, scores);
      const exclude = new Uint8Array(ds.items.size);
      for (const i of viewed) exclude[i] = 1;
      const best = topK(scores, 3, exclude);
      out.write(`  ${label.padEnd(8)} -> ${Array.from(best.indices, (i) => itemLabel(ds, i)).join('; ')}\n`);
    }
  });
}
