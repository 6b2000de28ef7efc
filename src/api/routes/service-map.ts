import { Router } from 'express';
import { serviceMap } from '../../analysis/service-map.ts';
import type { SlidingFigures } from '../../analysis/sliding-figures.ts';
import { summarizeServices } from '../../analysis/summaries.ts';
import type { AlertStore } from '../../storage/alert-store.ts';
import type { Client } from '../../storage/client.ts';
import { serviceCalls } from '../../storage/queries/service-calls.ts';
import { bucketStart } from '../../analysis/series.ts';
import { parseParams, serviceMapQuery, timeRange } from '../params.ts';
import { reply } from '../reply.ts';

/** Alerts read to count each service's firing ones: far above any real number at once. */
const FIRING_LIMIT = 10_000;

export interface ServiceMapDependencies {
  readonly client: Client;
  readonly store: AlertStore;
  /** The services' figures, the same GET /api/v1/services sums. */
  readonly serviceFigures: SlidingFigures;
  readonly now: () => number;
}

/**
 * GET /api/v1/service-map: the nodes' figures are the services' (one aggregation), the edges
 * are the calls Jaeger's dependencies API answers too (storage/queries/service-calls.ts).
 */
export function serviceMapRoutes(deps: ServiceMapDependencies): Router {
  const router = Router();
  router.get('/service-map', async (req, res) => {
    const range = timeRange(parseParams(serviceMapQuery, req.query), deps.now());
    const iso = { from: bucketStart(range.from), to: bucketStart(range.to) };
    const [figures, calls, firing] = await Promise.all([
      deps.serviceFigures.figures(range),
      serviceCalls(deps.client, iso),
      deps.store.list({ states: ['firing'], limit: FIRING_LIMIT }),
    ]);
    reply(res, 'GET /api/v1/service-map', {
      ...iso,
      ...serviceMap({
        summaries: summarizeServices(figures.requests, figures.logs),
        calls,
        firing: firing.flatMap((alert) => (alert.service === null ? [] : [alert.service])),
      }),
    });
  });
  return router;
}
