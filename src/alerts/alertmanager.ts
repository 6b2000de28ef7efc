import { httpTarget } from '../contracts/http-target.ts';
import type { Alert } from '../contracts/alert.ts';
import type { PushedAlert } from './notifications/escalated-alerts.ts';

export interface AlertmanagerSettings {
  /** May carry credentials (`https://user:password@host`): they are sent as basic auth. */
  readonly url: string;
  /** Base URL of this API, for each alert's generatorURL. */
  readonly publicUrl: string;
}

/**
 * Pushes alerts to Alertmanager's v2 API. Active alerts are re-sent on every call (Alertmanager
 * expects that, and deduplicates); a resolved alert is sent once more with its endsAt. Each goes
 * by the labels it is pushed with (an escalation step's copy of its own: escalatedAlerts).
 * Routing, grouping, silences and retries are Alertmanager's job.
 */
export async function pushToAlertmanager(
  settings: AlertmanagerSettings,
  alerts: readonly PushedAlert[],
): Promise<void> {
  if (alerts.length === 0) return;
  const body = alerts.map(({ alert, labels, endsAt }) => ({
    labels,
    annotations: {
      ...alert.annotations,
      summary: alert.summary,
      ...(alert.exemplarTraceIds.length > 0
        ? { exemplar_trace_ids: alert.exemplarTraceIds.join(',') }
        : {}),
    },
    startsAt: alert.startsAt,
    ...(endsAt ? { endsAt } : {}),
    generatorURL: `${settings.publicUrl}/api/v1/alerts/${alert.id}`,
  }));
  await alertmanagerCall<undefined>(settings, '/alerts', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** A silence as Alertmanager's v2 API keeps it. */
export interface Silence {
  readonly id: string;
  readonly matchers: readonly {
    name: string;
    value: string;
    isRegex: boolean;
    isEqual?: boolean;
  }[];
  readonly startsAt: string;
  readonly endsAt: string;
  readonly createdBy: string;
  readonly comment: string;
  readonly status: { state: string };
}

/** One call to Alertmanager's v2 API; its JSON answer (none for a POST of alerts). */
async function alertmanagerCall<T>(
  settings: AlertmanagerSettings,
  path: string,
  init: RequestInit = {},
): Promise<T> {
  const target = httpTarget(settings.url);
  const response = await fetch(`${target.url}/api/v2${path}`, {
    ...init,
    headers: { ...target.headers, ...(init.headers as Record<string, string> | undefined) },
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`Alertmanager answered ${response.status}: ${text.slice(0, 200)}`);
  }
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** Silences this alert (its exact labels) in Alertmanager until `endsAt`; returns the id. */
export async function silenceAlert(
  settings: AlertmanagerSettings,
  alert: Alert,
  silence: { endsAt: Date; createdBy: string; comment: string },
): Promise<string> {
  const matchers = Object.entries(alert.labels).map(([name, value]) => ({
    name,
    value,
    isRegex: false,
    isEqual: true,
  }));
  const created = await alertmanagerCall<{ silenceID: string }>(settings, '/silences', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      matchers,
      startsAt: new Date().toISOString(),
      endsAt: silence.endsAt.toISOString(),
      createdBy: silence.createdBy,
      comment: silence.comment,
    }),
  });
  return created.silenceID;
}

/** Alertmanager's silences that are active or pending. */
export async function listSilences(settings: AlertmanagerSettings): Promise<Silence[]> {
  const all = await alertmanagerCall<Silence[]>(settings, '/silences');
  return all.filter((silence) => silence.status.state !== 'expired');
}

/**
 * Silences every alert of an incident (every escalation step's copy) until `endsAt`: what
 * acknowledging does, so no step notifies again, repeats included. Returns the silence's id.
 */
export async function silenceIncident(
  settings: AlertmanagerSettings,
  incidentId: string,
  silence: { endsAt: Date; createdBy: string; comment: string },
): Promise<string> {
  const created = await alertmanagerCall<{ silenceID: string }>(settings, '/silences', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      matchers: [{ name: 'incident', value: incidentId, isRegex: false, isEqual: true }],
      startsAt: new Date().toISOString(),
      endsAt: silence.endsAt.toISOString(),
      createdBy: silence.createdBy,
      comment: silence.comment,
    }),
  });
  return created.silenceID;
}

/**
 * Expires the silences of an incident (made by {@link silenceIncident}): before its resolve is
 * sent, which a silence would hold back. Returns how many it expired.
 */
export async function expireIncidentSilences(
  settings: AlertmanagerSettings,
  incidentId: string,
): Promise<number> {
  const mine = (await listSilences(settings)).filter((silence) =>
    silence.matchers.some(
      (m) => m.name === 'incident' && m.value === incidentId && !m.isRegex && m.isEqual !== false,
    ),
  );
  for (const silence of mine)
    await alertmanagerCall<undefined>(settings, `/silence/${encodeURIComponent(silence.id)}`, {
      method: 'DELETE',
    });
  return mine.length;
}
