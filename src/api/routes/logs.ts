import type { Client } from '../../storage/client.ts';
import { Router } from 'express';
import { searchLogs } from '../../storage/queries/log-search.ts';
import { findTraceLogs } from '../../storage/queries/trace-logs.ts';
import { reply } from '../reply.ts';
import { logsQuery, parseParams, timeRange } from '../params.ts';

export function logRoutes(client: Client, now: () => number): Router {
  const router = Router();
  router.get('/logs', async (req, res) => {
    const q = parseParams(logsQuery, req.query);
    if (q.traceId !== undefined) {
      reply(res, 'GET /api/v1/logs', {
        traceId: q.traceId,
        logs: await findTraceLogs(client, q.traceId, q.limit),
      });
      return;
    }
    const logs = await searchLogs(client, {
      range: timeRange(q, now()),
      service: q.service,
      minSeverity: q.severity,
      text: q.q,
      limit: q.limit,
    });
    reply(res, 'GET /api/v1/logs', { traceId: null, logs });
  });
  return router;
}
