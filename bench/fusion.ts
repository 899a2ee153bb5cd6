/**
 * Issue 4, `npm run bench -- fusion`: fused retrievers against the best single model in them, in one
 * run (the re-rank stages are bench/rerank.ts; ml-100k with more retrievers and stacking, bench/fusion-stacking.ts).
 */
import path from 'node:path';
import { data, fmt, pct, unirec, type Run } from './unirec.js';

const ratio = ['--protocol', 'ratio', '--k', '10', '--seed', '42', '--json'];
/** the pipeline these rows vary: the default before the data-aware one (pipeline/default-pipeline.ts) */
const base = {
  retrievers: ['als', 'itemknn', 'popularity'].map((model) => ({ model })),
  ranker: 'logistic',
  rankerInputs: ['rank', 'popularity', 'profile', 'activity'],
  rankerFolds: 0,
  rankerSegments: 1,
};

function fusionTable(): string[] {
  const rows: string[] = [];
  const verdicts: string[] = [];
  for (const name of ['ml-100k', 'ml-latest-small', 'ml-1m']) {
    const dir = path.join(data, name);
    const singles: [string, Run][] = ['popularity', 'itemknn', 'als'].map((model) => [model, unirec(['evaluate', '--data', dir, '--model', model, ...ratio])]);
    // not one of the pipeline's retrievers: shown so the fused figures can be read against it too
    const ease = unirec(['evaluate', '--data', dir, '--model', 'ease', ...ratio]);
    const pipelines: [string, Record<string, unknown>][] = [
      ['weighted z-scores', { fusion: 'weighted' }],
      ['reciprocal rank', { fusion: 'rrf' }],
      ['learned: logistic, scores only', { rankerInputs: [] }],
      ['learned: logistic, + ranks, popularity, profile, activity', {}],
      ['learned: coordinate ascent on NDCG, scores only', { ranker: 'coordinate-ascent', rankerInputs: [] }],
      ['learned: coordinate ascent on NDCG, all inputs', { ranker: 'coordinate-ascent' }],
      ['learned: gbdt, logistic loss, all inputs', { ranker: 'gbdt', negatives: 20 }],
      ['learned: gbdt, LambdaRank, depth 4, all inputs', { ranker: 'gbdt', gbdt: { loss: 'pairwise', depth: 4, minLeaf: 20, learningRate: 0.1 } }],
    ];
    const runs = [...singles, ['ease (not in the pipeline)', ease] as [string, Run], ...pipelines.map(([label, p]): [string, Run] => [`pipeline, ${label}`, unirec(['evaluate', '--data', dir, '--model', 'pipeline', '--params', JSON.stringify({ ...base, ...p }), ...ratio])])];
    const best = Math.max(...singles.map(([, r]) => r.report.metrics['ndcg@10'] as number));
    const fused = runs.filter(([label]) => label.startsWith('pipeline, learned'));
    const [topLabel, top] = fused.reduce((x, y) => (y[1].report.metrics['ndcg@10'] > x[1].report.metrics['ndcg@10'] ? y : x));
    const byDefault = fused.find(([label]) => label.includes('+ ranks'))![1].report.metrics['ndcg@10'];
    verdicts.push(`- ${name}: learned fusion with the old default params ${pct(byDefault, best)} over the best single model in it; best learned variant here ${pct(top.report.metrics['ndcg@10'], best)} (${topLabel.replace('pipeline, ', '')}); ease alone ${pct(ease.report.metrics['ndcg@10'], best)} (bar: +3%).`);
    for (const [model, r] of runs) {
      const m = r.report.metrics;
      rows.push(`| ${name} | ${model} | ${fmt(m['ndcg@10'])} | ${pct(m['ndcg@10'], best)} | ${fmt(m['recall@10'])} | ${fmt(m['coverage@10'])} | ${fmt(r.report.fit_seconds, 1)} |`);
    }
  }
  return [
    '### Learned fusion vs the best single model in it (protocol ratio, seed 42)',
    '',
    '```sh',
    `npx unirec evaluate --data ../shared/data/<ml-100k|ml-latest-small|ml-1m> --model pipeline --params '${JSON.stringify(base)}' --protocol ratio --k 10 --seed 42 --json  # + each row's params`,
    '```',
    '',
    'Retrievers: als, itemknn, popularity (the default before the data-aware one; params `base` in bench/fusion.ts). The learned rankers are fitted on the valid split and order the',
    "retrievers' top-200 unseen candidates; inputs are each retriever's standardised score, and optionally its rank",
    "(log2(2 + rank)), the item's log train count, the cosine of the item's features with the user's profile, and the",
    "user's log event count. Logistic: pointwise, 8 sampled negatives per valid positive. Coordinate ascent",
    '(src/pipeline/coordinate-ascent.ts): a linear ranker fitted on NDCG@10 of the valid users over all their',
    'candidates (listwise). gbdt (src/pipeline/gbdt.ts): 100 trees, 64 histogram bins; default depth 3, leaves of',
    '>= 100 rows, learning rate 0.05. ml-1m is read from ratings.parquet: (user, movie) pairs, no ratings or times.',
    '',
    '| data | model | NDCG@10 | vs best single | Recall@10 | coverage@10 | fit s |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    ...verdicts,
  ];
}

export function fusion(): string {
  return fusionTable().join('\n');
}
