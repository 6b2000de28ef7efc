import { Router } from 'express';
import type { Client } from '../../storage/client.ts';
import { storageStatus, type StorageSettings } from '../../storage/maintenance/status.ts';
import { parseParams, storageQuery } from '../params.ts';
import { reply } from '../reply.ts';

/**
 * GET /storage: what each signal takes in Elasticsearch, per day, measured now; the budget and
 * what is left of it, the retention in force, the last deletions.
 */
export function storageRoutes(client: Client, settings: StorageSettings): Router {
  const router = Router();
  router.get('/storage', async (req, res) => {
    parseParams(storageQuery, req.query);
    reply(res, 'GET /api/v1/storage', await storageStatus(client, settings));
  });
  return router;
}
