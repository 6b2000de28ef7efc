import express, { Router } from 'express';
import type { AlertStore } from '../../storage/alert-store.ts';
import type { IncidentStore } from '../../storage/incident-store.ts';
import {
  listSilences,
  silenceAlert,
  type AlertmanagerSettings,
} from '../../alerts/alertmanager.ts';
import { ApiError } from '../errors.ts';
import { parseParams, silenceBody } from '../params.ts';
import { reply } from '../reply.ts';

/**
 * Silences through Lantern's API (no Alertmanager UI runs locally): create one for an alert,
 * list the active ones. Alertmanager does the silencing itself.
 */
export function silenceRoutes(
  store: AlertStore,
  incidents: IncidentStore,
  alertmanager: AlertmanagerSettings | undefined,
  now: () => number,
  log: (message: string) => void,
): Router {
  const router = Router();
  const configured = (): AlertmanagerSettings => {
    if (alertmanager) return alertmanager;
    throw new ApiError(
      503,
      'no_alertmanager',
      'no Alertmanager is configured (LANTERN_ALERTMANAGER_URL): silences live there',
    );
  };
  const unreachable = (error: unknown): ApiError =>
    new ApiError(502, 'alertmanager_failed', (error as Error).message);
  router.get('/silences', async (_req, res) => {
    const settings = configured();
    const silences = await listSilences(settings).catch((e: unknown) =>
      Promise.reject(unreachable(e)),
    );
    reply(res, 'GET /api/v1/silences', {
      silences: silences.map((silence) => ({
        id: silence.id,
        matchers: silence.matchers.map(({ name, value, isRegex }) => ({ name, value, isRegex })),
        startsAt: silence.startsAt,
        endsAt: silence.endsAt,
        createdBy: silence.createdBy,
        comment: silence.comment,
        state: silence.status.state === 'pending' ? 'pending' : 'active',
      })),
    });
  });
  router.post('/silences', express.json({ limit: '16kb' }), async (req, res) => {
    const settings = configured();
    const body = parseParams(silenceBody, req.body);
    const alert = await store.get(body.alertId);
    if (!alert) throw new ApiError(404, 'not_found', `no alert with id ${body.alertId}`);
    const endsAt = new Date(now() + body.duration);
    const id = await silenceAlert(settings, alert, {
      endsAt,
      createdBy: body.createdBy,
      comment: body.comment,
    }).catch((e: unknown) => Promise.reject(unreachable(e)));
    if (alert.incidentId !== null) {
      // The silence exists either way: a timeline that missed it is logged, not answered as failed.
      await incidents
        .appendTimeline([
          {
            incidentId: alert.incidentId,
            kind: 'silenced',
            at: new Date(now()).toISOString(),
            text: `${alert.rule} silenced by ${body.createdBy} until ${endsAt.toISOString()}: ${body.comment}`,
            details: {
              alertId: alert.id,
              silenceId: id,
              by: body.createdBy,
              comment: body.comment,
            },
          },
        ])
        .catch((error: unknown) => {
          log(`silence ${id} not on incident ${alert.incidentId ?? ''}: ${String(error)}`);
        });
    }
    reply(res, 'POST /api/v1/silences', {
      silenceId: id,
      matchers: alert.labels,
      endsAt: endsAt.toISOString(),
    });
  });
  return router;
}
