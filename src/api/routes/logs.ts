import type { Client } from '@elastic/elasticsearch';
import { Router } from 'express';
import { findTraceLogs } from '../../storage/queries/trace-logs.ts';
import { logsQuery, parseParams } from '../params.ts';

export function logRoutes(client: Client): Router {
  const router = Router();
  router.get('/logs', async (req, res) => {
    const { traceId, limit } = parseParams(logsQuery, req.query);
    res.json({ traceId, logs: await findTraceLogs(client, traceId, limit) });
  });
  return router;
}
