import type { Incident } from '../contracts/incident.ts';
import type { IncidentChange } from '../storage/incident-store.ts';

/** Why an incident cannot change as asked (the API answers 409 with it). */
export class IncidentConflict extends Error {}

export interface Acknowledging {
  readonly by: string;
  readonly note: string;
  readonly now: number;
}

/**
 * Someone has seen the incident and is on it: escalation stops. Acknowledging again replaces
 * who and the note (another person took it over); a resolved incident cannot be acknowledged.
 */
export function acknowledge(incident: Incident, { by, note, now }: Acknowledging): IncidentChange {
  if (incident.status === 'resolved') throw resolvedAlready(incident);
  const at = new Date(now).toISOString();
  return {
    incident: {
      ...incident,
      status: 'acknowledged',
      acknowledgement: { by, at, note },
      updatedAt: at,
    },
    entries: [
      {
        incidentId: incident.id,
        kind: 'acknowledged',
        at,
        text: `acknowledged by ${by}${note === '' ? '' : `: ${note}`}`,
        details: { by, note },
      },
    ],
  };
}

/**
 * Resolved by hand: the incident is over whatever its signals say. Signals still firing stay
 * with it until they resolve; an alert that fires again later opens a new incident.
 */
export function resolveByHand(
  incident: Incident,
  { by, note, now }: Acknowledging,
): IncidentChange {
  if (incident.status === 'resolved') throw resolvedAlready(incident);
  const at = new Date(now).toISOString();
  return {
    incident: { ...incident, status: 'resolved', resolvedAt: at, updatedAt: at },
    entries: [
      {
        incidentId: incident.id,
        kind: 'resolved',
        at,
        text: `resolved by ${by}${note === '' ? '' : `: ${note}`}`,
        details: { by, note },
      },
    ],
  };
}

const resolvedAlready = (incident: Incident): IncidentConflict =>
  new IncidentConflict(
    `incident ${incident.id} was resolved at ${incident.resolvedAt ?? incident.updatedAt}`,
  );
