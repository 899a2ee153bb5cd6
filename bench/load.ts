/**
 * Load generation for the server benchmarks, against 127.0.0.1 only and bounded in time: autocannon for
 * reads, a paced writer for single-event POSTs.
 */
import autocannon from 'autocannon';

export interface Phase {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  requests: number;
  errors: number;
  non2xx: number;
  note?: string;
}

export function summarize(name: string, r: autocannon.Result, note?: string): Phase {
  return {
    name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    max: r.latency.max,
    requests: r.requests.total,
    errors: r.errors,
    non2xx: r.non2xx,
    ...(note ? { note } : {}),
  };
}

export interface Load {
  /** default 10 */
  connections?: number;
  /** each request's key (x-api-key), drawn per request */
  key?: () => string;
  overallRate?: number;
  method?: 'GET' | 'POST';
  body?: () => string;
  stopWhen?: Promise<unknown>;
}

/** Runs autocannon; `stopWhen` (if given) ends the run when it settles instead of after `seconds`. */
export function load(url: string, seconds: number, paths: () => string, options: Load = {}): Promise<autocannon.Result> {
  if (!url.startsWith('http://127.0.0.1:')) throw new Error(`refusing to load anything but 127.0.0.1: ${url}`);
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: options.connections ?? 10,
        duration: seconds,
        ...(options.overallRate ? { overallRate: options.overallRate } : {}),
        requests: [
          {
            setupRequest: (req) => ({
              ...req,
              path: paths(),
              method: options.method ?? 'GET',
              headers: { ...req.headers, ...(options.key ? { 'x-api-key': options.key() } : {}), ...(options.body ? { 'content-type': 'application/json' } : {}) },
              ...(options.body ? { body: options.body() } : {}),
            }),
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    options.stopWhen?.finally(() => instance.stop());
  });
}

export interface WriteResult {
  sent: number;
  ok: number;
  errors: number;
  /** acknowledged per second */
  rate: number;
  p99: number;
}

/**
 * POSTs one event at a time at `rate` per second in all, spread round-robin over `urls`, until `stop`
 * resolves; `event(n)` makes the n-th event.
 */
export async function writeEvents(urls: string[], rate: number, stop: Promise<unknown>, event: (n: number) => object): Promise<WriteResult> {
  let done = false;
  void stop.then(() => (done = true));
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  while (!done) {
    const due = start + (sent * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t0 = performance.now();
    const url = urls[sent % urls.length]!;
    const p: Promise<void> = fetch(`${url}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([event(sent)]) })
      .then(async (res) => {
        await res.arrayBuffer();
        if (res.status === 200) latencies.push(performance.now() - t0);
        else errors++;
      })
      .catch(() => {
        errors++;
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    sent++;
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { sent, ok: latencies.length, errors, rate: latencies.length / seconds, p99: latencies[Math.floor(latencies.length * 0.99)] ?? NaN };
}
