import type { Client } from '@elastic/elasticsearch';
import { Router } from 'express';
import { groupByPattern } from '../../analysis/message-pattern.ts';
import { latencySummary, ratio, summarizeServices } from '../../analysis/summaries.ts';
import { SlidingFigures } from '../../analysis/sliding-figures.ts';
import { documentCount } from '../../storage/queries/document-count.ts';
import { errorMessages } from '../../storage/queries/error-messages.ts';
import { logStats } from '../../storage/queries/log-stats.ts';
import { requestSeriesByService } from '../../storage/queries/request-series.ts';
import {
  FINE_LATENCY_BUCKETS,
  requestStats,
  SERIES_LATENCY_BUCKETS,
} from '../../storage/queries/request-stats.ts';
import {
  bucketInterval,
  errorRateQuery,
  latencyQuery,
  parseParams,
  requestRateQuery,
  servicesQuery,
  timeRange,
} from '../params.ts';

const iso = (key: string): string => new Date(Number(key)).toISOString();

export function analysisRoutes(client: Client, now: () => number): Router {
  const router = Router();

  // The overview asks for the same sliding window every 10 s: read only what moved.
  const serviceFigures = new SlidingFigures({
    read: async (range) => {
      const [requests, logs] = await Promise.all([
        requestStats(client, {
          range,
          groupBy: 'service',
          latencyBucketRatio: FINE_LATENCY_BUCKETS,
        }),
        logStats(client, { range, groupBy: 'service' }),
      ]);
      return { requests, logs };
    },
    count: (range) => documentCount(client, range),
    now,
  });

  router.get('/services', async (req, res) => {
    const range = timeRange(parseParams(servicesQuery, req.query), now());
    const { requests, logs } = await serviceFigures.figures(range);
    res.json({
      from: iso(String(range.from)),
      to: iso(String(range.to)),
      services: summarizeServices(requests, logs),
    });
  });

  router.get('/analysis/request-rate', async (req, res) => {
    const q = parseParams(requestRateQuery, req.query);
    const range = timeRange(q, now());
    const intervalMs = bucketInterval(range, q.interval);
    const series = await requestSeriesByService(client, range, intervalMs);
    res.json({
      from: iso(String(range.from)),
      to: iso(String(range.to)),
      intervalMs,
      services: [...series]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([service, points]) => ({
          service,
          buckets: points.map((p) => ({
            start: iso(String(p.start)),
            requests: p.requests,
            failedRequests: p.errors,
          })),
        })),
    });
  });

  router.get('/analysis/error-rate', async (req, res) => {
    const q = parseParams(errorRateQuery, req.query);
    const range = timeRange(q, now());
    const intervalMs = bucketInterval(range, q.interval);
    const [requests, logs, messages] = await Promise.all([
      requestStats(client, {
        range,
        service: q.service,
        groupBy: { intervalMs },
      }),
      logStats(client, { range, service: q.service, groupBy: { intervalMs } }),
      q.service === undefined ? Promise.resolve([]) : errorMessages(client, q.service, range),
    ]);
    const logsAt = new Map(logs.map((l) => [l.key, l]));
    const keys = [...new Set([...requests.map((r) => r.key), ...logs.map((l) => l.key)])].sort(
      (a, b) => Number(a) - Number(b),
    );
    const requestsAt = new Map(requests.map((r) => [r.key, r]));
    res.json({
      service: q.service ?? null,
      intervalMs,
      buckets: keys.map((key) => {
        const r = requestsAt.get(key);
        const l = logsAt.get(key);
        return {
          start: iso(key),
          requests: r?.requests ?? 0,
          failedRequests: r?.errors ?? 0,
          errorRate: ratio(r?.errors ?? 0, r?.requests ?? 0),
          logs: l?.logs ?? 0,
          errorLogs: l?.errors ?? 0,
          logErrorRate: ratio(l?.errors ?? 0, l?.logs ?? 0),
        };
      }),
      topErrors: groupByPattern(messages, 20),
    });
  });

  router.get('/analysis/latency', async (req, res) => {
    const q = parseParams(latencyQuery, req.query);
    const range = timeRange(q, now());
    const intervalMs = bucketInterval(range, q.interval);
    const filter = { range, service: q.service, route: q.route };
    const [series, overall] = await Promise.all([
      requestStats(client, {
        ...filter,
        groupBy: { intervalMs },
        latencyBucketRatio: SERIES_LATENCY_BUCKETS,
      }),
      requestStats(client, {
        ...filter,
        groupBy: 'route',
        latencyBucketRatio: FINE_LATENCY_BUCKETS,
      }),
    ]);
    res.json({
      service: q.service ?? null,
      route: q.route ?? null,
      intervalMs,
      routes: overall.map((r) => ({
        route: r.key,
        requests: r.requests,
        sampled: r.spans,
        failedRequests: r.errors,
        errorRate: ratio(r.errors, r.requests),
        latencyMs: latencySummary(r.latency),
      })),
      buckets: series.map((b) => ({
        start: iso(b.key),
        requests: b.requests,
        latencyMs: latencySummary(b.latency),
      })),
    });
  });

  return router;
}
