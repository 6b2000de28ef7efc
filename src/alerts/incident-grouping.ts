import { createHash } from 'node:crypto';
import type { Alert } from '../contracts/alert.ts';
import type { Incident, IncidentSignal, TimelineEntry } from '../contracts/incident.ts';
import type { CallChain } from './call-chain.ts';
import { severityRank } from './severity.ts';

/**
 * How close in time a new alert must be to an incident's signal on a related service to join
 * it: its onset at most this long after that signal last fired (a signal still firing is
 * always close).
 */
export const INCIDENT_WINDOW_MS = 10 * 60_000;

export interface Grouping {
  /** Every incident not resolved, and any other the alerts point at. */
  readonly incidents: readonly Incident[];
  /** Every pending and firing alert after this evaluation, and those it resolved. */
  readonly alerts: readonly Alert[];
  readonly calls: CallChain;
  readonly now: number;
}

export interface Grouped {
  /** Incidents new or changed, to store. */
  readonly incidents: Incident[];
  /** What happened to them, for their timelines. */
  readonly entries: TimelineEntry[];
  /** Alerts now pointing at an incident they did not point at before, to store. */
  readonly alerts: Alert[];
}

/** An incident being worked on: its signals by alert id, and what happened to it. */
interface Draft {
  readonly id: string;
  readonly base: Incident | undefined;
  readonly signals: Map<string, IncidentSignal>;
  readonly entries: TimelineEntry[];
}

/**
 * Groups alerts into incidents. A firing alert that belongs to no incident joins the open
 * incident that already holds it, else the earliest open incident with a signal on the same
 * service, or on a service that calls it or that it calls (directly or not), close in time;
 * else it opens an incident of its own. Signals follow their alerts (value, state); an incident
 * whose signals have all resolved is resolved. Pending alerts are not signals yet. Pure, and
 * the same input gives the same incidents, so a retried evaluation repeats itself.
 */
export function groupIncidents(grouping: Grouping): Grouped {
  const { alerts, calls, now } = grouping;
  const at = new Date(now).toISOString();
  const drafts = new Map(grouping.incidents.map((incident) => [incident.id, draftOf(incident)]));
  const byId = new Map(alerts.map((alert) => [alert.id, alert]));
  for (const draft of drafts.values()) settleGoneSignals(draft, byId, at);

  const regrouped: Alert[] = [];
  for (const alert of [...alerts].sort(byOnset)) {
    if (alert.state === 'pending') continue;
    const home =
      (alert.incidentId === null ? undefined : drafts.get(alert.incidentId)) ??
      holding(drafts, alert) ??
      (alert.state === 'firing'
        ? (related(drafts, alert, calls, now) ?? opened(drafts, alert))
        : undefined);
    if (!home) continue;
    place(home, alert, at);
    if (alert.incidentId !== home.id) regrouped.push({ ...alert, incidentId: home.id });
  }

  const incidents: Incident[] = [];
  const entries: TimelineEntry[] = [];
  for (const draft of drafts.values()) {
    const incident = finish(draft, calls, at);
    if (incident === undefined) continue;
    if (draft.base === undefined || changed(draft.base, incident)) incidents.push(incident);
    entries.push(...draft.entries);
  }
  return { incidents, entries, alerts: regrouped };
}

/** An incident's id, made from its first signal's episode: the same first signal, the same id. */
export const incidentIdFor = (alert: Alert): string =>
  createHash('sha256')
    .update(JSON.stringify(['incident', alert.id, alert.startsAt]))
    .digest('hex')
    .slice(0, 20);

const byOnset = (a: Alert, b: Alert): number =>
  a.startsAt.localeCompare(b.startsAt) || a.id.localeCompare(b.id);

const isOpen = (draft: Draft): boolean => draft.base?.status !== 'resolved';

const draftOf = (incident: Incident): Draft => ({
  id: incident.id,
  base: incident,
  signals: new Map(incident.signals.map((signal) => [signal.alertId, signal])),
  entries: [],
});

/** The open incident that already holds this alert (an earlier episode of it). */
function holding(drafts: ReadonlyMap<string, Draft>, alert: Alert): Draft | undefined {
  for (const draft of drafts.values())
    if (isOpen(draft) && draft.signals.has(alert.id)) return draft;
  return undefined;
}

/** The earliest open incident with a signal on a related service, close in time. */
function related(
  drafts: ReadonlyMap<string, Draft>,
  alert: Alert,
  calls: CallChain,
  now: number,
): Draft | undefined {
  const onset = Date.parse(alert.startsAt);
  const close = (signal: IncidentSignal): boolean => {
    const lastFired =
      signal.state === 'resolved' ? Date.parse(signal.endedAt ?? signal.onset) : now;
    return onset <= lastFired + INCIDENT_WINDOW_MS && calls.related(signal.service, alert.service);
  };
  const candidates = [...drafts.values()].filter(
    (draft) => isOpen(draft) && [...draft.signals.values()].some(close),
  );
  return candidates.sort((a, b) => startOf(a).localeCompare(startOf(b)))[0];
}

const startOf = (draft: Draft): string =>
  [...draft.signals.values()].map((s) => s.onset).sort()[0] ?? '';

function opened(drafts: Map<string, Draft>, alert: Alert): Draft {
  const draft: Draft = {
    id: incidentIdFor(alert),
    base: undefined,
    signals: new Map(),
    entries: [],
  };
  drafts.set(draft.id, draft);
  return draft;
}

/** The alert as the incident's signal now; what changed goes on the timeline. */
function place(draft: Draft, alert: Alert, at: string): void {
  const before = draft.signals.get(alert.id);
  const signal: IncidentSignal = {
    alertId: alert.id,
    rule: alert.rule,
    service: alert.service,
    severity: alert.severity,
    summary: alert.summary,
    onset: before && before.onset < alert.startsAt ? before.onset : alert.startsAt,
    state: alert.state,
    endedAt: alert.endsAt,
    value: alert.value,
    threshold: alert.threshold,
  };
  draft.signals.set(alert.id, signal);
  const details = signalDetails(alert);
  if (before === undefined || (before.state === 'resolved' && alert.state === 'firing')) {
    const again = before === undefined ? '' : ' again';
    draft.entries.push(
      entry(draft, 'signal-fired', at, `${alert.rule} fired${again}: ${alert.summary}`, details),
    );
  } else if (before.state !== 'resolved' && alert.state === 'resolved') {
    draft.entries.push(
      entry(draft, 'signal-resolved', alert.endsAt ?? at, `${alert.rule} resolved`, details),
    );
  }
}

/**
 * Signals whose alert is no longer firing without this evaluation saying so (it resolved while
 * the incident's write failed, or began a new episode): resolved now.
 */
function settleGoneSignals(draft: Draft, alerts: ReadonlyMap<string, Alert>, at: string): void {
  for (const signal of draft.signals.values()) {
    if (signal.state === 'resolved') continue;
    const alert = alerts.get(signal.alertId);
    if (alert !== undefined && alert.state !== 'pending') continue;
    draft.signals.set(signal.alertId, { ...signal, state: 'resolved', endedAt: at });
    draft.entries.push(
      entry(draft, 'signal-resolved', at, `${signal.rule} no longer fires`, {
        alertId: signal.alertId,
        rule: signal.rule,
        service: signal.service ?? '',
      }),
    );
  }
}

/** The incident its signals make now: title, severity, origin, status. */
function finish(draft: Draft, calls: CallChain, at: string): Incident | undefined {
  const signals = [...draft.signals.values()].sort(
    (a, b) => a.onset.localeCompare(b.onset) || a.alertId.localeCompare(b.alertId),
  );
  const first = signals[0];
  if (first === undefined) return undefined;
  const rank = Math.max(...signals.map((s) => severityRank(s.severity)));
  const mostSevere = signals.find((s) => severityRank(s.severity) === rank) ?? first;
  const firing = signals.filter((s) => s.state !== 'resolved');
  const servicesOf = (list: readonly IncidentSignal[]): string[] => [
    ...new Set(list.flatMap((s) => (s.service === null ? [] : [s.service]))),
  ];
  const origin = calls.deepest(servicesOf(firing.length > 0 ? firing : signals)) ?? null;
  const base = draft.base;
  const settled = firing.length === 0 && base?.status !== 'resolved';
  const incident: Incident = {
    id: draft.id,
    title: mostSevere.summary,
    status: settled ? 'resolved' : (base?.status ?? 'open'),
    severity: mostSevere.severity,
    severityRank: rank,
    startedAt: first.onset,
    resolvedAt: settled ? latestEnd(signals, at) : (base?.resolvedAt ?? null),
    updatedAt: base?.updatedAt ?? at,
    origin,
    services: [...new Set([...(origin === null ? [] : [origin]), ...servicesOf(signals)])],
    signals,
    acknowledgement: base?.acknowledgement ?? null,
  };
  noteChanges(draft, incident, at);
  return base === undefined || changed(base, incident) ? { ...incident, updatedAt: at } : incident;
}

/** Timeline entries for what changed in the incident as a whole. */
function noteChanges(draft: Draft, incident: Incident, at: string): void {
  const base = draft.base;
  if (base && incident.severityRank > base.severityRank)
    draft.entries.push(
      entry(
        draft,
        'state-changed',
        at,
        `severity raised from ${base.severity} to ${incident.severity}`,
        {
          severity: incident.severity,
        },
      ),
    );
  if (base && incident.origin !== base.origin && incident.origin !== null)
    draft.entries.push(
      entry(draft, 'state-changed', at, `likely origin now ${incident.origin}`, {
        origin: incident.origin,
      }),
    );
  if (incident.status === 'resolved' && base?.status !== 'resolved')
    draft.entries.push(
      entry(draft, 'resolved', incident.resolvedAt ?? at, 'resolved: every signal resolved', {}),
    );
}

const latestEnd = (signals: readonly IncidentSignal[], at: string): string =>
  signals
    .map((s) => s.endedAt ?? at)
    .sort()
    .at(-1) ?? at;

const changed = (base: Incident, incident: Incident): boolean =>
  JSON.stringify({ ...base, updatedAt: '' }) !== JSON.stringify({ ...incident, updatedAt: '' });

const signalDetails = (alert: Alert): Record<string, string> => ({
  alertId: alert.id,
  rule: alert.rule,
  service: alert.service ?? '',
  severity: alert.severity,
  value: String(alert.value),
  threshold: String(alert.threshold),
});

function entry(
  draft: Draft,
  kind: TimelineEntry['kind'],
  at: string,
  text: string,
  details: Record<string, string>,
): TimelineEntry {
  return { incidentId: draft.id, kind, at, text, details };
}
