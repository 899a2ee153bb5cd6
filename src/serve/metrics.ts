import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RecommenderService } from './service.js';

/**
 * Prometheus metrics of one server: request counts and latencies by route, events written, how often
 * the fallback answered, and the state of the catalogue and the model. A registry per server, so
 * several servers in one process (tests) do not mix their numbers.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'route'>;
  readonly events: Counter<'result'>;
  readonly recommendations: Counter<'fallback'>;

  constructor(service: RecommenderService) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'unirec_' });
    this.requests = new Counter({ name: 'unirec_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers });
    this.duration = new Histogram({
      name: 'unirec_http_request_duration_seconds',
      help: 'HTTP request latency by route',
      labelNames: ['route'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.events = new Counter({ name: 'unirec_events_total', help: 'events received: stored, or acknowledged as a duplicate key', labelNames: ['result'], registers });
    this.recommendations = new Counter({ name: 'unirec_recommendations_total', help: 'recommendation lists served, by whether the fallback made them', labelNames: ['fallback'], registers });
    new Gauge({ name: 'unirec_catalog_items', help: 'items known to the server', registers, collect() { this.set(service.catalog.items.size); } });
    new Gauge({ name: 'unirec_users', help: 'users with at least one event', registers, collect() { this.set(service.catalog.users.size); } });
    new Gauge({ name: 'unirec_events', help: 'events held in memory (all of the store\'s log)', registers, collect() { this.set(service.catalog.events); } });
    new Gauge({
      name: 'unirec_model_version',
      help: 'version of the model being served (0: none), labelled with its name',
      labelNames: ['model'],
      registers,
      collect() {
        this.reset();
        const live = service.live;
        this.set({ model: live?.name ?? 'none' }, live?.version ?? 0);
      },
    });
    new Gauge({ name: 'unirec_training_running', help: '1 while a training job runs', registers, async collect() { this.set((await service.jobs.busy()) ? 1 : 0); } });
  }
}
