/**
 * One notification as Alertmanager's webhook posts it (version 4): the alerts of one group, here
 * one incident's at one escalation step. Only what Lantern reads is typed; webhook receivers get
 * the whole body as Alertmanager sent it.
 */
export interface AlertmanagerNotification {
  readonly status: 'firing' | 'resolved';
  readonly alerts: readonly {
    readonly status: 'firing' | 'resolved';
    readonly labels: Readonly<Record<string, string>>;
    readonly annotations: Readonly<Record<string, string>>;
    readonly startsAt: string;
    readonly endsAt: string;
    readonly generatorURL: string;
  }[];
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly commonLabels: Readonly<Record<string, string>>;
}

/** The incident a notification is about (Alertmanager groups by it); undefined without one. */
export const incidentOf = (notification: AlertmanagerNotification): string | undefined =>
  notification.groupLabels.incident ?? notification.commonLabels.incident;

/** The escalation step a notification was routed by (`critical.2`). */
export const stepOf = (notification: AlertmanagerNotification): string | undefined =>
  notification.commonLabels.escalation_step;

/**
 * The notification as people read it: a subject line and a body of one line per signal, most
 * recent state first, with a link to the incident in the console where there is one.
 */
export function notificationText(
  notification: AlertmanagerNotification,
  consoleUrl: string,
): { subject: string; body: string } {
  const firing = notification.alerts.filter((alert) => alert.status === 'firing');
  const incident = incidentOf(notification);
  const first = firing[0] ?? notification.alerts[0];
  const title = first?.annotations.summary ?? first?.labels.alertname ?? 'an alert';
  const subject =
    notification.status === 'resolved'
      ? `[RESOLVED] ${title}`
      : `[FIRING:${String(firing.length)}] ${title}`;
  const lines = notification.alerts.map(
    (alert) =>
      `- ${alert.status}: ${alert.annotations.summary ?? alert.labels.alertname ?? ''} (since ${alert.startsAt})`,
  );
  const link = incident && `${consoleUrl}/incidents/${incident}`;
  return { subject, body: [...lines, ...(link ? ['', link] : [])].join('\n') };
}
