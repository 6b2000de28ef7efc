import type { Client } from '../../storage/client.ts';
import { Router } from 'express';
import type { AlertStore } from '../../storage/alert-store.ts';
import { sloStatuses } from '../../alerts/slo-status.ts';
import type { Slo } from '../../alerts/slo.ts';
import { ApiError } from '../errors.ts';
import { reply } from '../reply.ts';
import { alertIdParam, alertsQuery, parseParams } from '../params.ts';

export function alertRoutes(
  client: Client,
  store: AlertStore,
  slos: readonly Slo[],
  now: () => number,
): Router {
  const router = Router();
  router.get('/slos', async (_req, res) => {
    reply(res, 'GET /api/v1/slos', { slos: await sloStatuses(client, store, slos, now()) });
  });
  router.get('/alerts', async (req, res) => {
    const q = parseParams(alertsQuery, req.query);
    const states = q.state === 'all' ? (['pending', 'firing', 'resolved'] as const) : [q.state];
    reply(res, 'GET /api/v1/alerts', {
      alerts: await store.list({
        states,
        service: q.service,
        severity: q.severity,
        limit: q.limit,
      }),
    });
  });
  router.get('/alerts/:id', async (req, res) => {
    const { id } = parseParams(alertIdParam, req.params);
    const alert = await store.get(id);
    if (!alert) throw new ApiError(404, 'not_found', `no alert with id ${id}`);
    reply(res, 'GET /api/v1/alerts/{id}', { alert, history: await store.history(id) });
  });
  return router;
}
