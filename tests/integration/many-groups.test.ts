import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiUnderTest } from '../../tools/harness/api-server.ts';
import { bulkLoad, spanDocument, type SeedSpan } from '../support/seed.ts';
import { es } from '../../tools/harness/stores.ts';

// More services than fit Elasticsearch's bucket limit (65,536) at ~800 latency buckets each,
// in an hour of 2020 that nothing else writes to.
const SERVICES = 120;
const from = Date.parse('2020-01-01T00:00:00Z');
const to = from + 3_600_000;
const index = `lantern-spans-many-groups-${Date.now().toString(36)}`;
const durationsMs = [10, 20, 30, 40, 50, 60, 70, 80, 90, 1000];

let api: ApiUnderTest;
const spans: SeedSpan[] = [];
beforeAll(async () => {
  for (let s = 0; s < SERVICES; s += 1) {
    durationsMs.forEach((durationMs, i) => {
      spans.push({
        service: `many-${String(s).padStart(3, '0')}`,
        route: `/r${i % 2}`,
        at: from + s * 29_000 + i * 2_900, // spread over the hour
        durationMs,
        failed: i === 0,
        weight: 1,
      });
    });
  }
  await bulkLoad(index, spans.map(spanDocument));
  api = await startApi(es);
});
afterAll(async () => {
  await api.close();
  await es.indices.delete({ index, ignore_unavailable: true });
});

const window = `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;

interface Summary {
  service: string;
  requests: { count: number; errorRate: number; latencyMs: { p95: number } };
}

describe('the analysis API with more groups than one search may hold', () => {
  it('summarizes every one of 120 services, each exactly', async () => {
    const { status, body } = await api.get(`/api/v1/services?${window}`);
    expect(status).toBe(200);
    const services = body.services as Summary[];
    expect(services).toHaveLength(SERVICES);
    for (const summary of services) {
      expect(summary.requests.count).toBe(durationsMs.length);
      expect(summary.requests.errorRate).toBeCloseTo(0.1, 6);
      // Nearest rank: the 10th of 10 values is 1000 ms; 2%-wide buckets.
      expect(Math.abs(summary.requests.latencyMs.p95 / 1000 - 1)).toBeLessThan(0.02);
    }
  });

  it('answers a 450-bucket latency series (coarser latency buckets)', async () => {
    const interval = 8_000;
    const { status, body } = await api.get(`/api/v1/analysis/latency?interval=8s&${window}`);
    expect(status).toBe(200);
    const buckets = body.buckets as { requests: number; latencyMs: { p95: number | null } }[];
    expect(buckets).toHaveLength(450);
    expect(buckets.reduce((n, b) => n + b.requests, 0)).toBe(SERVICES * durationsMs.length);
    // With at most a few spans per bucket the p95 is its slowest: ratio buckets of ~13% here.
    const slowest = new Map<number, number>();
    for (const span of spans) {
      const bucket = Math.floor((span.at - from) / interval);
      slowest.set(bucket, Math.max(slowest.get(bucket) ?? 0, span.durationMs));
    }
    buckets.forEach((b, bucket) => {
      const truth = slowest.get(bucket);
      if (truth === undefined) expect(b.requests, `bucket ${String(bucket)}`).toBe(0);
      else {
        const p95 = b.latencyMs.p95 ?? Number.NaN;
        expect(Math.abs(p95 / truth - 1), `bucket ${String(bucket)}`).toBeLessThan(0.15);
      }
    });
  });
});
