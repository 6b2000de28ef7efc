import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The analysis service's own Prometheus metrics (GET /metrics). */
export function serviceMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'lantern_analysis_' });
  return {
    registry,
    requests: new Counter({
      name: 'lantern_analysis_http_requests_total',
      help: 'API requests by route and status',
      labelNames: ['route', 'status'] as const,
      registers: [registry],
    }),
    evaluations: new Histogram({
      name: 'lantern_analysis_rule_evaluation_seconds',
      help: 'Duration of one evaluation of every alert rule',
      labelNames: ['outcome'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    evaluator: new Gauge({
      name: 'lantern_analysis_alert_evaluator',
      help: '1 while this replica holds the alert lease and evaluates, 0 while it stands by',
      registers: [registry],
    }),
  };
}

export type ServiceMetrics = ReturnType<typeof serviceMetrics>;
