import { Router } from 'express';
import type { Client } from '../../storage/client.ts';
import { storageUsage } from '../../storage/storage-usage.ts';
import { parseParams, storageQuery } from '../params.ts';
import { reply } from '../reply.ts';

/** GET /storage: what each signal takes in Elasticsearch, per day, measured now. */
export function storageRoutes(client: Client): Router {
  const router = Router();
  router.get('/storage', async (req, res) => {
    parseParams(storageQuery, req.query);
    reply(res, 'GET /api/v1/storage', await storageUsage(client));
  });
  return router;
}
