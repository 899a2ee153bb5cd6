import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticShop } from '../../src/data/synthetic.js';
import { runEvaluation, type EvaluationReport } from '../../src/eval/runner.js';

/**
 * Real evaluations for the report tests, on the seeded synthetic shop (users with demographics, items
 * with categories): popularity and itemknn under `ratio`, and content under `cold-items`, all at K = 5,
 * 10, 20. Computed once per test process and written as evaluate JSON files.
 */
export interface RunFixture {
  dir: string;
  /** what each file holds, in the order of `files` (the JSON round trip: NaN became null) */
  runs: EvaluationReport[];
  /** popularity.json (one object), knn.jsonl (one line), cold.json (an array of one) */
  files: string[];
}

let fixture: Promise<RunFixture> | undefined;

export function runFixture(): Promise<RunFixture> {
  fixture ??= (async () => {
    const dataset = syntheticShop({ users: 300, items: 150, seed: 7, eventsPerUser: 20 });
    const common = { dataset, seed: 42, ks: [5, 10, 20], threads: 1 };
    const popularity = await runEvaluation({ ...common, model: 'popularity', protocol: 'ratio' });
    const knn = await runEvaluation({ ...common, model: 'itemknn', params: { k: 50 }, protocol: 'ratio' });
    const cold = await runEvaluation({ ...common, model: 'content', protocol: 'cold-items' });
    const dir = mkdtempSync(join(tmpdir(), 'unirec-report-'));
    const files = [join(dir, 'popularity.json'), join(dir, 'knn.jsonl'), join(dir, 'cold.json')];
    writeFileSync(files[0]!, JSON.stringify(popularity, null, 2));
    writeFileSync(files[1]!, `${JSON.stringify(knn)}\n`);
    writeFileSync(files[2]!, JSON.stringify([cold]));
    const runs = [popularity, knn, cold].map((r) => JSON.parse(JSON.stringify(r)) as EvaluationReport);
    return { dir, runs, files };
  })();
  return fixture;
}
