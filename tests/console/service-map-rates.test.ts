import { describe, expect, it } from 'vitest';
import { mapRates } from '../../src/console/components/service-map-rates.ts';
import { rangeRate } from '../../src/console/rates.ts';

const MINUTE = 60_000;
const T0 = Date.parse('2026-12-08T10:00:00Z');
const range = { from: T0, to: T0 + 60 * MINUTE };
/** Minute buckets over the hour with `perMinute` requests from minute `first` on. */
const buckets = (first: number, perMinute: number) =>
  Array.from({ length: 60 }, (_, i) => ({
    start: new Date(T0 + i * MINUTE).toISOString(),
    requests: i >= first ? perMinute : 0,
  }));
// The gateway has served all hour; the young service only its last 10 minutes.
const series = [
  { service: 'gateway', buckets: buckets(0, 600) },
  { service: 'young', buckets: buckets(50, 1200) },
];
const node = (service: string, requests: number) => ({
  service,
  requests,
  errorRate: 0,
  p95Ms: 1,
  firingAlerts: 0,
});
const edge = (caller: string, callee: string, calls: number) => ({
  caller,
  callee,
  calls,
  errorRate: 0,
  p95Ms: 1,
});

describe('the service map’s rates', () => {
  const rates = mapRates(series, range);

  it('a node reads what the overview reads: from its first request, not over the range', () => {
    expect(rates.node(node('young', 12_000))).toBeCloseTo(12_000 / 600, 9);
    // The overview's own function on the same figures: one definition.
    expect(rates.node(node('young', 12_000))).toBe(
      rangeRate(12_000, series[1]?.buckets ?? [], range),
    );
    expect(rates.node(node('gateway', 36_000))).toBeCloseTo(10, 9);
  });

  it('a call counts from the later first request of its two services, either way round', () => {
    expect(rates.edge(edge('gateway', 'young', 6_000))).toBeCloseTo(10, 9);
    expect(rates.edge(edge('young', 'gateway', 6_000))).toBeCloseTo(10, 9);
    // A caller with no requests of its own (a cron job) counts from its callee's first.
    expect(rates.edge(edge('cron', 'young', 600))).toBeCloseTo(1, 9);
    expect(rates.node(node('cron', 0))).toBe(0);
  });
});
