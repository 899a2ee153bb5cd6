/**
 * The report page's own script (plain ES2020, run in the browser after the inlined Chart.js): reads the
 * embedded report data and draws every chart; a chart's selector swaps its data between variants.
 * Kept as text because the page must be one offline file; the browser test runs it for real.
 */
export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var report = JSON.parse(document.getElementById('report-data').textContent);
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

  function percent(value) {
    return Math.round(value * 1000) / 10 + '%';
  }

  // long category labels (slice names) on several lines; display only, the chart data keeps the names
  function wrap(label) {
    var words = String(label).split(' ');
    var lines = [];
    var line = '';
    words.forEach(function (w) {
      if (line && (line + ' ' + w).length > 24) { lines.push(line); line = w; }
      else line = line ? line + ' ' + w : w;
    });
    if (line) lines.push(line);
    return lines.length > 1 ? lines : label;
  }

  function chartData(spec, variant) {
    return {
      labels: variant.labels.slice(),
      datasets: variant.datasets.map(function (d) {
        return {
          label: d.label,
          data: d.data.slice(),
          backgroundColor: spec.type === 'line' ? d.color : d.color + 'cc',
          borderColor: d.color,
          borderWidth: spec.type === 'line' ? 2 : 1,
          borderDash: d.dashed ? [6, 4] : [],
          pointRadius: spec.type === 'line' ? 3 : 0,
          spanGaps: false,
          fill: false
        };
      })
    };
  }

  function options(spec) {
    var valueAxis = spec.horizontal ? 'x' : 'y';
    var labelAxis = spec.horizontal ? 'y' : 'x';
    var scales = {};
    scales[valueAxis] = {
      beginAtZero: true,
      title: { display: !!(spec.horizontal ? spec.xTitle : spec.yTitle), text: spec.horizontal ? spec.xTitle : spec.yTitle },
      ticks: spec.percent ? { callback: function (v) { return percent(v); } } : {}
    };
    scales[labelAxis] = {
      ticks: { autoSkip: false, callback: function (value) { return wrap(this.getLabelForValue(value)); } },
      title: { display: !!(spec.horizontal ? spec.yTitle : spec.xTitle), text: spec.horizontal ? spec.yTitle : spec.xTitle }
    };
    return {
      responsive: true,
      indexAxis: spec.horizontal ? 'y' : 'x',
      interaction: { mode: 'index', intersect: false },
      scales: scales,
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          callbacks: {
            label: function (ctx) {
              var v = ctx.raw;
              var text = v === null || v === undefined ? 'n/a' : spec.percent ? percent(v) : Number(v).toPrecision(4);
              return ctx.dataset.label + ': ' + text;
            }
          }
        }
      }
    };
  }

  report.sections.forEach(function (section) {
    section.charts.forEach(function (spec) {
      var canvas = document.getElementById(spec.id);
      var chart = new Chart(canvas, { type: spec.type, data: chartData(spec, spec.variants[0]), options: options(spec) });
      var select = document.getElementById(spec.id + '-variant');
      if (select) {
        select.addEventListener('change', function () {
          chart.data = chartData(spec, spec.variants[select.selectedIndex]);
          chart.update();
        });
      }
    });
  });
  document.body.setAttribute('data-charts-ready', 'true');
})();
`;
