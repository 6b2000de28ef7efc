import type { Alert } from './alert.ts';

export interface AlertmanagerSettings {
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
  const response = await fetch(`${settings.url.replace(/\/+$/, '')}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) {
    throw new Error(
      `Alertmanager answered ${response.status}: ${(await response.text()).slice(0, 200)}`,
    );
  }
}
