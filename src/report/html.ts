import { buildSections, coldText, referenceK, runColor, type ChartSpec, type Section } from './charts.js';
import { chartJsSource } from './chartjs-source.js';
import { PAGE_SCRIPT } from './page-script.js';
import type { LoadedRun } from './runs.js';

/**
 * The report as one self-contained HTML file: Chart.js and the page script inlined, the data embedded
 * as JSON, no reference to anything outside the file. A Content-Security-Policy forbids every network
 * fetch, so a page that opens at all opens offline.
 */

export interface ReportOptions {
  title?: string;
  /** shown in the header; default now */
  generated?: Date;
}

/** What the page embeds (and a test can read back): the runs and the charts drawn from them. */
export interface ReportData {
  title: string;
  runs: LoadedRun[];
  sections: Section[];
}

export function renderReport(runs: readonly LoadedRun[], options: ReportOptions = {}): string {
  const title = options.title ?? 'unirec evaluation report';
  const data: ReportData = { title, runs: [...runs], sections: buildSections(runs) };
  const generated = (options.generated ?? new Date()).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
<p class="muted">${runs.length} run${runs.length === 1 ? '' : 's'} · generated ${escapeHtml(generated)} by <code>unirec report</code></p>
<nav><a href="#section-summary">Summary</a> ${data.sections.map((s) => `<a href="#section-${s.id}">${escapeHtml(s.title)}</a>`).join(' ')}</nav>
</header>
<main>
<section id="section-summary">
<h2>Summary</h2>
${runsTable(runs)}
${metricsTable(runs)}
${warningsList(runs)}
</section>
${data.sections.map(sectionHtml).join('\n')}
</main>
<script id="report-data" type="application/json">${embedJson(data)}</script>
<script>${inlineScript(chartJsSource())}</script>
<script>${inlineScript(PAGE_SCRIPT)}</script>
</body>
</html>
`;
}

/** JSON safe inside a <script> element: `<` escaped, so no `</script` or `<!--` can end or alter it. */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Script text safe inside a <script> element (`<\/` is the same as `</` in JS strings and regexes). */
function inlineScript(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function sectionHtml(section: Section): string {
  return `<section id="section-${section.id}">
<h2>${escapeHtml(section.title)}</h2>
${section.note ? `<p class="note">${escapeHtml(section.note)}</p>` : ''}
<div class="grid${section.charts.length === 1 ? ' wide' : ''}">
${section.charts.map(chartHtml).join('\n')}
</div>
</section>`;
}

function chartHtml(spec: ChartSpec): string {
  const select =
    spec.variants.length > 1
      ? `<label class="variant">show <select id="${spec.id}-variant">${spec.variants
          .map((v, i) => `<option value="${i}">${escapeHtml(v.key)}</option>`)
          .join('')}</select></label>`
      : '';
  const height = spec.horizontal ? Math.max(220, 60 + 44 * (spec.variants[0]?.labels.length ?? 1)) : 300;
  return `<figure class="card">
<figcaption><strong>${escapeHtml(spec.title)}</strong>${select}</figcaption>
${spec.note ? `<p class="note">${escapeHtml(spec.note)}</p>` : ''}
<div class="chart" style="height:${height}px"><canvas id="${spec.id}" role="img" aria-label="${escapeHtml(spec.title)}"></canvas></div>
</figure>`;
}

function runsTable(runs: readonly LoadedRun[]): string {
  const rows = runs.map(
    (r, i) => `<tr>
<td><span class="swatch" style="background:${runColor(i)}"></span>${escapeHtml(r.label)}</td>
<td>${escapeHtml(r.model)}</td>
<td>${escapeHtml(r.dataset ?? '')}<br><span class="muted">${r.data.users} users · ${r.data.items} items · ${r.data.interactions} events</span></td>
<td>${escapeHtml(r.protocol)}${r.folds ? ` (${r.folds} folds)` : ''}${r.cold ? `<br><span class="muted">${escapeHtml(coldText(r))}</span>` : ''}</td>
<td class="num">${r.seed ?? ''}</td>
<td class="num">${r.evaluated_users ?? ''}</td>
<td class="num">${seconds(r.fit_seconds)}</td>
<td class="num">${seconds(r.eval_seconds)}</td>
<td><code class="params">${escapeHtml(JSON.stringify(r.params))}</code></td>
<td class="muted">${escapeHtml(r.source)}</td>
</tr>`,
  );
  return `<h3>Runs</h3>
<div class="scroll"><table id="runs-table">
<thead><tr><th>run</th><th>model</th><th>data</th><th>protocol</th><th>seed</th><th>users evaluated</th><th>fit s</th><th>eval s</th><th>params</th><th>file</th></tr></thead>
<tbody>${rows.join('\n')}</tbody>
</table></div>`;
}

/** Higher is better for these; the best run is bold in its column. */
const BETTER_HIGH = new Set(['ndcg', 'recall', 'hit', 'precision', 'map', 'mrr', 'auc', 'gauc']);

function metricsTable(runs: readonly LoadedRun[]): string {
  const k = referenceK(runs);
  const wanted = [
    ...['ndcg', 'recall', 'hit', 'precision', 'map', 'mrr'].map((m) => `${m}@${k}`),
    'auc',
    'gauc',
    ...['coverage', 'diversity', 'novelty', 'popularity', 'gini'].map((m) => `${m}@${k}`),
    'rmse',
    'mae',
  ];
  const columns = wanted.filter((m) => runs.some((r) => typeof r.metrics[m] === 'number'));
  // cold-start runs rank other candidates: the best is picked among the warm runs when there are any
  const warm = runs.filter((r) => !r.cold);
  const contenders = warm.length ? warm : runs;
  const best = new Map<string, number>();
  for (const m of columns) {
    const name = m.split('@')[0]!;
    const values = contenders.map((r) => r.metrics[m]).filter((v): v is number => typeof v === 'number');
    if (BETTER_HIGH.has(name)) best.set(m, Math.max(...values));
    else if (name === 'rmse' || name === 'mae') best.set(m, Math.min(...values));
  }
  const rows = runs.map((r, i) => {
    const cells = columns.map((m) => {
      const v = r.metrics[m];
      const text = typeof v === 'number' ? v.toFixed(4) : '–';
      const isBest = best.get(m) === v && contenders.includes(r) && contenders.length > 1;
      return `<td class="num">${isBest ? `<strong>${text}</strong>` : text}</td>`;
    });
    const cold = r.cold ? ` <span class="muted">(${escapeHtml(r.protocol)}, not comparable)</span>` : '';
    return `<tr><td><span class="swatch" style="background:${runColor(i)}"></span>${escapeHtml(r.label)}${cold}</td>${cells.join('')}</tr>`;
  });
  return `<h3>Metrics${k === undefined ? '' : ` at K = ${k}`}</h3>
<div class="scroll"><table id="metrics-table">
<thead><tr><th>run</th>${columns.map((m) => `<th>${escapeHtml(m)}</th>`).join('')}</tr></thead>
<tbody>${rows.join('\n')}</tbody>
</table></div>
<p class="note">Bold: the best run in the column (accuracy metrics; cold-start runs excluded). All charts below show every K the runs were evaluated at.</p>`;
}

function warningsList(runs: readonly LoadedRun[]): string {
  const items = runs.flatMap((r) => (r.warnings ?? []).map((w) => `<li><strong>${escapeHtml(r.label)}</strong>: ${escapeHtml(w)}</li>`));
  return items.length ? `<h3>Warnings</h3><ul class="warnings">${items.join('\n')}</ul>` : '';
}

function seconds(s: number): string {
  return s < 10 ? s.toFixed(2) : s.toFixed(1);
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#f6f7f9}
header{padding:20px 28px 8px;background:#fff;border-bottom:1px solid #d8dee4}
h1{margin:0 0 4px;font-size:22px}
h2{margin:28px 0 6px;font-size:18px}
h3{margin:18px 0 6px;font-size:15px}
nav a{margin-right:14px;color:#0969da;text-decoration:none}
main{padding:0 28px 40px;max-width:1500px}
.muted{color:#656d76;font-size:12px}
.note{color:#424a53;margin:4px 0 10px;max-width:110ch}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:16px}
.grid.wide{grid-template-columns:1fr}
.card{margin:0;background:#fff;border:1px solid #d8dee4;border-radius:8px;padding:12px 14px}
.card figcaption{display:flex;justify-content:space-between;align-items:center;gap:8px}
.card .note{font-size:12px;margin:2px 0 6px}
.chart{position:relative}
.variant{font-size:12px;color:#656d76}
.scroll{overflow-x:auto}
table{border-collapse:collapse;background:#fff;border:1px solid #d8dee4;font-size:13px}
th,td{padding:5px 9px;border-bottom:1px solid #eaeef2;text-align:left;vertical-align:top}
th{background:#f6f8fa;font-weight:600;white-space:nowrap}
td:first-child{white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
code.params{font-size:11px;word-break:break-all;display:inline-block;max-width:360px}
.warnings li{color:#9a6700}
@media print{.variant{display:none}.card{break-inside:avoid}}
`;
