import type { Client } from '@elastic/elasticsearch';
import type { LogStats } from '../../contracts/log-stats.ts';
import type { RequestStats } from '../../contracts/request-stats.ts';
import type { TimeRange } from '../../contracts/time-range.ts';
import { logStats } from './log-stats.ts';
import { FINE_LATENCY_BUCKETS, requestStats } from './request-stats.ts';

/**
 * Every service's request figures (with percentile-grade latency buckets) and log counts over
 * one range: what GET /api/v1/services sums.
 */
export async function serviceFigures(
  client: Client,
  range: TimeRange,
): Promise<{ requests: RequestStats[]; logs: LogStats[] }> {
  const [requests, logs] = await Promise.all([
    requestStats(client, { range, groupBy: 'service', latencyBucketRatio: FINE_LATENCY_BUCKETS }),
    logStats(client, { range, groupBy: 'service' }),
  ]);
  return { requests, logs };
}
