/**
 * Issue 4, `npm run bench -- fusion`: fused retrievers against the best single model in them, in one
 * run, and the re-rank stages' effect on accuracy and beyond-accuracy metrics.
 */
import path from 'node:path';
import { data, fmt, pct, unirec, type Run } from './unirec.js';

const ratio = ['--protocol', 'ratio', '--k', '10', '--seed', '42', '--json'];

function fusionTable(): string[] {
  const rows: string[] = [];
  const verdicts: string[] = [];
  for (const name of ['ml-100k', 'ml-latest-small']) {
    const dir = path.join(data, name);
    const singles: [string, Run][] = ['popularity', 'itemknn', 'als'].map((model) => [model, unirec(['evaluate', '--data', dir, '--model', model, ...ratio])]);
    // not one of the pipeline's retrievers: shown so the fused figures can be read against it too
    const ease = unirec(['evaluate', '--data', dir, '--model', 'ease', ...ratio]);
    const pipelines: [string, Record<string, unknown>][] = [
      ['weighted z-scores', { fusion: 'weighted' }],
      ['reciprocal rank', { fusion: 'rrf' }],
      ['learned: logistic, scores only', { rankerInputs: [] }],
      ['learned: logistic, + ranks, popularity, profile, activity', {}],
      ['learned: gbdt, logistic loss, all inputs', { ranker: 'gbdt', negatives: 20 }],
      ['learned: gbdt, LambdaRank, depth 4, all inputs', { ranker: 'gbdt', gbdt: { loss: 'pairwise', depth: 4, minLeaf: 20, learningRate: 0.1 } }],
    ];
    const runs = [...singles, ['ease (not in the pipeline)', ease] as [string, Run], ...pipelines.map(([label, p]): [string, Run] => [`pipeline, ${label}`, unirec(['evaluate', '--data', dir, '--model', 'pipeline', '--params', JSON.stringify(p), ...ratio])])];
    const best = Math.max(...singles.map(([, r]) => r.report.metrics['ndcg@10'] as number));
    const fused = runs.filter(([label]) => label.startsWith('pipeline, learned'));
    const [topLabel, top] = fused.reduce((x, y) => (y[1].report.metrics['ndcg@10'] > x[1].report.metrics['ndcg@10'] ? y : x));
    const byDefault = fused.find(([label]) => label.includes('+ ranks'))![1].report.metrics['ndcg@10'];
    verdicts.push(`- ${name}: learned fusion with the default params ${pct(byDefault, best)} over the best single model in it; best learned variant here ${pct(top.report.metrics['ndcg@10'], best)} (${topLabel.replace('pipeline, ', '')}); ease alone ${pct(ease.report.metrics['ndcg@10'], best)} (bar: +3%).`);
    for (const [model, r] of runs) {
      const m = r.report.metrics;
      rows.push(`| ${name} | ${model} | ${fmt(m['ndcg@10'])} | ${pct(m['ndcg@10'], best)} | ${fmt(m['recall@10'])} | ${fmt(m['coverage@10'])} | ${fmt(r.report.fit_seconds, 1)} |`);
    }
  }
  return [
    '### Learned fusion vs the best single model in it (protocol ratio, seed 42)',
    '',
    '```sh',
    'npx unirec evaluate --data ../shared/data/<ml-100k|ml-latest-small> --model pipeline --params \'{}\' --protocol ratio --k 10 --seed 42 --json',
    '```',
    '',
    'Retrievers: als, itemknn, popularity (the default). The learned rankers are fitted on the valid split and order the',
    "retrievers' top-200 unseen candidates; inputs are each retriever's standardised score, and optionally its rank",
    "(log2(2 + rank)), the item's log train count, the cosine of the item's features with the user's profile, and the",
    "user's log event count. gbdt (src/pipeline/gbdt.ts): 100 trees, 64 histogram bins; default depth 3, leaves of",
    '>= 100 rows, learning rate 0.05.',
    '',
    '| data | model | NDCG@10 | vs best single | Recall@10 | coverage@10 | fit s |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    ...verdicts,
  ];
}

function rerankTable(): string[] {
  const dir = path.join(data, 'ml-100k');
  const base = { retrievers: [{ model: 'als' }], fusion: 'weighted' };
  const stages: [string, unknown[]][] = [
    ['none (ALS order)', []],
    ...[0.9, 0.7, 0.5, 0.3].map((lambda): [string, unknown[]] => [`mmr max, genres, lambda ${lambda}`, [{ type: 'mmr', lambda, pool: 50, columns: ['genres'] }]]),
    ...[0.5, 0.3].map((lambda): [string, unknown[]] => [`mmr mean, genres, lambda ${lambda}`, [{ type: 'mmr', lambda, pool: 50, columns: ['genres'], aggregate: 'mean' }]]),
    ['mmr max, all item features, lambda 0.7', [{ type: 'mmr', lambda: 0.7 }]],
    ...[0.5, 0.3].map((lambda): [string, unknown[]] => [`mmr max, interactions, lambda ${lambda}`, [{ type: 'mmr', lambda, pool: 100, similarity: 'interactions' }]]),
    ...[0.3, 0.2].map((lambda): [string, unknown[]] => [`mmr mean, interactions, lambda ${lambda}`, [{ type: 'mmr', lambda, pool: 100, similarity: 'interactions', aggregate: 'mean' }]]),
    ...[0.3, 0.6].map((lambda): [string, unknown[]] => [`calibrate popularity, lambda ${lambda}`, [{ type: 'calibrate', lambda }]]),
    ['filter: exclude genre Drama', [{ type: 'filter', excludeCategories: ['Drama'] }]],
    ['filter Drama, then mmr 0.7, then calibrate 0.3', [{ type: 'filter', excludeCategories: ['Drama'] }, { type: 'mmr', lambda: 0.7, pool: 50, columns: ['genres'] }, { type: 'calibrate', lambda: 0.3 }]],
  ];
  const runs = stages.map(([label, rerank]): [string, Run] => [label, unirec(['evaluate', '--data', dir, '--model', 'pipeline', '--params', JSON.stringify({ ...base, rerank }), ...ratio])]);
  const b = runs[0]![1].report.metrics;
  const rows = runs.map(([label, r]) => {
    const m = r.report.metrics;
    return `| ${label} | ${fmt(m['ndcg@10'])} | ${pct(m['ndcg@10'], b['ndcg@10'])} | ${fmt(m['diversity@10'])} | ${pct(m['diversity@10'], b['diversity@10'])} | ${fmt(m['diversity_cf@10'])} | ${pct(m['diversity_cf@10'], b['diversity_cf@10'])} | ${fmt(m['coverage@10'])} | ${fmt(m['popularity@10'])} | ${fmt(m['gini@10'])} |`;
  });
  // the bar: the largest diversity gain among MMR runs that lose at most 5% NDCG@10, on either basis
  const within = runs.filter(([label, r]) => label.startsWith('mmr') && r.report.metrics['ndcg@10'] >= 0.95 * b['ndcg@10']);
  const bestGain = (key: string) => {
    const [label, r] = within.reduce((x, y) => (y[1].report.metrics[key] > x[1].report.metrics[key] ? y : x));
    return `${pct(r.report.metrics[key], b[key])} (${label}, NDCG@10 ${pct(r.report.metrics['ndcg@10'], b['ndcg@10'])})`;
  };
  return [
    '### Re-rank stages (ml-100k, protocol ratio, seed 42; base: ALS through the pipeline)',
    '',
    '```sh',
    'npx unirec evaluate --data ../shared/data/ml-100k --model pipeline --params \'{"retrievers":[{"model":"als"}],"fusion":"weighted","rerank":[{"type":"mmr","lambda":0.7,"pool":50,"columns":["genres"]}]}\' --protocol ratio --k 10 --seed 42 --json',
    '```',
    '',
    'diversity@10 = 1 - mean pairwise Jaccard of genres within a list; diversity_cf@10 = 1 - mean pairwise cosine of',
    "the items' train user-vectors; popularity@10 = mean popularity percentile of recommended items; gini@10 = Gini of",
    'exposure over the catalogue. mmr "mean" penalises the mean similarity to the items already taken (the greedy step',
    'of the diversity metric itself) instead of the maximum; "interactions" uses the same cosine as diversity_cf.',
    '',
    '| stages | NDCG@10 | change | diversity@10 | change | diversity_cf@10 | change | coverage@10 | popularity@10 | gini@10 |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `- Largest diversity gain for an NDCG@10 loss of at most 5% (bar: +20%): genres ${bestGain('diversity@10')}; interactions ${bestGain('diversity_cf@10')}.`,
  ];
}

export function fusion(): string {
  return [...fusionTable(), '', ...rerankTable()].join('\n');
}
