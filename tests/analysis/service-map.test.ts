import { describe, expect, it } from 'vitest';
import { serviceMap, weightedPercentile } from '../../src/analysis/service-map.ts';
import type { ServiceSummary } from '../../src/contracts/api/figures.ts';

const summary = (service: string, count: number, sampled: number): ServiceSummary => ({
  service,
  logs: { count: 0, errors: 0, errorRate: null },
  requests: {
    count,
    sampled,
    errors: 0,
    errorRate: count > 0 ? 0 : null,
    latencyMs: { p50: null, p95: 12, p99: null },
  },
});

describe('service map figures', () => {
  it('a weighted percentile counts each duration as many times as its weight', () => {
    // 10 ms stands for 94 requests, 100 ms for 6: the 95th falls on 100 ms.
    const durations = [
      { ms: 100, weight: 6 },
      { ms: 10, weight: 94 },
    ];
    expect(weightedPercentile(durations, 95)).toBe(100);
    expect(weightedPercentile(durations, 94)).toBe(10);
    expect(weightedPercentile([], 95)).toBeNull();
  });

  it('nodes: services with requests or calls, their weighted counts, firing alerts counted', () => {
    const map = serviceMap({
      summaries: [summary('api', 600, 100), summary('logs-only', 0, 0)],
      calls: [
        {
          parent: 'cron',
          child: 'api',
          calls: 120,
          errors: 30,
          latency: [{ ms: 5, weight: 120 }],
        },
      ],
      firing: ['api', 'api', 'other'],
    });
    expect(map.nodes).toEqual([
      { service: 'api', requests: 600, errorRate: 0, p95Ms: 12, firingAlerts: 2 },
      // A caller that sent only client spans: on the map, with no requests of its own.
      { service: 'cron', requests: 0, errorRate: null, p95Ms: null, firingAlerts: 0 },
    ]);
    expect(map.edges).toEqual([
      { caller: 'cron', callee: 'api', calls: 120, errorRate: 0.25, p95Ms: 5 },
    ]);
  });
});
