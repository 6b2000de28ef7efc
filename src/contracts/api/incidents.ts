import * as z from 'zod/mini';
import { SEVERITIES } from '../severity.ts';
import { nullableString, time } from './values.ts';

/** An incident's id: 20 lowercase hexadecimal characters, made from its first signal. */
export const incidentIdPattern = /^[0-9a-f]{20}$/;

export const INCIDENT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;

/** One alert episode that belongs to an incident, as it stands now. */
export const incidentSignal = z.strictObject({
  alertId: z.string(),
  rule: z.string(),
  service: nullableString,
  severity: z.enum(SEVERITIES),
  summary: z.string(),
  /** When this episode of the alert began (its startsAt). */
  onset: time,
  state: z.enum(['pending', 'firing', 'resolved']),
  /** When the episode resolved; null while it fires. */
  endedAt: z.nullable(time),
  /** Its latest value (a rate, a percentile, a burn rate…), and the rule's threshold. */
  value: z.number(),
  threshold: z.number(),
});

/** Who acknowledged an incident, when, and what they said. */
export const acknowledgement = z.strictObject({
  by: z.string(),
  at: time,
  note: z.string(),
});

/**
 * Alerts that belong together: fired for one service close together in time, or for services
 * that call each other (docs/alert-rules.md, "Incidents").
 */
export const incident = z.strictObject({
  id: z.string().check(z.regex(incidentIdPattern)),
  /** The summary of its most severe signal, the first one among equals. */
  title: z.string(),
  status: z.enum(INCIDENT_STATUSES),
  /** The highest severity of its signals. */
  severity: z.enum(SEVERITIES),
  severityRank: z.int().check(z.minimum(1), z.maximum(SEVERITIES.length)),
  /** The earliest onset of its signals. */
  startedAt: time,
  /** When its last signal resolved, or it was resolved by hand; null until then. */
  resolvedAt: z.nullable(time),
  updatedAt: time,
  /** The likely origin: the deepest failing service in the call chain; null for no service. */
  origin: nullableString,
  /** Every service with a signal, the origin first. */
  services: z.array(z.string()),
  /** Its signals in order of onset. */
  signals: z.array(incidentSignal),
  acknowledgement: z.nullable(acknowledgement),
});

export const TIMELINE_KINDS = [
  'signal-fired',
  'signal-resolved',
  'state-changed',
  'acknowledged',
  'notified',
  'notify-failed',
  'silenced',
  'resolved',
] as const;

/** One thing that happened to an incident; the timeline is append-only. */
export const timelineEntry = z.strictObject({
  incidentId: z.string().check(z.regex(incidentIdPattern)),
  kind: z.enum(TIMELINE_KINDS),
  at: time,
  /** What happened, as people read it. */
  text: z.string(),
  /** What it concerns: an alert id, a value, a receiver, a silence id… */
  details: z.record(z.string(), z.string()),
});

export const incidentList = z.strictObject({ incidents: z.array(incident) });
export const incidentWithTimeline = z.strictObject({ incident, timeline: z.array(timelineEntry) });

export type Incident = z.infer<typeof incident>;
export type IncidentSignal = z.infer<typeof incidentSignal>;
export type IncidentStatus = Incident['status'];
export type TimelineEntry = z.infer<typeof timelineEntry>;
export type TimelineKind = TimelineEntry['kind'];
