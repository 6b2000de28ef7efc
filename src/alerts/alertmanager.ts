import { httpTarget } from '../contracts/http-target.ts';
import type { Alert } from '../contracts/alert.ts';

export interface AlertmanagerSettings {
  /** May carry credentials (`https://user:password@host`): they are sent as basic auth. */
  readonly url: string;
  /** Base URL of this API, for each alert's generatorURL. */
  readonly publicUrl: string;
}

/**
 * Pushes alerts to Alertmanager's v2 API. Active alerts are re-sent on every call (Alertmanager
 * expects that, and deduplicates); a resolved alert is sent once more with its endsAt.
 * Routing, grouping, silences and notification channels are Alertmanager's job.
 */
export async function pushToAlertmanager(
  settings: AlertmanagerSettings,
  alerts: readonly Alert[],
): Promise<void> {
  if (alerts.length === 0) return;
  const body = alerts.map((alert) => ({
    labels: alert.labels,
    annotations: {
      ...alert.annotations,
      summary: alert.summary,
      ...(alert.exemplarTraceIds.length > 0
        ? { exemplar_trace_ids: alert.exemplarTraceIds.join(',') }
        : {}),
    },
    startsAt: alert.startsAt,
    ...(alert.endsAt ? { endsAt: alert.endsAt } : {}),
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
