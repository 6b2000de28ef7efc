import { Router } from 'express';
import { reply } from '../reply.ts';
import { groupByPattern, markFirstSeen } from '../../analysis/message-pattern.ts';
import {
  bucketStart,
  errorRateBuckets,
  latencyByRoute,
  latencySeries,
  requestRateSeries,
} from '../../analysis/series.ts';
import type { SlidingFigures } from '../../analysis/sliding-figures.ts';
import { summarizeServices } from '../../analysis/summaries.ts';
import type { Client } from '../../storage/client.ts';
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

/** How far before the range a service's error patterns count as known (the rules' default). */
const FIRST_SEEN_LOOKBACK_MS = 7 * 86_400_000;

export interface AnalysisDependencies {
  readonly client: Client;
  /** Every service's figures over a sliding window: one for the whole service (it keeps bases). */
  readonly serviceFigures: SlidingFigures;
  readonly now: () => number;
}

/** The overview and the analysis endpoints: storage reads in, analysis figures out. */
export function analysisRoutes({ client, serviceFigures, now }: AnalysisDependencies): Router {
  const router = Router();

  router.get('/services', async (req, res) => {
    const range = timeRange(parseParams(servicesQuery, req.query), now());
    const { requests, logs } = await serviceFigures.figures(range);
    reply(res, 'GET /api/v1/services', {
      from: bucketStart(range.from),
      to: bucketStart(range.to),
      services: summarizeServices(requests, logs),
    });
  });

  router.get('/analysis/request-rate', async (req, res) => {
    const q = parseParams(requestRateQuery, req.query);
    const range = timeRange(q, now());
    const intervalMs = bucketInterval(range, q.interval);
    const series = await requestSeriesByService(client, range, intervalMs);
    reply(res, 'GET /api/v1/analysis/request-rate', {
      from: bucketStart(range.from),
      to: bucketStart(range.to),
      intervalMs,
      services: requestRateSeries(series),
    });
  });

  router.get('/analysis/error-rate', async (req, res) => {
    const q = parseParams(errorRateQuery, req.query);
    const range = timeRange(q, now());
    const intervalMs = bucketInterval(range, q.interval);
    const before = { from: range.from - FIRST_SEEN_LOOKBACK_MS, to: range.from };
    const [requests, logs, messages, earlier] = await Promise.all([
      requestStats(client, { range, service: q.service, groupBy: { intervalMs } }),
      logStats(client, { range, service: q.service, groupBy: { intervalMs } }),
      q.service === undefined ? Promise.resolve([]) : errorMessages(client, q.service, range),
      q.service === undefined
        ? Promise.resolve([])
        : errorMessages(client, q.service, before, 5000),
    ]);
    reply(res, 'GET /api/v1/analysis/error-rate', {
      service: q.service ?? null,
      intervalMs,
      buckets: errorRateBuckets(requests, logs),
      topErrors: markFirstSeen(groupByPattern(messages, 20), earlier),
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
    reply(res, 'GET /api/v1/analysis/latency', {
      service: q.service ?? null,
      route: q.route ?? null,
      intervalMs,
      routes: latencyByRoute(overall),
      buckets: latencySeries(series),
    });
  });

  return router;
}
