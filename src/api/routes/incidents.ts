import express, { Router } from 'express';
import {
  acknowledge,
  IncidentConflict,
  resolveByHand,
  type Acknowledging,
} from '../../alerts/incident-actions.ts';
import { silenceIncident, type AlertmanagerSettings } from '../../alerts/alertmanager.ts';
import type { Incident } from '../../contracts/incident.ts';
import type { IncidentChange, IncidentStore } from '../../storage/incident-store.ts';
import { ApiError } from '../errors.ts';
import { incidentActionBody, incidentIdPath, incidentsQuery, parseParams } from '../params.ts';
import { reply } from '../reply.ts';

const STATUSES = {
  open: ['open'],
  acknowledged: ['acknowledged'],
  resolved: ['resolved'],
  active: ['open', 'acknowledged'],
  all: ['open', 'acknowledged', 'resolved'],
} as const;

/**
 * How long acknowledging silences an incident's notifications: until it resolves (the silence
 * is lifted before the resolve is sent), or this long, after which its repeats start again.
 */
const ACKNOWLEDGED_SILENCE_MS = 7 * 24 * 3_600_000;

/** Where acknowledging silences an incident, and where a silence that failed is told. */
export interface IncidentSilencing {
  readonly alertmanager: AlertmanagerSettings | undefined;
  readonly log: (message: string) => void;
}

/** Incidents: the list, one with its timeline, and acknowledging or resolving one by hand. */
export function incidentRoutes(
  store: IncidentStore,
  now: () => number,
  silencing: IncidentSilencing,
): Router {
  const router = Router();
  router.get('/incidents', async (req, res) => {
    const q = parseParams(incidentsQuery, req.query);
    if (q.from !== undefined && q.to !== undefined && q.from >= q.to)
      throw new ApiError(400, 'bad_parameter', 'parameter "from": must be before "to"');
    reply(res, 'GET /api/v1/incidents', {
      incidents: await store.list({
        statuses: STATUSES[q.status],
        service: q.service,
        from: q.from,
        to: q.to,
        limit: q.limit,
      }),
    });
  });
  router.get('/incidents/:incidentId', async (req, res) => {
    const { incidentId } = parseParams(incidentIdPath, req.params);
    const incident = await store.get(incidentId);
    if (!incident) throw notFound(incidentId);
    reply(res, 'GET /api/v1/incidents/{incidentId}', {
      incident,
      timeline: await store.timeline(incidentId),
    });
  });
  const action =
    (change: (incident: Incident, by: Acknowledging) => IncidentChange) =>
    async (req: express.Request): Promise<Incident> => {
      const { incidentId } = parseParams(incidentIdPath, req.params);
      const body = parseParams(incidentActionBody, req.body ?? {});
      try {
        const changed = await store.update(incidentId, (incident) =>
          change(incident, { ...body, now: now() }),
        );
        if (!changed) throw notFound(incidentId);
        return changed;
      } catch (error) {
        if (error instanceof IncidentConflict) throw new ApiError(409, 'conflict', error.message);
        throw error;
      }
    };
  const acknowledging = action(acknowledge);
  const resolving = action(resolveByHand);
  const json = express.json({ limit: '16kb' });
  router.post('/incidents/:incidentId/acknowledge', json, async (req, res) => {
    const incident = await acknowledging(req);
    await silenceAcknowledged(store, incident, now(), silencing);
    reply(res, 'POST /api/v1/incidents/{incidentId}/acknowledge', incident);
  });
  router.post('/incidents/:incidentId/resolve', json, async (req, res) => {
    reply(res, 'POST /api/v1/incidents/{incidentId}/resolve', await resolving(req));
  });
  return router;
}

/**
 * Acknowledging stops escalation (the evaluator pushes no later step) and, by this silence on
 * `incident=<id>`, the repeats of the steps already told. The acknowledgement stands either
 * way: a silence that failed is logged, and the timeline says which happened.
 */
async function silenceAcknowledged(
  store: IncidentStore,
  incident: Incident,
  at: number,
  { alertmanager, log }: IncidentSilencing,
): Promise<void> {
  if (!alertmanager || !incident.acknowledgement) return;
  const { by, note } = incident.acknowledgement;
  const endsAt = new Date(at + ACKNOWLEDGED_SILENCE_MS);
  try {
    const silenceId = await silenceIncident(alertmanager, incident.id, {
      endsAt,
      createdBy: by,
      comment: note === '' ? 'acknowledged' : `acknowledged: ${note}`,
    });
    await store.appendTimeline([
      {
        incidentId: incident.id,
        kind: 'silenced',
        at: new Date(at).toISOString(),
        text: `notifications silenced until ${endsAt.toISOString()}, or until it resolves`,
        details: { silenceId, by },
      },
    ]);
  } catch (error) {
    log(`acknowledged incident ${incident.id} not silenced: ${(error as Error).message}`);
  }
}

const notFound = (id: string): ApiError =>
  new ApiError(404, 'not_found', `no incident with id ${id}`);
