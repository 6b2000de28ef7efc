import type { Client } from '@elastic/elasticsearch';
import { Router } from 'express';
import { searchLogs } from '../../storage/queries/log-search.ts';
import { findTraceLogs } from '../../storage/queries/trace-logs.ts';
import { logsQuery, parseParams, timeRange } from '../params.ts';

export function logRoutes(client: Client, now: () => number): Router {
  const router = Router();
  router.get('/logs', async (req, res) => {
    const q = parseParams(logsQuery, req.query);
    if (q.traceId !== undefined) {
      res.json({ traceId: q.traceId, logs: await findTraceLogs(client, q.traceId, q.limit) });
      return;
    }
    const logs = await searchLogs(client, {
      range: timeRange(q, now()),
      service: q.service,
      minSeverity: q.severity,
      text: q.q,
      limit: q.limit,
    });
    res.json({ traceId: null, logs });
  });
  return router;
}
