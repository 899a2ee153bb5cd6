import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef } from 'react';

// Only the pieces the pages use, so the bundle carries no unused chart types.
Chart.register(BarController, BarElement, CategoryScale, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);

export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777', '#4b5563', '#65a30d'];

export interface Series {
  label: string;
  values: (number | null)[];
}

interface ChartProps {
  labels: string[];
  series: Series[];
  /** accessible name, and the test hook */
  title: string;
  height?: number;
  yLabel?: string;
}

function useChart(config: () => ChartConfiguration, deps: unknown[]) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const chart = new Chart(canvas.current!, config());
    return () => chart.destroy();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return canvas;
}

const common = (yLabel?: string) => ({
  animation: false as const,
  responsive: true,
  maintainAspectRatio: false,
  scales: { y: { beginAtZero: true, ...(yLabel ? { title: { display: true, text: yLabel } } : {}) } },
});

export function LineChart({ labels, series, title, height = 260, yLabel }: ChartProps) {
  const canvas = useChart(
    () => ({
      type: 'line',
      data: {
        labels,
        datasets: series.map((s, i) => ({
          label: s.label,
          data: s.values,
          borderColor: PALETTE[i % PALETTE.length],
          backgroundColor: `${PALETTE[i % PALETTE.length]}33`,
          fill: series.length === 1,
          pointRadius: labels.length > 60 ? 0 : 3,
          borderWidth: 2,
          tension: 0.2,
        })),
      },
      options: { ...common(yLabel), plugins: { legend: { display: series.length > 1 } }, interaction: { mode: 'index', intersect: false } },
    }),
    [JSON.stringify(labels), JSON.stringify(series), yLabel],
  );
  return (
    <div className="chart" style={{ height }}>
      <canvas ref={canvas} role="img" aria-label={title} />
    </div>
  );
}

export function BarChart({ labels, series, title, height = 260, yLabel }: ChartProps) {
  const canvas = useChart(
    () => ({
      type: 'bar',
      data: {
        labels,
        datasets: series.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: PALETTE[i % PALETTE.length] })),
      },
      options: { ...common(yLabel), plugins: { legend: { display: series.length > 1 } } },
    }),
    [JSON.stringify(labels), JSON.stringify(series), yLabel],
  );
  return (
    <div className="chart" style={{ height }}>
      <canvas ref={canvas} role="img" aria-label={title} />
    </div>
  );
}
