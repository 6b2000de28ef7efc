import { describe, expect, it } from 'vitest';
import type { RequestStats } from '../../src/contracts/request-stats.ts';
import {
  errorRateBuckets,
  latencyByRoute,
  latencySeries,
  requestRateSeries,
} from '../../src/analysis/series.ts';
import { histogram } from '../support/latency-histogram.ts';

const requests = (key: string, count: number, errors: number, latency = histogram([], 1.1)) =>
  ({
    key,
    spans: count,
    requests: count,
    errors,
    weightSquares: count,
    errorWeightSquares: errors,
    since: null,
    slow: 0,
    latency,
  }) satisfies RequestStats;

describe('error-rate buckets', () => {
  // Epoch ms keys of one digit count more than the other: a text sort would put 10000 first.
  const early = '9000';
  const late = '10000';

  it('joins request and log buckets oldest first, a side without the bucket counting nothing', () => {
    const joined = errorRateBuckets(
      [requests(late, 10, 2)],
      [
        { key: early, logs: 4, errors: 1, since: null },
        { key: late, logs: 5, errors: 0, since: null },
      ],
    );
    expect(joined).toEqual([
      {
        start: new Date(9000).toISOString(),
        requests: 0,
        failedRequests: 0,
        errorRate: null,
        logs: 4,
        errorLogs: 1,
        logErrorRate: 0.25,
      },
      {
        start: new Date(10_000).toISOString(),
        requests: 10,
        failedRequests: 2,
        errorRate: 0.2,
        logs: 5,
        errorLogs: 0,
        logErrorRate: 0,
      },
    ]);
  });
});

describe('request-rate series', () => {
  it('lists services by name, each bucket with its start in RFC 3339', () => {
    const series = requestRateSeries(
      new Map([
        ['worker', [{ start: 60_000, requests: 3.5, errors: 1 }]],
        ['api', [{ start: 0, requests: 2, errors: 0 }]],
      ]),
    );
    expect(series).toEqual([
      {
        service: 'api',
        buckets: [{ start: '1970-01-01T00:00:00.000Z', requests: 2, failedRequests: 0 }],
      },
      {
        service: 'worker',
        buckets: [{ start: '1970-01-01T00:01:00.000Z', requests: 3.5, failedRequests: 1 }],
      },
    ]);
  });
});

describe('latency figures', () => {
  const slow = histogram(
    Array.from({ length: 100 }, (_, i) => [i < 50 ? 10 : 400, 1] as const),
    1.1,
  );

  it('gives each route its weighted requests, failures, share failed and percentiles', () => {
    const [route] = latencyByRoute([{ ...requests('/orders', 100, 5, slow), spans: 20 }]);
    expect(route).toMatchObject({
      route: '/orders',
      requests: 100,
      sampled: 20,
      failedRequests: 5,
      errorRate: 0.05,
    });
    expect(route?.latencyMs.p50).toBeLessThan(11);
    expect(route?.latencyMs.p95).toBeGreaterThan(360);
  });

  it('has no share failed and no percentiles over no requests', () => {
    expect(latencyByRoute([requests('/idle', 0, 0)])[0]).toMatchObject({
      errorRate: null,
      latencyMs: { p50: null, p95: null, p99: null },
    });
  });

  it('gives each time bucket its start, requests and percentiles', () => {
    const [bucket] = latencySeries([requests('120000', 100, 0, slow)]);
    expect(bucket?.start).toBe('1970-01-01T00:02:00.000Z');
    expect(bucket?.requests).toBe(100);
    expect(bucket?.latencyMs.p99).toBeGreaterThan(360);
  });
});
