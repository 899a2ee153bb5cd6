/**
 * `npm run bench -- retrieval`: what an item index and compressed vectors cost in ranking quality, on
 * ml-1m with ALS (protocol ratio, seed 42), through the real CLI: `unirec evaluate` ranks each user
 * from `Recommender.retrieve` (the served list) when the model's params ask for an index or int8/float16.
 */
import path from 'node:path';
import { data, fmt, type Run, unirec } from './unirec.js';

export function retrieval(): string {
  const ml1m = path.join(data, 'ml-1m');
  const run = (params: Record<string, unknown>): Run =>
    unirec(['evaluate', '--data', ml1m, '--model', 'als', '--params', JSON.stringify(params), '--protocol', 'ratio', '--k', '10', '--seed', '42', '--json']);
  const variants: [string, Record<string, unknown>][] = [
    ['exact float32 (default)', {}],
    ['hnsw (native ip space, the default)', { retrieval: 'hnsw' }],
    ['hnsw (mips reduction)', { retrieval: 'hnsw', hnswSpace: 'mips' }],
    ['exact int8 + re-rank', { vectors: 'int8' }],
    ['exact float16', { vectors: 'float16' }],
    ['hnsw + int8', { retrieval: 'hnsw', vectors: 'int8' }],
  ];
  const runs = variants.map(([name, p]) => [name, run(p)] as const);
  const base = runs[0]![1].report;
  const nItems = base.data.items as number;
  const nUsers = base.data.users as number;
  const f = 64;
  const bytes: Record<string, number> = { float32: 4 * f, float16: 2 * f, int8: f + 4 };
  const rows = runs.map(([name, r]) => {
    const m = r.report.metrics;
    const b = m['ndcg@10'] / base.metrics['ndcg@10'] - 1;
    const kind = (r.report.params.vectors as string) ?? 'float32';
    const mib = ((nItems + nUsers) * bytes[kind]!) / 2 ** 20;
    return `| ${name} | ${fmt(m['ndcg@10'])} | ${b >= 0 ? '+' : ''}${(b * 100).toFixed(2)}% | ${fmt(m['recall@10'])} | ${fmt(m.auc)} | ${mib.toFixed(2)} (${(bytes.float32! / bytes[kind]!).toFixed(2)}x less) | ${fmt(r.report.fit_seconds, 1)} | ${fmt(r.report.eval_seconds, 1)} |`;
  });
  return [
    '```sh',
    ...runs.map(([, r]) => r.command),
    '```',
    '',
    `ml-1m (${nUsers} users, ${nItems} items), ALS 64 factors; HNSW M ${base.params.hnswM}, efConstruction ${base.params.hnswEfConstruction}, ef ${base.params.hnswEf}. Vector bytes: user + item factor rows in the stored form (artifact and resident retrieval store; int8 = 64 codes + a float32 scale per row). Fit includes building the graph.`,
    '',
    '| retrieval | NDCG@10 | vs exact | Recall@10 | AUC | vector MiB | fit s | eval s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}
