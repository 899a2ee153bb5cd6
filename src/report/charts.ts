import type { LoadedRun } from './runs.js';

/**
 * What the report plots, as plain data: sections of charts, each chart one or more variants (e.g. one
 * per K) of labels and datasets. The numbers are copied from the runs untouched (no rounding), so the
 * page shows exactly what the evaluate JSON holds; the page script only hands them to Chart.js.
 */

export interface Series {
  label: string;
  /** null = the run has no such value (Chart.js leaves a gap) */
  data: (number | null)[];
  /** #rrggbb */
  color: string;
  /** drawn dashed (reference lines, e.g. the catalogue in the popularity curve) */
  dashed?: boolean;
}

export interface Variant {
  /** shown in the chart's variant selector, e.g. "ndcg@10" */
  key: string;
  labels: string[];
  datasets: Series[];
}

export interface ChartSpec {
  /** id of the chart's canvas; its selector (when there are several variants) is `${id}-variant` */
  id: string;
  title: string;
  /** what the chart shows and how to read it */
  note?: string;
  type: 'bar' | 'line';
  /** the first is shown first */
  variants: Variant[];
  xTitle?: string;
  yTitle?: string;
  /** bars along the y axis (long labels) */
  horizontal?: boolean;
  /** values are shares in [0, 1], shown as percentages */
  percent?: boolean;
}

export interface Section {
  /** the page element is `section-${id}` (chart canvases use their own ids) */
  id: string;
  title: string;
  note?: string;
  charts: ChartSpec[];
}

/** Tableau 10: distinct for up to 10 runs, readable by most colour-blind people. */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const GREY = '#555555';

export function runColor(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

const ACCURACY: [string, string, string][] = [
  ['ndcg', 'NDCG@K', 'normalised discounted cumulative gain: hits near the top count more'],
  ['recall', 'Recall@K', "share of the user's test items found in the top K"],
  ['hit', 'Hit rate@K', 'share of users with at least one test item in the top K'],
  ['precision', 'Precision@K', 'share of the top K that are test items'],
  ['map', 'MAP@K', 'mean average precision'],
  ['mrr', 'MRR@K', 'mean reciprocal rank of the first hit'],
];

const BEYOND: [string, string, string, boolean][] = [
  ['coverage', 'Item coverage@K', 'share of the catalogue recommended to at least one user (higher = more of the catalogue used)', true],
  ['diversity', 'Intra-list diversity@K', 'mean pairwise distance (1 - similarity) within each list (higher = more varied lists)', false],
  ['novelty', 'Novelty@K', 'mean self-information -log2(popularity share) of recommended items, in bits (higher = less known items)', false],
  ['popularity', 'Popularity@K', 'mean popularity percentile of recommended items (1 = only the most popular items)', true],
  ['gini', 'Gini of exposure@K', 'how unequally recommendation slots spread over the catalogue (0 = equal, 1 = one item everywhere)', false],
];

/** The cut-offs of a run: its `ks`, or the ones its metric keys name. */
export function runKs(run: LoadedRun): number[] {
  if (run.ks?.length) return [...run.ks].sort((a, b) => a - b);
  const ks = new Set<number>();
  for (const key of Object.keys(run.metrics)) {
    const m = /^[a-z]+@(\d+)$/.exec(key);
    if (m) ks.add(Number(m[1]));
  }
  return [...ks].sort((a, b) => a - b);
}

/** The K tables and single-K charts use: 10 when every run has it, else the largest K all runs share, else the smallest K seen. */
export function referenceK(runs: readonly LoadedRun[]): number | undefined {
  const all = runs.map(runKs);
  const common = all.reduce((acc, ks) => acc.filter((k) => ks.includes(k)), all[0] ?? []);
  if (common.includes(10)) return 10;
  if (common.length) return common[common.length - 1];
  return [...new Set(all.flat())].sort((a, b) => a - b)[0];
}

/**
 * Cold-start runs rank other candidates (cold-items: the held-out items only), so their numbers are
 * not comparable with warm runs: when both are present, the accuracy, beyond-accuracy, popularity and
 * slice charts show the warm runs and a cold-start section shows the cold ones. Colours follow the
 * run order everywhere.
 */
export function buildSections(all: readonly LoadedRun[]): Section[] {
  const sections: Section[] = [];
  const warm = all.filter((r) => !r.cold);
  const runs = warm.length ? warm : all;
  const ks = [...new Set(all.flatMap(runKs))].sort((a, b) => a - b);
  const color = (run: LoadedRun): string => runColor(all.indexOf(run));
  const atK = (name: string): Variant => ({
    key: name,
    labels: ks.map((k) => `@${k}`),
    datasets: runs.map((run) => ({ label: run.label, data: ks.map((k) => run.metrics[`${name}@${k}`] ?? null), color: color(run) })),
  });
  const has = (name: string): boolean => runs.some((run) => ks.some((k) => typeof run.metrics[`${name}@${k}`] === 'number'));

  const accuracy: ChartSpec[] = ACCURACY.filter(([name]) => has(name)).map(([name, title, note]) => ({
    id: `accuracy-${name}`,
    title,
    note,
    type: 'bar',
    variants: [atK(name)],
    xTitle: 'cut-off K',
  }));
  const overall = ['auc', 'gauc'].filter((m) => runs.some((r) => typeof r.metrics[m] === 'number'));
  if (overall.length) {
    accuracy.push({
      id: 'accuracy-auc',
      title: 'AUC and GAUC',
      note: 'probability that a test item is ranked above a non-interacted item (0.5 = random); GAUC weights users by their test items',
      type: 'bar',
      variants: [{ key: 'auc', labels: overall.map((m) => m.toUpperCase()), datasets: runs.map((run) => ({ label: run.label, data: overall.map((m) => run.metrics[m] ?? null), color: color(run) })) }],
    });
  }
  const rating = ['rmse', 'mae'].filter((m) => runs.some((r) => typeof r.metrics[m] === 'number'));
  if (rating.length) {
    accuracy.push({
      id: 'accuracy-rating',
      title: 'Rating error',
      note: 'RMSE and MAE of predicted ratings on the test set (lower is better; rating models only)',
      type: 'bar',
      variants: [{ key: 'rating', labels: rating.map((m) => m.toUpperCase()), datasets: runs.map((run) => ({ label: run.label, data: rating.map((m) => run.metrics[m] ?? null), color: color(run) })) }],
    });
  }
  if (accuracy.length) sections.push({ id: 'accuracy', title: 'Accuracy at several K', charts: accuracy });

  const beyond: ChartSpec[] = BEYOND.filter(([name]) => has(name)).map(([name, title, note, percent]) => ({
    id: `beyond-${name}`,
    title,
    note,
    type: 'bar',
    variants: [atK(name)],
    xTitle: 'cut-off K',
    percent,
  }));
  if (beyond.length) sections.push({ id: 'beyond', title: 'Coverage, diversity, novelty and popularity', charts: beyond });

  const curve = popularityCurveChart(runs, color);
  if (curve) {
    sections.push({
      id: 'popularity-bias',
      title: 'Popularity bias',
      note:
        'The catalogue sorted by train popularity and cut into equal-size buckets, most popular first. The dashed line is each ' +
        "bucket's share of train events; the others are each model's share of recommendation slots. A popularity-biased model puts " +
        'nearly every slot in the first bucket; a model that serves the long tail stays near or above the dashed line on the right.',
      charts: [curve],
    });
  }

  const slices = sliceCharts(runs, color);
  if (slices.length) {
    sections.push({
      id: 'slices',
      title: 'Slices',
      note:
        'Metrics per group of users (by train activity, or by a user attribute) and per item popularity bucket (recall and hit rate ' +
        'count only the test items in the bucket; share is the share of recommendations falling in it). Pick the metric above each chart.',
      charts: slices,
    });
  }

  const cold = all.filter((r) => r.cold);
  if (cold.length && warm.length) {
    const names = ['recall', 'ndcg', 'hit', 'precision', 'mrr'].filter((n) => cold.some((r) => ks.some((k) => typeof r.metrics[`${n}@${k}`] === 'number')));
    sections.push({
      id: 'cold-start',
      title: 'Cold start',
      note:
        'Runs with a cold-start protocol. cold-items: held-out items never seen in train, ranked among themselves; cold-users: ' +
        'held-out users, scored from their attributes and first events. Not comparable with warm-start runs, so they are left out of ' +
        'the charts above.',
      charts: [
        {
          id: 'cold-start',
          title: 'Cold-start accuracy',
          type: 'bar',
          variants: referenceFirst(ks, referenceK(cold)).map((k) => ({
            key: `@${k}`,
            labels: names.map((n) => `${n}@${k}`),
            datasets: cold.map((run) => ({ label: `${run.label} (${coldText(run)})`, data: names.map((n) => run.metrics[`${n}@${k}`] ?? null), color: color(run) })),
          })),
        },
      ],
    });
  }

  sections.push({
    id: 'time',
    title: 'Time',
    note: 'Seconds to fit the model on train and to rank every test user (per fold for kfold runs). Machines differ; compare runs made on one machine.',
    charts: [
      {
        id: 'time',
        title: 'Training and evaluation time',
        type: 'bar',
        horizontal: true,
        xTitle: 'seconds',
        variants: [
          {
            key: 'time',
            labels: all.map((r) => r.label),
            datasets: [
              { label: 'fit (training)', data: all.map((r) => r.fit_seconds), color: '#4e79a7' },
              { label: 'evaluation', data: all.map((r) => r.eval_seconds), color: '#f28e2b' },
            ],
          },
        ],
      },
    ],
  });
  return sections;
}

export function coldText(run: LoadedRun): string {
  if (run.cold?.items !== undefined) return `${run.cold.items} cold items`;
  if (run.cold?.users !== undefined) return `${run.cold.users} cold users, ${run.cold.events ?? 0} events each`;
  return 'cold';
}

function popularityCurveChart(runs: readonly LoadedRun[], color: (run: LoadedRun) => string): ChartSpec | undefined {
  const withCurve = runs.filter((r) => r.popularity_curve);
  if (!withCurve.length) return undefined;
  const nBuckets = Math.max(...withCurve.map((r) => r.popularity_curve!.items.length));
  const first = withCurve.find((r) => r.popularity_curve!.items.length === nBuckets)!.popularity_curve!;
  const labels = bucketLabels(first.items);
  // one dashed catalogue line per distinct train split (runs on the same split share it)
  const catalogues = new Map<string, LoadedRun[]>();
  for (const run of withCurve) {
    const key = JSON.stringify(run.popularity_curve!.train_share);
    catalogues.set(key, [...(catalogues.get(key) ?? []), run]);
  }
  const ks = [...new Set(withCurve.flatMap((r) => Object.keys(r.popularity_curve!.recommended_share).map(Number)))].sort((a, b) => a - b);
  const variants: Variant[] = ks.map((k) => ({
    key: `top ${k}`,
    labels,
    datasets: [
      ...[...catalogues.values()].map((group, c) => ({
        label: catalogues.size === 1 ? 'catalogue: share of train events' : `catalogue of ${group.map((r) => r.label).join(', ')}`,
        data: pad(group[0]!.popularity_curve!.train_share, nBuckets),
        color: catalogues.size === 1 ? GREY : shade(c),
        dashed: true,
      })),
      ...withCurve.map((run) => ({
        label: run.label,
        data: pad(run.popularity_curve!.recommended_share[String(k)] ?? [], nBuckets),
        color: color(run),
      })),
    ],
  }));
  const ref = referenceK(runs);
  return {
    id: 'popularity-curve',
    title: 'Recommended vs catalogue popularity',
    type: 'line',
    variants: referenceFirst(ks, ref).map((k) => variants[ks.indexOf(k)]!),
    xTitle: 'items by train popularity (most popular first)',
    yTitle: 'share',
    percent: true,
  };
}

/** "top 10%", "10-20%"... from the bucket sizes. */
export function bucketLabels(items: readonly number[]): string[] {
  const total = items.reduce((s, n) => s + n, 0);
  let before = 0;
  return items.map((n, b) => {
    const lo = total ? Math.round((100 * before) / total) : 0;
    before += n;
    const hi = total ? Math.round((100 * before) / total) : 0;
    return b === 0 ? `top ${hi}%` : `${lo}-${hi}%`;
  });
}

/** One chart per slice group, slices matched by name across runs (runs without slices, e.g. kfold, left out). */
function sliceCharts(allRuns: readonly LoadedRun[], color: (run: LoadedRun) => string): ChartSpec[] {
  const runs = allRuns.filter((r) => r.slices?.length);
  const groups: string[] = [];
  for (const run of runs) for (const s of run.slices ?? []) if (!groups.includes(s.group)) groups.push(s.group);
  const ref = referenceK(runs);
  return groups.map((group) => {
    const names: string[] = [];
    const metrics: string[] = [];
    for (const run of runs) {
      for (const s of run.slices ?? []) {
        if (s.group !== group) continue;
        if (!names.includes(s.name)) names.push(s.name);
        for (const m of Object.keys(s.metrics)) if (!metrics.includes(m)) metrics.push(m);
      }
    }
    const preferred = group === 'item popularity' ? ['recall', 'share', 'hit'] : ['ndcg', 'recall', 'hit'];
    const order = (m: string): number => {
      const [name, k] = m.split('@');
      const p = preferred.indexOf(name!);
      return (p < 0 ? preferred.length : p) * 1e6 + (Number(k) === ref ? 0 : 1) * 1e5 + (Number(k) || 0);
    };
    metrics.sort((a, b) => order(a) - order(b) || a.localeCompare(b));
    return {
      id: `slice-${slug(group)}`,
      title: `By ${group}`,
      type: 'bar',
      variants: metrics.map((m) => ({
        key: m,
        labels: names,
        datasets: runs.map((run) => ({
          label: run.label,
          data: names.map((name) => run.slices?.find((s) => s.group === group && s.name === name)?.metrics[m] ?? null),
          color: color(run),
        })),
      })),
    } satisfies ChartSpec;
  });
}

/** The K list with `ref` moved to the front (the variant shown first). */
function referenceFirst(ks: readonly number[], ref: number | undefined): number[] {
  return ref !== undefined && ks.includes(ref) ? [ref, ...ks.filter((k) => k !== ref)] : [...ks];
}

function pad(values: readonly number[], n: number): (number | null)[] {
  return Array.from({ length: n }, (_, i) => values[i] ?? null);
}

function shade(i: number): string {
  return ['#555555', '#999999', '#222222', '#777777'][i % 4]!;
}

export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
