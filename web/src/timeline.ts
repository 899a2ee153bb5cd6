// The events-over-time series of the overview page (no React), tested by test/dashboard/web-logic.test.ts.

/** Share of events left out at each end so a few stray events (a clock at 1970, a test event today) do not stretch the axis. */
const TAIL = 0.005;

export interface Timeline {
  labels: string[];
  values: number[];
  unit: 'day' | 'month';
  /** events outside the range shown, before and after it */
  before: number;
  after: number;
}

/**
 * Events per day, or per month when the range spans more than a year (a point per day would be a blur);
 * days without events count 0 so gaps show. The range is clipped to where the data is: the days holding
 * all but the first and last 0.5% of events, so one event decades away does not squash the rest into
 * a line; what is left out is counted.
 */
export function timeline(perDay: { day: string; events: number }[]): Timeline {
  if (perDay.length === 0) return { labels: [], values: [], unit: 'day', before: 0, after: 0 };
  const total = perDay.reduce((s, d) => s + d.events, 0);
  const cut = Math.floor(total * TAIL);
  let lo = 0;
  let before = 0;
  while (lo < perDay.length - 1 && before + perDay[lo]!.events <= cut) before += perDay[lo++]!.events;
  let hi = perDay.length - 1;
  let after = 0;
  while (hi > lo && after + perDay[hi]!.events <= cut) after += perDay[hi--]!.events;
  const days = perDay.slice(lo, hi + 1);
  const first = Date.parse(days[0]!.day);
  const last = Date.parse(days[days.length - 1]!.day);
  const monthly = last - first > 366 * 86400_000;
  const key = (d: string) => (monthly ? d.slice(0, 7) : d);
  const counts = new Map<string, number>();
  for (const d of days) counts.set(key(d.day), (counts.get(key(d.day)) ?? 0) + d.events);
  const labels: string[] = [];
  for (let t = first; t <= last; t += 86400_000) {
    const k = key(new Date(t).toISOString().slice(0, 10));
    if (labels[labels.length - 1] !== k) labels.push(k);
  }
  return { labels, values: labels.map((l) => counts.get(l) ?? 0), unit: monthly ? 'month' : 'day', before, after };
}
