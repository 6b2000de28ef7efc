import type { Client } from '../../storage/client.ts';
import { Router } from 'express';
import { findTraceLogs } from '../../storage/queries/trace-logs.ts';
import { searchTraces, traceSpans } from '../../storage/queries/traces.ts';
import { ApiError } from '../errors.ts';
import { reply } from '../reply.ts';
import { parseParams, timeRange, traceIdPath, tracesQuery } from '../params.ts';

/** A trace view holds at most this many spans and logs. */
const MAX_TRACE_ITEMS = 10_000;

export function traceRoutes(client: Client, now: () => number): Router {
  const router = Router();
  router.get('/traces', async (req, res) => {
    const q = parseParams(tracesQuery, req.query);
    const traces = await searchTraces(client, {
      range: timeRange(q, now()),
      service: q.service,
      operation: q.operation,
      failedOnly: q.errors === 'true',
      minDurationMs: q.minDurationMs,
      maxDurationMs: q.maxDurationMs,
      attribute: q.attribute,
      sort: q.sort,
      limit: q.limit,
    });
    reply(res, 'GET /api/v1/traces', { traces });
  });
  // The whole trace from Elasticsearch (spans and logs in one place, weights included), so the
  // console needs no credentials for Jaeger.
  router.get('/traces/:traceId', async (req, res) => {
    const { traceId } = parseParams(traceIdPath, req.params);
    const [spans, logs] = await Promise.all([
      traceSpans(client, traceId, MAX_TRACE_ITEMS),
      findTraceLogs(client, traceId, MAX_TRACE_ITEMS),
    ]);
    if (spans.length === 0 && logs.length === 0) {
      throw new ApiError(404, 'not_found', `no spans or logs of trace ${traceId}`);
    }
    reply(res, 'GET /api/v1/traces/{traceId}', { traceId, spans, logs });
  });
  return router;
}
